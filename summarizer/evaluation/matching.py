"""One-to-one pairing of gold and predicted items, and Chinese-safe string similarity.

Items are paired by an optimal assignment (Hungarian, ``scipy.optimize.linear_sum_assignment``)
that maximises total similarity over the pairs at or above a threshold. Ties are broken by a
tiny weight derived from the *contents* of both items, so that the pairing does not depend on
list order (nor on which side is called gold, for a symmetric similarity).

Phrases (achievements, problems, tasks) are compared with :func:`phrase_similarity`, the bigram
measure of the external scorer (``shared/tools/score.py``) over the same normalisation, so that a
phrase pair the project counts is one the external scorer would count too.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache
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


_FEW_TRADITIONAL = str.maketrans({"億": "亿", "萬": "万", "個": "个", "點": "点", "兩": "两", "長": "长"})


def _few_to_simplified(text: str) -> str:
    """The few characters that matter for figures: the external scorer's fallback without OpenCC."""
    return text.translate(_FEW_TRADITIONAL)


try:  # full traditional -> simplified tables, as the external scorer uses when they are installed
    from opencc import OpenCC

    _TO_SIMPLIFIED: Callable[[str], str] = OpenCC("t2s").convert
except ImportError:
    _TO_SIMPLIFIED = _few_to_simplified


def to_simplified(text: str) -> str:
    """Traditional characters as simplified (億元 -> 亿元): the documents are read so, and labels
    written in a page's own characters must compare equal to them."""
    return _TO_SIMPLIFIED(text)


@lru_cache(maxsize=8192)
def normalize_text(text: str | None) -> str:
    """NFKC (full-width to half-width), simplified characters, lower case, no spaces or punctuation:
    what a reader compares."""
    if not text:
        return ""
    return _NOT_TEXT.sub("", to_simplified(unicodedata.normalize("NFKC", text))).lower()


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


# ---------------------------------------------------------------- phrases, as the external scorer reads them

#: Pinyin in brackets after characters (页面注音), dropped before comparing.
_PINYIN = re.compile(r"[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
#: Exactly the punctuation the external scorer drops: dropping more (``%``, ``/`` ...) would join
#: characters it keeps apart, and so pair phrases it does not pair.
_PHRASE_PUNCTUATION = re.compile(r"[\s\*“”\"'‘’,，。.、;；:：!！?？()（）《》【】\[\]—\-–·]")


@lru_cache(maxsize=8192)
def normalize_phrase(text: str | None) -> str:
    """NFKC, traditional to simplified, no pinyin, no spaces or punctuation; case is kept."""
    if not text:
        return ""
    text = _TO_SIMPLIFIED(unicodedata.normalize("NFKC", str(text)).replace("**", ""))
    text = re.sub(r"\s+", "", _PINYIN.sub("", text))
    return _PHRASE_PUNCTUATION.sub("", text)


@lru_cache(maxsize=8192)
def phrase_bigrams(text: str | None) -> frozenset[str]:
    """The set of character bigrams of the normalised phrase (a one-character phrase is its own)."""
    normal = normalize_phrase(text)
    return frozenset({normal[i : i + 2] for i in range(len(normal) - 1)} or ({normal} if normal else set()))


def phrase_similarity(gold: str, predicted: str) -> float:
    """Shared bigrams over max(gold bigrams, half the predicted bigrams): the external scorer's measure.

    Not symmetric, on purpose: a prediction up to twice as long as its label loses nothing, a
    shorter one loses in proportion. 1.0 for the same phrase, 0.0 when either side is empty.
    """
    gold_grams, predicted_grams = phrase_bigrams(gold), phrase_bigrams(predicted)
    if not gold_grams or not predicted_grams:
        return 0.0
    return len(gold_grams & predicted_grams) / max(len(gold_grams), len(predicted_grams) / 2)


def phrase_containment(gold: str, predicted: str) -> float:
    """Share of the gold phrase's bigrams found in the predicted one, however long that is.

    At least :func:`phrase_similarity` (same numerator, smaller denominator), so a phrase pair
    always counts as containment too.
    """
    gold_grams, predicted_grams = phrase_bigrams(gold), phrase_bigrams(predicted)
    if not gold_grams or not predicted_grams:
        return 0.0
    return len(gold_grams & predicted_grams) / len(gold_grams)


#: Hedges and rank framing a quantity surface may carry or not: 40多个 ~ 40个, 居全市第一 ~ 第一.
_SURFACE_QUALIFIERS = re.compile(r"左右|及以上|以上|以下|上下|超过|位居|居全市|全市|排名|多|余|约|近|超|逾|居")


def same_surface(predicted: str, gold: str) -> bool:
    """A quantity's surface against a bare labelled one: equal after normalisation, or equal
    without hedges and rank framing (never both empty). The external scorer's rule."""
    a, b = _surface_normal(predicted), _surface_normal(gold)
    if a == b:
        return True
    core = _SURFACE_QUALIFIERS.sub("", b)
    return bool(core) and _SURFACE_QUALIFIERS.sub("", a) == core


def _surface_normal(text: str) -> str:
    text = _TO_SIMPLIFIED(unicodedata.normalize("NFKC", str(text)).replace("**", ""))
    return re.sub(r"\s+", "", _PINYIN.sub("", text))


#: Names whose numerals differ (第二产业 / 第三产业) are different indicators, however alike.
_NUMERALS = re.compile(r"[0-9零〇一二两三四五六七八九十百千]")
_DIFFERENT_NUMERALS_CAP = 0.4


def name_similarity(a: str | None, b: str | None) -> float:
    """1.0 for the same canonical indicator, otherwise character similarity (Indel ratio)."""
    if not a or not b:
        return 0.0
    a, b = to_simplified(a), to_simplified(b)
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
