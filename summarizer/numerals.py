"""Numerals to numbers: one grammar for every way a report writes a number.

    三百 -> 300            一千零五 -> 1005          两万三千 -> 23000        二〇二二 -> 2022
    1.5万 -> 1.5 万        2亿5千万 -> 25000 万      5万4千6百 -> 54600       1.2万亿 -> 1.2 万亿
    五亿零六万 -> 50006 万  一万三 -> 13000           九万四 -> 94000          两千五 -> 2500
    二十几万 -> 20 万, more than        十多万 -> 10 万, more than     一百零几万 -> 100 万, more than
    上千 -> 1000, more than            三四 -> 3 to 4 (a range)      两三百万 -> 200 to 300 万
    数十, 几十 -> no value (an order of magnitude, not a figure)

Arabic digits and Chinese digits mix freely with the place words 十/百/千 and the scale words
万/亿 at any level; 零 marks a skipped place (五亿零六万 is 500060000, never 500000006); a single
digit after a place word is the next place down (一万三 = 13000, 三百五 = 350, 两千五 = 2500); 两
stands for 二; 点 starts Chinese decimals (三点五 = 3.5).

**Value and unit.** A figure's value is stated in the unit the text writes, and the scale word
written last, right before the unit, belongs to that unit (as 302.3亿元 is 302.3 of 亿元):

* an Arabic number followed only by scale words keeps them all: 5千万 -> 5 千万, 1.2万亿 -> 1.2 万亿,
  3000万 -> 3000 万;
* otherwise the unit keeps the run of 万/亿 that ends the numeral, and everything before it is
  folded into the value: 三百亿 -> 300 亿, 2亿5千万 -> 25000 万, 五亿零六万 -> 50006 万,
  三万亿 -> 3 万亿; a numeral that ends in a digit or 十/百/千 keeps no scale: 两万三千 -> 23000,
  5万4千6百 -> 54600, 一万三 -> 13000.

Either way ``value * factor`` is the number the text states (the pre-extractor's scaled value).

**Uncertain forms.** 多/余/几 after a place make the value a floor (``more_than``); two neighbouring
digits (三四, 两三, 七八十) are an estimate, read as a range; 上 before a round number (上千, 上百亿)
is ``more_than``; 数 or 几 in the leading place (数十, 几百万) state a magnitude, not a figure, and
give no value at all, with the reason in :attr:`Numeral.reason`. A string outside the grammar
(十四五, 一百零十, 三四十多) is no numeral: :func:`read_numeral` returns None.

Hand-written rather than cn2an at run time: the pre-extractor meets forms cn2an rejects (a bare
百 in 近百家, 2亿5千万 in its default mode, 二十几万 in any) and calls this for every candidate, where
cn2an's validation regexes cost more than the conversion. cn2an stays the oracle in the tests.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
#: Scale words an Arabic number keeps in its unit when nothing but them follows (5千万元 -> 5 千万元).
ARABIC_SCALES: dict[str, int] = {
    "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8,
    "千万": 10**7, "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3,
}
#: Every character a numeral may hold besides Arabic digits.
NUMERAL_CHARS = frozenset(DIGITS) | frozenset(SMALL_UNITS) | frozenset(BIG_UNITS) | frozenset("几多余点数上")

#: Neighbouring digits that write an estimate (三四个 = three or four); 三五 is "a few", three to five.
_ESTIMATES = {(a, a + 1) for a in range(1, 9)} | {(3, 5)}

_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_ARABIC_WITH_SCALE = re.compile(r"(\d+(?:\.\d+)?)([多余]?)(万亿|千亿|百亿|亿|千万|百万|十万|万|千)?([多余]?)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|点[零〇一二两三四五六七八九]+|.", re.DOTALL)


class Numeral(NamedTuple):
    """What a numeral states. ``value`` and the bounds are in units of ``scale`` (factor ``factor``)."""

    value: float | None
    scale: str = ""
    factor: int = 1
    qualifier: str = "exact"  # exact | more_than | range | approx
    low: float | None = None
    high: float | None = None
    reason: str | None = None  # why there is no value
    #: "scale" for 一万三 (a digit after 万/亿), "place" for 三百五 (after 百/千): the next place down
    abbreviated: str = ""

    @property
    def absolute(self) -> float | None:
        """The whole number (2亿5千万 -> 250000000), or None."""
        if self.value is None:
            return None
        return float(Decimal(repr(self.value)) * self.factor)


def parse_chinese_number(s: str) -> float | None:
    """The value of an exact numeral (Chinese, Arabic, or mixed: 1.5万, 2亿5千万), or None.

    None for anything that is not one exact number: 十四五 (a plan's name), 三四 (three or four),
    二十多 (a floor), 两成 (a rate, not a numeral). The caller can use it as a validity test.
    """
    numeral = read_numeral(s.strip())
    if numeral is None or numeral.qualifier != "exact":
        return None
    return numeral.absolute


@lru_cache(maxsize=8192)
def read_numeral(s: str) -> Numeral | None:
    """Read ``s`` whole as a numeral, or None when it is none (see the module docstring)."""
    if not s:
        return None
    if "," in s or "．" in s:
        s = s.replace(",", "").replace("．", ".")
    if s[0].isdigit():
        fast = _ARABIC_WITH_SCALE.fullmatch(s)
        if fast is not None and not (fast.group(2) and fast.group(4)):
            number, scale = fast.group(1), fast.group(3) or ""
            qualifier = "more_than" if fast.group(2) or fast.group(4) else "exact"
            return Numeral(float(number), scale, ARABIC_SCALES.get(scale, 1), qualifier)
    tokens = _tokens(s)
    if tokens is None:
        return None
    return _read_tokens(s, tokens)


# --- tokens ------------------------------------------------------------------------------------
# ("n", value, arabic?) a digit or an Arabic number; ("z",) 零; ("u", 10|100|1000) a place;
# ("b", 10**4|10**8) a scale; ("j",) 几; ("m",) 多/余; ("p", "五") 点 and decimals;
# ("s",) 数 and ("up",) 上, both only first.
#: One token: its kind first, then what that kind carries (above); the reader looks at the kind
#: before it reads the rest, so the rest is left open here.
_Token = tuple[Any, ...]


def _tokens(s: str) -> list[_Token] | None:
    out: list[_Token] = []
    for index, piece in enumerate(_TOKEN.findall(s)):
        first = piece[0]
        if first.isdigit():
            if not _ARABIC.fullmatch(piece):
                return None
            out.append(("n", Decimal(piece), True))
        elif len(piece) > 1:  # 点 and its digits
            out.append(("p", piece[1:]))
        elif first in DIGITS:
            out.append(("z",) if DIGITS[first] == 0 else ("n", DIGITS[first], False))
        elif first in SMALL_UNITS:
            out.append(("u", SMALL_UNITS[first]))
        elif first in BIG_UNITS:
            out.append(("b", BIG_UNITS[first]))
        elif first == "几":
            out.append(("j",))
        elif first in "多余":
            out.append(("m",))
        elif first in "数上" and index == 0:
            out.append(("s",) if first == "数" else ("up",))
        else:
            return None
    return out


def _read_tokens(s: str, tokens: list[_Token]) -> Numeral | None:
    # digit strings: 二〇二二 (a year written digit by digit), 三四 (an estimate), 五 (a digit)
    if all(t[0] in "nz" and not (t[0] == "n" and t[2]) for t in tokens):
        if len(tokens) == 1:
            return Numeral(float(tokens[0][1]) if tokens[0][0] == "n" else 0.0)
        if len(tokens) >= 3 and tokens[0][0] == "n" and "两" not in s:
            return Numeral(float("".join(str(t[1]) if t[0] == "n" else "0" for t in tokens)))
        if len(tokens) != 2:
            return None
    prefix = tokens[0][0] if tokens[0][0] in ("s", "up") else None
    if prefix:
        tokens = tokens[1:]
        if not tokens or tokens[0][0] not in "ub":
            return None  # 数 and 上 stand before a place or a scale only: 数十, 上千, 上万
        tokens = [("n", 1, False), *tokens]
    magnitude = prefix == "s" or tokens[0][0] == "j"
    if magnitude and tokens[0][0] == "j":
        if len(tokens) < 2 or tokens[1][0] not in "ub":
            return None  # 几 alone, 几个: no numeral
        tokens = [("n", 1, False), *tokens[1:]]

    # estimates: two neighbouring digits at the start (三四, 两三百, 七八十)
    high_tokens = None
    if len(tokens) >= 2 and tokens[0][0] == "n" == tokens[1][0] and not tokens[0][2] and not tokens[1][2]:
        pair = (tokens[0][1], tokens[1][1])
        if pair not in _ESTIMATES:
            return None
        high_tokens = [("n", pair[1], False), *tokens[2:]]
        tokens = [("n", pair[0], False), *tokens[2:]]

    # 多/余: after a place, an Arabic number or a scale, and followed by nothing but scales
    floor = False
    if any(t[0] in "mj" for t in tokens):
        cleaned: list[_Token] = []
        for index, token in enumerate(tokens):
            if token[0] == "m":
                before = tokens[index - 1] if index else None
                if (before is None or not (before[0] in "ub" or (before[0] == "n" and before[2]))
                        or any(t[0] != "b" for t in tokens[index + 1:])):
                    return None
                floor = True
                continue
            if token[0] == "j":  # 二十几, 一百零几: a digit we do not know; its floor is zero
                before = tokens[index - 1] if index else None
                if before is None or before[0] not in "uz":
                    return None
                floor = True
                token = ("n", 0, False)
            cleaned.append(token)
        tokens = cleaned
        if high_tokens is not None:
            return None  # 三四十多: an estimate of an estimate

    total = _whole(tokens)
    if total is None:
        return None
    scale, factor = _trailing_scale(tokens)
    if magnitude:
        return Numeral(None, scale, factor, "approx", reason=f"{s}: an order of magnitude, not a figure")
    value = _in_scale(total, factor)
    if high_tokens is not None:
        top = _whole(high_tokens)
        if top is None or top <= total:
            return None
        high = _in_scale(top, factor)
        return Numeral(value, scale, factor, "range", value, high, abbreviated=_abbreviation(tokens))
    return Numeral(value, scale, factor, "more_than" if floor or prefix == "up" else "exact",
                   abbreviated=_abbreviation(tokens))


def _abbreviation(tokens: list[_Token]) -> str:
    """Whether the numeral ends in a digit that stands for the next place down (一万三, 三百五)."""
    if len(tokens) < 2 or tokens[-1][0] != "n" or not _is_digit(tokens[-1]):
        return ""
    before = tokens[-2]
    if before[0] == "b":
        return "scale"
    return "place" if before[0] == "u" and before[1] in (100, 1000) else ""


def _in_scale(total: Decimal, factor: int) -> float:
    return float(total / factor) if factor != 1 else float(total)


def _trailing_scale(tokens: list[_Token]) -> tuple[str, int]:
    """The run of 万/亿 that ends the numeral: the scale its unit keeps."""
    run = ""
    factor = 1
    for token in reversed(tokens):
        if token[0] != "b":
            break
        run = ("万" if token[1] == 10_000 else "亿") + run
        factor *= token[1]
    if len(run) == len(tokens):
        return "", 1  # 万 alone is no numeral; _number has refused it already
    return run, factor


# --- positional reading -------------------------------------------------------------------------

def _whole(tokens: list[_Token]) -> Decimal | None:
    """A numeral; decimals at its very end belong to the whole (一万点一 = 10000.1), decimals
    before a scale to the part they end (三点五亿 = 3.5亿)."""
    if len(tokens) > 1 and tokens[-1][0] == "p":
        whole = tokens[:-1]
        if any(t[0] == "p" or t[0] == "n" and t[2] for t in whole):
            return None  # 三点五点六, 3点5
        integer = Decimal(0) if whole == [("z",)] else _number(whole)
        fraction = _section([("z",), tokens[-1]])
        return None if integer is None or fraction is None else integer + fraction
    return _number(tokens)


def _number(tokens: list[_Token], right: bool = False) -> Decimal | None:
    """Split at 亿, then at 万 (the leftmost), and read each section below ten thousand."""
    for big in (100_000_000, 10_000):
        index = next((i for i, t in enumerate(tokens) if t[0] == "b" and t[1] == big), None)
        if index is None:
            continue
        left, rest = tokens[:index], tokens[index + 1:]
        if not left:
            return None  # 万, 亿万: a scale with no number
        high = _number(left, right)
        if high is None:
            return None
        if rest and rest[0][0] == "z":
            rest = rest[1:]  # 一万零五百: the 零 marks the empty thousands place
            if not rest:
                return None
        elif len(rest) == 1 and rest[0][0] == "n" and _is_digit(rest[0]) and high == high.to_integral_value():
            return high * big + Decimal(rest[0][1]) * big // 10  # 两万三 = 23000, 一亿五 = 1.5亿
        low = _number(rest, right=True) if rest else Decimal(0)
        if low is None or low >= big:
            return None
        return high * big + low
    return _section(tokens, right)


def _is_digit(token: _Token) -> bool:
    value = token[1]
    return 1 <= value <= 9 and (not token[2] or value == int(value))


def _section(tokens: list[_Token], right: bool = False) -> Decimal | None:
    """A numeral below 10000: digits, 十/百/千 in falling order, 零 for a skipped place, 点 decimals."""
    if not tokens:
        return None
    if tokens[-1][0] == "p":
        if right:
            return None  # 五亿三点五万: decimals belong to the leading part only
        whole = tokens[:-1]
        decimals = tokens[-1][1]
        if any(d not in DIGITS for d in decimals):
            return None
        fraction = Decimal("0." + "".join(str(DIGITS[d]) for d in decimals))
        if whole == [("z",)]:
            return fraction  # 零点八
        if any(t[0] == "n" and t[2] for t in whole):
            return None  # 3点5: Arabic numbers write their own point
        integer = _section(whole) if whole else None
        return None if integer is None else integer + fraction
    if len(tokens) == 1 and tokens[0][0] == "n":
        return Decimal(tokens[0][1])
    total = Decimal(0)
    digit: Decimal | int | None = None
    last_unit = 10_000
    after_zero = False
    for index, token in enumerate(tokens):
        kind = token[0]
        if kind == "n":
            if digit is not None:
                return None  # 三四 is no positional numeral (estimates are read before)
            if token[2] and not _is_digit(token) and not (token[1] == 0 and index == 0):
                return None  # 15千, 1.5百: an Arabic number before a place is one digit
            digit = token[1]
            continue
        if kind == "z":
            if after_zero or index == 0 or digit is not None:
                return None
            after_zero = True
            continue
        if kind != "u":
            return None
        unit = token[1]
        if unit >= last_unit or after_zero and digit is None:
            return None  # 十百, 百百 and 一百零十 are malformed
        if digit is None:
            if index:
                return None
            digit = 1  # a leading 十/百/千 counts one: 十二, 近百家
        total += digit * unit
        digit, last_unit, after_zero = None, unit, False
    if digit is not None:
        if not after_zero and last_unit in (100, 1000) and tokens[-2][0] == "u" and _is_digit(("n", digit, False)):
            total += digit * last_unit // 10  # 三百五 = 350, 两千五 = 2500
        else:
            total += digit
    elif after_zero:
        return None
    return total
