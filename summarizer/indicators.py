"""Canonical indicator names, so metrics can be compared across documents.

The synonym table lives in ``indicators.yaml`` beside this module (data, not code).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from summarizer.resources import parse_yaml

_TABLE_FILE = Path(__file__).with_name("indicators.yaml")
# Words that scope or time an indicator without changing which indicator it is.
_SCOPE_WORDS = re.compile(r"^(?:其中|全区|全市|全县|全省|全镇|全年|今年以来|上半年|下半年|一季度|前三季度|[1-9一二三四]季度|1[—-]\d+月|本区|辖区|完成|实现)+")
# Endings that name the change, not the indicator.
_CHANGE_WORDS = re.compile(r"(?:同比)?(?:增速|增幅|增长率?|下降|降幅|总额|总量)$")
# Endings that make a new, derived indicator: kept after the canonical base.
_DERIVED_SUFFIXES = ("全市排名", "全省排名", "排名", "占比", "比重", "完成率", "收入进度", "进度")


@lru_cache(maxsize=1)
def _aliases() -> list[tuple[str, str]]:
    """(alias, canonical) pairs, longest alias first, canonical names included as their own alias."""
    table: dict[str, list[str]] = parse_yaml(_TABLE_FILE.read_text(encoding="utf-8"))
    pairs = [(canonical, canonical) for canonical in table]
    pairs += [(alias, canonical) for canonical, aliases in table.items() for alias in aliases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@lru_cache(maxsize=1)
def _table_names() -> frozenset[str]:
    """Every name the table writes out, canonical or alias."""
    return frozenset(alias for alias, _ in _aliases())


def is_table_name(name: str) -> bool:
    """Whether ``name`` is written exactly as the table names an indicator (进出口总额, 出口总额).

    Such a name is an indicator of its own even when its ending (总额) could only qualify another.
    """
    return name in _table_names()


@lru_cache(maxsize=8192)  # a document names few indicators, many times over
def canonical_name(name: str | None) -> str | None:
    """The canonical form of an indicator name, or the trimmed name when the table lacks it.

    >>> canonical_name("规上工业增加值增速")
    '规模以上工业增加值'
    >>> canonical_name("GDP增速全市排名")
    '地区生产总值排名'
    """
    if not name:
        return None
    trimmed = _SCOPE_WORDS.sub("", name.strip()) or name.strip()
    suffix = next((s for s in _DERIVED_SUFFIXES if trimmed.endswith(s)), "")
    base = trimmed[: len(trimmed) - len(suffix)] if suffix else trimmed
    for alias, canonical in _aliases():
        if alias in base:
            return canonical + _short_suffix(suffix)
    return (_CHANGE_WORDS.sub("", base) or base) + _short_suffix(suffix)


def _short_suffix(suffix: str) -> str:
    return "排名" if suffix.endswith("排名") else suffix
