"""Chinese numeral conversion, checked against cn2an (a well-kept converter) as the oracle."""

from __future__ import annotations

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.numerals import parse_chinese_number


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_agrees_with_cn2an_on_every_integer(number: int) -> None:
    assert parse_chinese_number(cn2an.an2cn(number)) == number


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_reads_the_two_form_of_two(number: int) -> None:
    """两 stands for 二 before a unit (两万, 两千): the genre writes both."""
    written = cn2an.an2cn(number)
    if "二" in written[:1]:
        assert parse_chinese_number("两" + written[1:]) == number


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "亿"]))
def test_arabic_with_a_chinese_scale(number, scale: str) -> None:
    written = f"{number.normalize():f}"
    expected = float(written) * (10_000 if scale == "万" else 100_000_000)
    assert parse_chinese_number(written + scale) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("三百", 300), ("百", 100), ("十", 10), ("十二", 12), ("二十", 20), ("两万", 20_000),
        ("一千零五", 1005), ("一万零五百", 10_500), ("三百五", 350), ("两万三", 23_000),
        ("一亿五", 150_000_000), ("三万亿", 3 * 10**12), ("二〇二二", 2022), ("零", 0),
        ("1.5万", 15_000), ("3亿", 300_000_000), ("302.3", 302.3),
    ],
)
def test_known_forms(written: str, value: float) -> None:
    assert parse_chinese_number(written) == value


@pytest.mark.parametrize("written", ["十四五", "一百零十", "三四", "一千零", "百百", "十百", "", "万", "两成", "abc", "1.5.2"])
def test_rejects_what_is_no_numeral(written: str) -> None:
    """Rejection is the point: 十四五 is a plan's name, not a malformed 145."""
    assert parse_chinese_number(written) is None
