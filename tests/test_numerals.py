"""The numeral grammar: a generator writes numbers in every style a report uses and the parser
reads back the same value; cn2an (a well-kept converter) is the oracle wherever it reads a form."""

from __future__ import annotations

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.numerals import Numeral, parse_chinese_number, read_numeral

_CN_DIGITS = "零一二三四五六七八九"
_PLACES = ((1000, "千"), (100, "百"), (10, "十"))


# --- a writer of numerals, independent of the parser --------------------------------------------

def _section_cn(n: int, two: bool) -> str:
    """1..9999 in Chinese: 一千零五, 三百二十, 两千 (two: 两 before a place)."""
    out, zero = "", False
    for place, word in _PLACES:
        digit, n = divmod(n, place)
        if digit:
            if zero:
                out += "零"
            out += ("两" if two and digit == 2 and place >= 100 else _CN_DIGITS[digit]) + word
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero or (out and not out.endswith("十")) else "") + _CN_DIGITS[n]
    return out


def write_chinese(n: int, two: bool = False) -> str:
    """An integer below 10**12 with 万/亿 levels and 零 gaps: 五亿零六万, 十二万三千零四."""
    if n == 0:
        return "零"
    sections = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    out, gap = "", False
    for value, word in sections:
        if not value:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        digit_two = two and value // 10 ** (len(str(value)) - 1) == 2
        text = _section_cn(value, two)
        if digit_two and text.startswith("二") and word:
            text = "两" + text[1:]  # 两万, 两亿
        out += text + word
        gap = False
    if out.startswith("一十"):
        out = out[1:]  # 十二万, not 一十二万
    return out


def write_mixed(n: int) -> str:
    """Arabic sections with Chinese levels: 12亿3456万7890, 3亿零500万, 5万零3."""
    if n < 10**4:
        return str(n)
    sections = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    out, gap = "", False
    for value, word in sections:
        if not value:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += f"{value}{word}"
        gap = False
    return out


def _style(number: int, style: str) -> str:
    if style == "arabic":
        return str(number)
    if style == "grouped":
        return f"{number:,}"
    if style == "chinese":
        return write_chinese(number)
    if style == "two":
        return write_chinese(number, two=True)
    return write_mixed(number)


_STYLES = st.sampled_from(["arabic", "grouped", "chinese", "two", "mixed"])


@settings(max_examples=1500, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1), _STYLES)
def test_reads_back_every_integer_in_every_style(number: int, style: str) -> None:
    written = _style(number, style)
    assert parse_chinese_number(written) == number, written


@settings(max_examples=600, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1), st.sampled_from(["chinese", "mixed"]))
def test_cn2an_agrees_wherever_it_reads_the_form(number: int, style: str) -> None:
    written = _style(number, style)
    try:
        oracle = cn2an.cn2an(written, "smart")
    except (ValueError, KeyError, IndexError):
        return  # a form cn2an does not read (3亿零500万): no oracle here
    assert parse_chinese_number(written) == oracle, written


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_agrees_with_cn2an_on_every_integer(number: int) -> None:
    assert parse_chinese_number(cn2an.an2cn(number)) == number


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=10**4, places=4, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "亿", "万亿", "千万", "千"]))
def test_a_decimal_with_a_scale_keeps_the_scale_in_its_unit(number: Decimal, scale: str) -> None:
    """3.5万: value 3.5, unit 万, and 35000 in all."""
    written = f"{number.normalize():f}" + scale
    factor = {"万": 10**4, "亿": 10**8, "万亿": 10**12, "千万": 10**7, "千": 10**3}[scale]
    reading = read_numeral(written)
    assert reading is not None and reading.scale == scale and reading.factor == factor
    assert reading.value == float(number)
    assert parse_chinese_number(written) == float(number * factor)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8 - 1), st.integers(min_value=1, max_value=9), st.integers(1, 2))
def test_chinese_decimals(whole: int, first: int, more: int) -> None:
    """三点五, 十二点零五: the digits after 点 are read one by one (cn2an writes them so)."""
    digits = str(first) * more
    written = cn2an.an2cn(f"{whole}.{digits}")
    assert parse_chinese_number(written) == float(f"{whole}.{digits}"), written


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万", "亿"]))
def test_the_scale_written_last_stays_in_the_unit(number: int, scale: str) -> None:
    """三百亿 -> 300 of 亿; 2亿5千万 -> 25000 of 万: value times factor is the whole number."""
    written = write_chinese(number) + scale
    reading = read_numeral(written)
    assert reading is not None and reading.scale == scale and reading.value == number
    assert reading.absolute == number * (10**4 if scale == "万" else 10**8)


