"""Chinese numerals to numbers: 三百 -> 300, 一千零五 -> 1005, 两万 -> 20000, 1.5万 -> 15000.

Hand-written rather than cn2an at run time: the pre-extractor meets forms cn2an rejects (a bare
百 in 近百家, 成 in 两成) and calls this for every Chinese numeral candidate, where cn2an's
validation regexes cost more than the conversion itself. cn2an stays the oracle in the tests.
"""

from __future__ import annotations

import re

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
NUMERAL_CHARS = frozenset(DIGITS) | frozenset(SMALL_UNITS) | frozenset(BIG_UNITS)


def parse_chinese_number(s: str) -> float | None:
    """The value of a Chinese (or Arabic-plus-scale) numeral, or None when ``s`` is not one.

    Accepts positional forms (三百零五, 两万三千, 十二), digit strings (二〇二二 -> 2022), Arabic
    numbers with a Chinese scale (1.5万, 3亿), and 万亿 compounds. Rejects anything else, so the
    caller can use it as a validity test: "十四五" (a plan's name) is not a well-formed numeral.
    """
    s = s.strip()
    if not s:
        return None
    head = s.rstrip("万亿")
    if head != s and _is_arabic(head):
        value = float(head)
        for char in s[len(head):]:
            value *= BIG_UNITS[char]
        return value
    if _is_arabic(s):
        return float(s)
    if any(char not in NUMERAL_CHARS for char in s):
        return None
    if all(char in DIGITS for char in s):
        # one digit, or a digit string such as a year (二〇二二); two digits are an estimate
        # ("三四个" is three or four), not thirty-four
        if len(s) == 1 or len(s) >= 3 and s[0] not in "零〇" and "两" not in s:
            return float(int("".join(str(DIGITS[c]) for c in s)))
        return None
    return _positional(s)


def _is_arabic(s: str) -> bool:
    return _ARABIC.fullmatch(s) is not None


def _positional(s: str) -> float | None:
    """Split at 亿, then at 万, and read each section below ten thousand."""
    for big, scale in (("亿", 100_000_000), ("万", 10_000)):
        if big in s:
            left, _, right = s.partition(big)
            high = _positional(left) if left else None
            if high is None:
                return None
            if right[:1] in ("零", "〇"):
                right = right[1:]  # 一万零五百: the 零 marks the empty thousands place
            elif len(right) == 1 and DIGITS.get(right):
                return high * scale + DIGITS[right] * scale // 10  # 两万三 = 23000
            low = _positional(right) if right else 0.0
            if low is None or low >= scale:
                return None
            return high * scale + low
    return _section(s)


def _section(s: str) -> float | None:
    """A numeral below 10000: digits, 十/百/千 in falling order, 零 for a skipped place."""
    total = 0
    digit: int | None = None
    last_unit = 10_000
    after_zero = False
    for index, char in enumerate(s):
        if char in DIGITS:
            if digit is not None:
                return None  # 三四 is no positional numeral
            if DIGITS[char] == 0:
                if after_zero or index == 0:
                    return None
                after_zero = True
            else:
                digit = DIGITS[char]
            continue
        unit = SMALL_UNITS[char]
        if unit >= last_unit or after_zero and digit is None:
            return None  # 十百, 百百 and 一百零十 are malformed
        if digit is None:
            if index:
                return None
            digit = 1  # a leading 十/百/千 counts one: 十二, 近百家
        total += digit * unit
        digit, last_unit, after_zero = None, unit, False
    if digit is not None:
        if not after_zero and last_unit in (100, 1000) and s[-2] in SMALL_UNITS:
            total += digit * last_unit // 10  # 三百五 = 350
        else:
            total += digit
    elif after_zero:
        return None
    return float(total)
