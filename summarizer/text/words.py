"""The one jieba loader: dictionary words where a word boundary decides (rejoining lines, names, phrase cuts).

jieba loads its dictionary on first use, so nothing imports it until a caller needs a word; only
dictionary words count (no HMM guessing), so an unknown pair of characters never looks like a word.

Loading is made cheap where jieba is slow: its prefix dictionary is read from jieba's own cache
file in one read (jieba unmarshals from the open file, several times slower), and jieba is
imported without ``pkg_resources`` (which it only uses to open its dictionary file, and which
costs a tenth of a second to import). Loading happens once, whichever thread asks first.
"""

from __future__ import annotations

import itertools
import marshal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, cast

_loading = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> ModuleType:
    import logging

    with _loading:
        with _without_pkg_resources():
            import jieba  # type: ignore[import-untyped]  # jieba ships no type information

        jieba.setLogLevel(logging.WARNING)
        _load_cached_dictionary(jieba.dt)
    return cast(ModuleType, jieba)


@contextmanager
def _without_pkg_resources() -> Iterator[None]:
    """``import pkg_resources`` fails while inside (jieba then opens its files directly), unless
    something has already imported it; afterwards it imports as before."""
    if "pkg_resources" in sys.modules:
        yield
        return
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get("pkg_resources", ...) is None:
            del sys.modules["pkg_resources"]


def _load_cached_dictionary(tokenizer: Any) -> None:
    """jieba's default dictionary from jieba's own cache file, read at once; when there is no usable
    cache, jieba builds the dictionary (and writes the cache) itself on first use, as always."""
    if tokenizer.initialized or tokenizer.dictionary is not None or tokenizer.cache_file:
        return
    cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    try:
        frequencies, total = marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return
    if isinstance(frequencies, dict) and isinstance(total, int) and frequencies:
        with tokenizer.lock:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True


@lru_cache(maxsize=1)
def word_tags() -> dict[str, str]:
    """Part-of-speech tag of every word of jieba's dictionary (``ns`` a place name, ...).

    Read straight from the dictionary file (a line is "word frequency tag"), the table
    ``jieba.posseg`` builds: importing ``jieba.posseg`` for it would also load its HMM tables,
    which no caller uses, and read the file line by line, half a second in all.
    """
    jieba = _jieba()
    with _loading, jieba.dt.get_dict_file() as dictionary:  # one thread reads the table; the others wait
        table = dictionary.read().decode("utf-8")
    fields = table.split()
    if len(fields) != 3 * (table.count("\n") + (not table.endswith("\n"))):
        # not three fields on every line: let jieba read it (and say which line is wrong)
        from jieba import posseg

        return cast("dict[str, str]", posseg.dt.word_tag_tab)
    return dict(zip(fields[0::3], fields[2::3]))


def words(text: str) -> list[str]:
    """``text`` cut into dictionary words."""
    return cast("list[str]", _jieba().lcut(text, HMM=False))


def word_boundaries(text: str) -> list[int]:
    """Offsets in ``text`` where a word ends (the last is ``len(text)``)."""
    return list(itertools.accumulate(len(w) for w in words(text)))