# --- one test per form ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("三百", 300), ("百", 100), ("十", 10), ("十二", 12), ("二十", 20), ("两万", 20_000),
        ("一千零五", 1005), ("一万零五百", 10_500), ("三百五", 350), ("两万三", 23_000),
        ("一亿五", 150_000_000), ("三万亿", 3 * 10**12), ("二〇二二", 2022), ("零", 0),
        ("1.5万", 15_000), ("3亿", 300_000_000), ("302.3", 302.3), ("1,250.5", 1250.5),
        # levels mixed at any depth, Arabic and Chinese
        ("2亿5千万", 250_000_000), ("5万4千6百", 54_600), ("1.2万亿", 1.2e12), ("3亿零500万", 305_000_000),
        ("1亿2345万6789", 123_456_789), ("6百", 600), ("5千万", 5e7),
        # 零 marks a skipped place
        ("五亿零六万", 500_060_000), ("一亿零一", 100_000_001), ("十万零一十", 100_010),
        # colloquial: one digit after a place is the next place down
        ("一万三", 13_000), ("九万四", 94_000), ("两千五", 2500), ("1万3", 13_000),
        # decimals
        ("三点五", 3.5), ("零点八", 0.8), ("十二点五", 12.5), ("三点五亿", 3.5e8), ("一万点一", 10000.1),
    ],
)
def test_known_forms(written: str, value: float) -> None:
    assert parse_chinese_number(written) == value


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2亿5千万", Numeral(25000.0, "万", 10**4)),
        ("五亿零六万", Numeral(50006.0, "万", 10**4)),
        ("1.2万亿", Numeral(1.2, "万亿", 10**12)),
        ("5千万", Numeral(5.0, "千万", 10**7)),  # an Arabic number keeps every scale word after it
        ("五千万", Numeral(5000.0, "万", 10**4)),  # in Chinese, 千 is a place of the number
        ("两万三千", Numeral(23000.0)),
        ("5万4千6百", Numeral(54600.0)),
        # floors: 多, 余, 几 after a place
        ("二十几万", Numeral(20.0, "万", 10**4, "more_than")),
        ("十多万", Numeral(10.0, "万", 10**4, "more_than")),
        ("一百零几万", Numeral(100.0, "万", 10**4, "more_than")),
        ("3000多万", Numeral(3000.0, "万", 10**4, "more_than")),
        ("10万余", Numeral(10.0, "万", 10**4, "more_than")),
        ("40多", Numeral(40.0, "", 1, "more_than")),
        # 上 before a round number
        ("上千", Numeral(1000.0, "", 1, "more_than")),
        ("上百亿", Numeral(100.0, "亿", 10**8, "more_than")),
        # neighbouring digits: an estimate, read as a range
        ("三四", Numeral(3.0, "", 1, "range", 3.0, 4.0)),
        ("两三", Numeral(2.0, "", 1, "range", 2.0, 3.0)),
        ("七八十", Numeral(70.0, "", 1, "range", 70.0, 80.0)),
        ("两三百万", Numeral(200.0, "万", 10**4, "range", 200.0, 300.0)),
        ("三五", Numeral(3.0, "", 1, "range", 3.0, 5.0)),
    ],
)
def test_readings(written: str, expected: Numeral) -> None:
    assert read_numeral(written) == expected


@pytest.mark.parametrize("written", ["数十", "几十", "数百万", "几千", "数万"])
def test_a_magnitude_has_no_value_and_says_why(written: str) -> None:
    reading = read_numeral(written)
    assert reading is not None and reading.value is None and reading.qualifier == "approx"
    assert reading.reason and "magnitude" in reading.reason
    assert parse_chinese_number(written) is None


@pytest.mark.parametrize(
    "written",
    ["十四五", "一百零十", "三四", "一千零", "百百", "十百", "", "万", "两成", "abc", "1.5.2", "十七八", "二四",
     "三四十多", "几", "几个", "数", "上", "万一", "五亿三点五万", "15千6百", "3点5"],
)
def test_rejects_what_is_no_exact_numeral(written: str) -> None:
    """Rejection is the point: 十四五 is a plan's name, not a malformed 145; 三四 is no one number."""
    assert parse_chinese_number(written) is None


@pytest.mark.parametrize("written", ["十四五", "一百零十", "十七八", "二四", "几", "万一", "15千6百", "三四十多"])
def test_no_reading_outside_the_grammar(written: str) -> None:
    assert read_numeral(written) is None
