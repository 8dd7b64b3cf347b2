"""The one jieba loader: dictionary words where a word boundary decides (rejoining lines, names, phrase cuts).

jieba loads its dictionary on first use (about a second), so nothing imports it until a caller
needs a word; only dictionary words count (no HMM guessing), so an unknown pair of characters
never looks like a word.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def _jieba() -> ModuleType:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def words(text: str) -> list[str]:
    """``text`` cut into dictionary words."""
    return _jieba().lcut(text, HMM=False)


def word_boundaries(text: str) -> list[int]:
    """Offsets in ``text`` where a word ends (the last is ``len(text)``)."""
    return list(itertools.accumulate(len(w) for w in words(text)))
