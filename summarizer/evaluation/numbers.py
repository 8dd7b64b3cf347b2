"""Numbers as the evaluation sees them: unit scaling, equality, and an independent number scanner.

An evaluation must not trust the code it evaluates, so this module uses neither the
pre-extractor nor the grounding validators: it has its own small scanner. It errs on the lenient
side (a rhetorical numeral in the source still counts as a source number), so a faithfulness
failure always names a number the source really lacks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import cn2an

from summarizer.evaluation.matching import to_simplified

# Prefixes that scale a unit: 亿元 = 1e8 元. Longest first.
_SCALES = (("千万", 1e7), ("百万", 1e6), ("亿", 1e8), ("万", 1e4), ("千", 1e3))
# Unit spellings that are one dimension (base unit classes).
_UNIT_CLASSES = {
    "%": "%",
    "个百分点": "pp",
    "百分点": "pp",
    "名": "rank",
    "位": "rank",
    "倍": "倍",
}
# Units that are another unit scaled: 成 is ten percent (近3成 is value 3, unit 成: 30%).
_SCALED_UNITS = {"成": (10.0, "%")}
# Units that begin with a scale character but are not scaled: 千瓦时 is not 1000 瓦时.
_SCALE_LIKE_UNITS = ("千瓦时", "千瓦", "千米", "千克", "千伏")
_TIME_UNITS = ("年", "月", "日", "时", "季度", "号", "点", "时许", "天", "周")


def unit_base(unit: str | None) -> tuple[float, str]:
    """(scale, base unit class): 亿元 -> (1e8, 元); % -> (1, %); 个百分点 -> (1, pp); 名/位 -> rank."""
    if not unit:
        return 1.0, ""
    unit = to_simplified(unicodedata.normalize("NFKC", unit)).strip()  # 億元 is 亿元
    if unit in _UNIT_CLASSES:
        return 1.0, _UNIT_CLASSES[unit]
    if unit in _SCALED_UNITS:
        return _SCALED_UNITS[unit]
    if unit.startswith(_SCALE_LIKE_UNITS):
        return 1.0, unit
    for prefix, scale in _SCALES:
        if unit.startswith(prefix) and unit != prefix:
            rest_scale, base = unit_base(unit[len(prefix) :])
            return scale * rest_scale, base
        if unit == prefix:
            return scale, ""
    return 1.0, unit


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def same_quantity(value_a: float | None, unit_a: str | None, value_b: float | None, unit_b: str | None) -> bool:
    """Equal after unit scaling (302.3亿元 == 3023000万元); % and 个百分点 never equal."""
    if value_a is None or value_b is None:
        return value_a is None and value_b is None
    scale_a, base_a = unit_base(unit_a)
    scale_b, base_b = unit_base(unit_b)
    return base_a == base_b and close(value_a * scale_a, value_b * scale_b)


@dataclass(frozen=True)
class ScannedNumber:
    """A number found in a text: its value scaled to the base unit class, and whether it is time."""

    surface: str
    start: int
    written: float
    value: float
    base: str
    is_time: bool


_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_NUMBER = re.compile(
    r"(?P<arabic>\d+(?:,\d{3})*(?:\.\d+)?)"
    rf"|(?P<percent_cn>百分之[{_CN_DIGITS}点]+)"
    rf"|(?P<chinese>[{_CN_DIGITS}]+)"
)
_RANGE_JOIN = re.compile(r"\s*[-—–~～至到]\s*$")
_AFTER = re.compile(
    r"(?P<scale>千万|百万|亿|万|千(?!瓦|米|克|伏))?"
    r"(?P<unit>个百分点|百分点|%|％|倍|成|名|位|千瓦时|千瓦|千米|千克|千伏"
    # or up to three characters of any other unit: no digit, space, punctuation or range sign
    rf"|[^\d{_CN_DIGITS}\s，。、；：,.;:！？!?（）()“”\"'《》【】\-—~～至到]{{0,3}})"
)


def scan_numbers(text: str) -> list[ScannedNumber]:
    """Every number of ``text`` with its scaled value and unit class; time numbers are marked.

    Traditional script reads as simplified (a summary of a traditional page is written in it)."""
    text = to_simplified(text)
    found: list[tuple[re.Match[str], float, float, str, bool]] = []
    position = 0
    while (m := _NUMBER.search(text, position)) is not None:
        after = _AFTER.match(text, m.end())  # always matches: every part is optional
        assert after is not None
        position = max(after.end(), m.end())
        parsed = _parse(m)
        if parsed is None:
            continue
        scale_word, unit_text = after.group("scale"), after.group("unit")
        scale = dict(_SCALES).get(scale_word or "", 1.0)
        unit_scale, base = _classify_unit(unit_text, preceded_by=text[max(0, m.start() - 1) : m.start()])
        if m.group("percent_cn"):
            unit_scale, base = 1.0, "%"
        is_time = unit_text.startswith(_TIME_UNITS) and not scale_word
        found.append((m, parsed, scale * unit_scale, base, is_time))
    numbers: list[ScannedNumber] = []
    for index, (m, value, scale, base, is_time) in enumerate(found):
        # "10-15%" and "1—6月": the first bound takes the unit written after the second.
        if index + 1 < len(found) and base == "" and scale == 1.0:
            following = found[index + 1]
            if _RANGE_JOIN.match(text[m.end() : following[0].start()]):
                scale, base, is_time = following[2], following[3], following[4]
        numbers.append(ScannedNumber(m.group(0), m.start(), value, value * scale, base, is_time))
    return numbers


def _parse(m: re.Match[str]) -> float | None:
    if m.group("arabic"):
        return float(m.group("arabic").replace(",", ""))
    written = m.group("percent_cn") or m.group("chinese")
    written = written.removeprefix("百分之")
    if written[0] in "十百千万亿":
        written = "一" + written
    try:
        return float(cn2an.cn2an(written.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _classify_unit(unit_text: str, preceded_by: str) -> tuple[float, str]:
    if preceded_by in ("第", "前"):
        return 1.0, "rank"
    if unit_text.startswith("成"):
        return 10.0, "%"  # 两成 = 20%
    for spelling in ("个百分点", "百分点", "%", "％", "倍", "名", "位"):
        if unit_text.startswith(spelling):
            return unit_base(spelling)
    return 1.0, unicodedata.normalize("NFKC", unit_text[:1]) if unit_text else ""


def supported(value: float, unit: str | None, source: list[ScannedNumber]) -> bool:
    """Is ``value`` in ``unit`` a non-time number of the source (scaled, same unit class)?"""
    scale, base = unit_base(unit)
    return _in_source(abs(value) * scale, base, abs(value), source)


def scanned_supported(number: ScannedNumber, source: list[ScannedNumber]) -> bool:
    return _in_source(number.value, number.base, number.written, source)


def _in_source(scaled: float, base: str, written: float, source: list[ScannedNumber]) -> bool:
    for number in source:
        if number.is_time:
            continue
        if not base and (close(number.written, written) or close(number.value, written)):
            return True
        if close(number.value, scaled) and _compatible(base, number.base):
            return True
    return False


def _compatible(stated: str, found: str) -> bool:
    """Dimensionless classes (%, pp, rank, 倍) must agree; counted units are judged by value only."""
    special = {"%", "pp", "rank", "倍"}
    if stated in special or found in special:
        return stated == found
    return True
