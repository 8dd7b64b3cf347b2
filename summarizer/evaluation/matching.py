"""One-to-one pairing of gold and predicted items, and Chinese-safe string similarity.

Items are paired by an optimal assignment (Hungarian, ``scipy.optimize.linear_sum_assignment``)
that maximises total similarity over the pairs at or above a threshold. Ties are broken by a
tiny weight derived from the *contents* of both items, so that the pairing depends neither on
list order nor on which side is called gold.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz.distance import Indel
from scipy.optimize import linear_sum_assignment

from summarizer.indicators import canonical_name

G = TypeVar("G")
P = TypeVar("P")

_TIE_BREAK = 1e-9
_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Pair(Generic[G, P]):
    gold: G
    predicted: P
    similarity: float


@dataclass(frozen=True)
class Matching(Generic[G, P]):
    pairs: list[Pair[G, P]]
    missed: list[G]
    extra: list[P]


def match(
    gold: Sequence[G],
    predicted: Sequence[P],
    similarity: Callable[[G, P], float],
    threshold: float,
    key: Callable[[object], str] = repr,
) -> Matching[G, P]:
    """Pair items one-to-one, maximising summed similarity; pairs below ``threshold`` never form."""
    if threshold <= 0:
        raise ValueError("the pairing threshold must be positive: a zero similarity is no pair")
    if not gold or not predicted:
        return Matching([], list(gold), list(predicted))
    similarities = np.array([[similarity(g, p) for p in predicted] for g in gold], dtype=float)
    weights = np.where(similarities >= threshold, similarities, 0.0)
    gold_keys = [key(g) for g in gold]
    predicted_keys = [key(p) for p in predicted]
    for i, j in zip(*np.nonzero(weights)):
        weights[i, j] += _TIE_BREAK * _content_weight(gold_keys[i], predicted_keys[j])
    rows, cols = linear_sum_assignment(weights, maximize=True)
    chosen = [(int(i), int(j)) for i, j in zip(rows, cols) if weights[i, j] > 0]
    pairs = [Pair(gold[i], predicted[j], float(similarities[i, j])) for i, j in chosen]
    used_gold = {i for i, _ in chosen}
    used_predicted = {j for _, j in chosen}
    missed = [g for i, g in enumerate(gold) if i not in used_gold]
    extra = [p for j, p in enumerate(predicted) if j not in used_predicted]
    return Matching(pairs, missed, extra)


def _content_weight(a: str, b: str) -> float:
    """A pseudo-random weight in [0, 1) that is the same for (a, b) and (b, a)."""
    first, second = sorted((a, b))
    return zlib.crc32(f"{first}\x00{second}".encode()) / 2**32


def normalize_text(text: str | None) -> str:
    """NFKC (full-width to half-width), lower case, no spaces or punctuation: what a reader compares."""
    if not text:
        return ""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text)).lower()


def char_ngram_f1(a: str, b: str, n: int = 2) -> float:
    """F1 (Dice) of character n-grams: Chinese-safe because it never splits on whitespace."""
    a, b = normalize_text(a), normalize_text(b)
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    size = n if min(len(a), len(b)) >= n else 1
    grams_a = Counter(a[i : i + size] for i in range(len(a) - size + 1))
    grams_b = Counter(b[i : i + size] for i in range(len(b) - size + 1))
    overlap = sum((grams_a & grams_b).values())
    return 2 * overlap / (sum(grams_a.values()) + sum(grams_b.values()))


#: Names whose numerals differ (第二产业 / 第三产业) are different indicators, however alike.
_NUMERALS = re.compile(r"[0-9零〇一二两三四五六七八九十百千]")
_DIFFERENT_NUMERALS_CAP = 0.4


def name_similarity(a: str | None, b: str | None) -> float:
    """1.0 for the same canonical indicator, otherwise character similarity (Indel ratio)."""
    if not a or not b:
        return 0.0
    canon_a, canon_b = normalize_text(canonical_name(a)), normalize_text(canonical_name(b))
    if canon_a == canon_b:
        return 1.0
    similarity = max(
        Indel.normalized_similarity(canon_a, canon_b),
        Indel.normalized_similarity(normalize_text(a), normalize_text(b)),
    )
    if _NUMERALS.findall(canon_a) != _NUMERALS.findall(canon_b):
        return min(similarity, _DIFFERENT_NUMERALS_CAP)
    return similarity
