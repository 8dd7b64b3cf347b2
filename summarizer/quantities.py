"""The pre-extractor: every quantity the text states, typed, with exact spans.

It is the project's ground truth for "which numbers does this document state", so it favours
precision: a number needs a unit, a rank or a percent form to count, and Chinese numerals count
only in the forms where the genre uses them to quantify (三百亿元, 百分之三十, 两成, 居全市第一,
前二十名, 近百家). Time expressions come out too, with time kinds, so that nothing else claims them.

How it works: one compiled regular expression finds every candidate in a single pass (dates and
periods first, then ranks, percents, ranges and numbers with units, longest unit first); a small
acceptance step per candidate rejects names and rhetoric; then each accepted mention gets its
qualifier, direction, basis, indicator and target cue from its clause and sentence.

Hand-written rules vs libraries: the number grammar, units and cues are regular expressions over
small closed lexicons (fast, and every decision is visible and testable); Chinese numerals go
through :func:`summarizer.numerals.parse_chinese_number` (tested against cn2an). jieba is used
only where a word boundary decides the answer and a lexicon cannot, on windows of a few
characters: cutting the noun phrase that follows a count ("252家重点企业和51个重点项目" ->
重点企业 / 重点项目) and telling a leading function word from a word start (对重点企业 vs
对外贸易, 到位资金, 在建项目). Segmenting whole documents would cost most of the 2 MB/s budget.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import NamedTuple

from summarizer.numerals import DIGITS, parse_chinese_number
from summarizer.schema import Quantity
from summarizer.text.sentences import SENTENCE_END
from summarizer.text.words import words as dictionary_words

__all__ = ["extract_quantities", "parse_chinese_number"]

# --- lexicons -------------------------------------------------------------------------------

SCALES: dict[str, float] = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8,
    "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3,
}
# Unit as written (without scale) -> kind. Time units give time kinds; None rejects the mention.
UNITS: dict[str, str | None] = {
    **dict.fromkeys(("%", "％", "‰"), "percent"),
    **dict.fromkeys(("个百分点", "百分点"), "percentage_point"),
    "倍": "multiple",
    **dict.fromkeys(
        (
            "元", "美元", "欧元", "港元", "日元",
            "平方公里", "平方千米", "平方米", "平米", "公顷", "亩", "公里", "千米", "延米", "米",
            "吨", "公斤", "千克", "千瓦时", "千瓦", "兆瓦", "吉瓦", "度", "立方米", "标箱", "岁",
        ),
        "amount",
    ),
    **dict.fromkeys(
        (
            "个", "家", "项", "人次", "户次", "车次", "架次", "辆次", "人", "名", "位", "台套", "台",
            "栋", "幢", "户", "张", "套", "所", "批", "场", "次", "辆", "座", "条", "间", "处", "件",
            "宗", "例", "支", "架", "艘", "株", "棵", "只", "头", "篇", "部", "款", "种", "块", "份",
            "本", "册", "根", "床", "标段", "场次", "批次", "班次", "个位次", "个点位",
        ),
        "count",
    ),
    **dict.fromkeys(("年度", "年", "月份", "月", "日"), "date"),
    **dict.fromkeys(("个月", "天", "小时", "周", "季度", "个工作日", "工作日"), "period"),
    "周年": None,
}
# Units a Chinese numeral may carry: no time units (百日, 三年 are phrases, not figures).
CN_UNITS = [u for u, kind in UNITS.items() if kind in ("amount", "count", "percentage_point", "multiple")]

APPROX_BEFORE = ("大约", "约为", "约", "将近", "接近", "近")
MORE_BEFORE = ("超过", "超", "逾", "突破", "多达", "不少于", "不低于", "至少")
LESS_BEFORE = ("不到", "不足", "少于", "不超过")
PRE_QUALIFIERS: list[tuple[str, str]] = sorted(
    [(w, "approx") for w in APPROX_BEFORE]
    + [(w, "more_than") for w in MORE_BEFORE]
    + [(w, "less_than") for w in LESS_BEFORE],
    key=lambda pair: -len(pair[0]),
)
_PRE_QUALIFIER_OF = dict(PRE_QUALIFIERS)
_PRE_QUALIFIER_LAST = frozenset(word[-1] for word in _PRE_QUALIFIER_OF)
POST_QUALIFIERS = {"左右": "approx", "以上": "more_than", "及以上": "more_than", "以下": "less_than", "以内": "less_than"}

# Verbs right before a single Chinese digit that make it a count ("新增两家"), not an article.
COUNT_VERBS = (
    "新增", "引进", "签约", "建成", "新建", "落地", "获批", "培育", "认定", "创建", "实施", "开工",
    "竣工", "投产", "达到", "达", "共", "累计", "共计", "合计", "拥有", "新培育", "入选", "增加",
)
RANK_CONTEXT = re.compile(r"居|排名|排在|排|位列|名列|列|位次|获得|荣获|全市|全省|全国|全区|全县|省内|市内|榜")
TOPN_CONTEXT = re.compile(r"进入|保持|迈入|跻身|位居|稳居|居|排名|排|挺进|列|全市|全省|全国")


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT = _alternation(list(UNITS))
_CN_UNIT = _alternation(CN_UNITS)
_SCALE = _alternation(list(SCALES))
_PER = r"(?P<per>/(?:人|户|年|月|天|亩|平方米|吨|小时|辆|次))?"
_AR = r"\d{1,3}(?:,\d{3})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?"  # ． : a full-width point the cleaner missed
_CN_DIGIT = "零〇一二两三四五六七八九"
_CN = f"[{_CN_DIGIT}十百千](?:[{_CN_DIGIT}十百千万亿]*[{_CN_DIGIT}十百千])?"
_SEP = r"\s?[-—–~～至到]\s?"
_POST = _alternation(list(POST_QUALIFIERS))

# A minus sign follows a rate word or punctuation; after a unit or a digit a dash is a range
# or a code (2亿元-3万元, 0734-8888).
_BEFORE_MINUS = "长速幅为是达至到比率值：:，,（( \\n"
# Every alternative starts with one of these: the lookahead lets the engine skip the rest of the
# text at C speed (three times faster than trying each alternative at every position).
_FIRST_CHARS = f"\\d\\-−第前百翻上下今年{_CN_DIGIT}十千"
CANDIDATE = re.compile(
    f"(?=[{_FIRST_CHARS}])(?:"
    + "|".join(
        (
            # timestamps and dates first: 2022-08-05 08:43, 2022年8月5日, 8月11日, 9:30
            r"(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}日?(?:\s?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
            r"|(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?(?!份)|\d{1,2}[:：]\d{2})",
            # periods named in words: 上半年, 三季度, 前三季度, 第二季度, 今年以来, 前5个月
            r"(?P<period>前[一二三]季度|第?[一二三四1-4]季度|[上下]半年|今年以来|年初以来|今年来"
            r"|前\d{1,2}个?月|前[一二三四五六七八九十]{1,2}个月)",
            r"(?P<fraction>(?P<f_den>[一二两三四五六七八九十])分之(?P<f_num>[一二两三四五六七八九]))",
            rf"(?P<pct_cn>百分之(?P<pc>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)(?P<pc_post>{_POST})?)",
            rf"(?P<rank>第(?P<rank_num>\d+|[一二三四五六七八九十]+)(?P<rank_unit>名|位)?)",
            rf"(?P<topn>前(?P<topn_num>\d+|[一二三四五六七八九十百]+)(?P<topn_unit>名|位|强)?)",
            rf"(?P<fan>翻(?P<fan_num>[一两三])番)",
            # ranges: 10-15%, 10%-15%, 5—10亿元, 1—6月 (a period), 2021—2025年
            # (a scale or unit written on both ends must be the same: 3万-5万元, 10亿元-15亿元,
            # never 2亿元-3万元)
            rf"(?P<range>(?P<r_lo>{_AR})(?P<r_lo_scale>{_SCALE})?(?P<r_lo_unit>{_UNIT})?{_SEP}(?P<r_hi>{_AR})"
            rf"(?(r_lo_scale)(?P=r_lo_scale)|(?(r_lo_unit)|(?P<r_scale>{_SCALE})?))(?(r_lo_unit)(?P=r_lo_unit)|(?P<r_unit>{_UNIT}))"
            rf"(?P<r_post>{_POST})?)",
            rf"(?P<cn_range>(?P<cr_lo>{_CN}){_SEP}(?P<cr_hi>{_CN})(?P<cr_scale>万亿|亿|万)?(?P<cr_unit>{_CN_UNIT}))",
            # an Arabic number: 302.3亿元, 40多个, 300余家, 3000多万元, 1.5万人次, 100台以上, -3.2%
            rf"(?P<num>(?P<sign>(?<=[{_BEFORE_MINUS}])[-−]|^[-−])?(?P<n>{_AR})(?P<mid>多|余)?(?P<scale>{_SCALE})?(?P<mid2>多|余)?"
            rf"(?:(?P<unit>{_UNIT}){_PER})?(?P<post>{_POST})?)",
            # a Chinese numeral with a unit: 三百亿元, 二十多个, 近百家, 两成
            rf"(?P<cn>(?P<c>{_CN}(?:点[{_CN_DIGIT}]+)?)(?P<c_mid>多|余)?(?P<c_scale>万亿|亿|万)?(?P<c_mid2>多|余)?"
            rf"(?P<c_unit>{_CN_UNIT}|成(?![为立功果本员绩都熟型就效交片套]))(?P<c_post>{_POST})?)",
        )
    )
    + ")"
)

_SHARED_POINTS = re.compile(r"[和、及与至到]\d+(?:\.\d+)?个?百分点")
_CLAUSE_END = re.compile(r"[，,；;：:、。！？!?\n（）()]")
_TERMINATOR = set("，,；;：:、。！？!?）)”\"’ \n的")
_NAME_GLUE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&+")

TARGET_CUE = re.compile(
    r"力争|(?<!在)确保|争取|力促|冲刺|预计|目标(?=[：:是为])|(?:预期|主要)(?:发展)?指标(?=[：:是为])|"
    r"(?:计划|拟|将|要|努力)(?=新增|完成|实现|建成|引进|开工|投产|达到|突破|超过|培育|创建|签约|带动|投入)|"
    r"年内|(?<![去上])年底前?|到年底|今年底"
)
#: An estimate of a result (预计全年增长8%): it ends the scope of a goal cue before it.
ESTIMATE_CUE = "预计"
_OPENS_BEFORE = re.compile(r"[“《「‘][^“”《》「」‘’。！？\n]*$")
_CLOSES_AFTER = re.compile(r"[^“”《》「」‘’。！？\n]*[”》」’]")
_LEAD_PUNCTUATION = " \t-—–~～·"
_ENUMERATORS = frozenset({"、", "和", "及", "与", "、和"})
_TIME_CUES = frozenset({"年内", "年底", "年底前", "到年底", "今年底"})
HORIZON_CUE = re.compile(r"全年|今年(?!以来|来)|年度")  # a goal only with 左右/以上 (全年…左右)
_HORIZON_QUALIFIERS = ("左右", "以上")
_RESULT_MARK = re.compile(r"已|目前|截至|累计")

_BASIS_WORDS = r"同比|环比|(?:比|较)(?:(?:去年|上年)(?:底|末|同期)?|年初|上月|上季度|[一二三四]季度|上半年|全年)?"
_DIRECTION = re.compile(
    rf"(?:(?P<basis>{_BASIS_WORDS})(?:分别|均|仍|也)?)?(?:高速|快速|稳步|持续|较快)?"
    rf"(?P<word>(?<=比)[增降]|增长率?|净增|增加|提高|提升|上升|上涨|拉动|扩大|增速|增幅|回升|加快|提速|"
    rf"下降|回落|减少|下滑|降低|下跌|收窄|缩小|降幅|放缓|减缓)(?:分别|均)?(?:为|达到|达|是|保持在|稳定在|控制在)?(?:了)?$"
)
_RATE_TO = re.compile(r"(?:增速|增幅|降幅)[^，。；、]{0,6}(?:至|到|为|在)$")
_DECREASE = ("降", "下降", "回落", "减少", "下滑", "降低", "下跌", "收窄", "缩小", "降幅", "放缓", "减缓")
_COMPARISON = re.compile(
    r"(?:分别|均)?(?P<basis>(?:高于|低于|快于|慢于|超出|领先|高出|低出)[^，。；]{0,14}|比[^，。；]{1,12}(?:高出?|低|快|慢|多|少))$"
)

_LEADING = re.compile(
    r"^(?:其中|全区|全市|全县|全省|全镇|本区|辖区|高新区|经开区|开发区|示范区|今年以来|年初以来|今年来|今年|"
    r"上半年|下半年|前三季度|第?[一二三四1-4]季度|\d{1,2}[-—–~至]\d{1,2}月份?|\d{4}年度?|\d{1,2}月份?|"
    r"连续[\d一二两三四五六七八九十]{1,2}年|"
    r"力争|确保|争取|预计|计划|目标|努力|全年(?!任务|目标|计划)|年内|年底前?|同时|此外|目前|已经|累计|共有|现有|"
    r"拥有|实现|完成(?!率)|居|位居|位列|名列|排在)+"
)
# Single characters that lead a phrase only as function words (对, 在, 到 ...) but also begin
# words (对外, 在建, 到位): jieba decides, on the few phrases that start with one.
_LEADING_SINGLE = frozenset("对在为将要到共已的有列和及与")
_TRAILING = re.compile(
    r"(?:同比|环比|(?:比|较)(?:去年|上年|年初)(?:同期)?|分别|均|高速|快速|稳步|持续|较快|"
    r"增长率?|增加|提高|提升|上升|下降|回落|减少|下滑|降低|增速|增幅|降幅|"
    r"为|达到|达|是|完成|实现|突破|超过|超|至|到|了|约|近|逾|共|累计|总计|合计|的|居|位居|位列|"
    r"稳定在|保持在|控制在|稳定|保持|在)+$"
)
_RANK_VERB = re.compile(r"位居|位列|名列|居")
_NOT_A_NAME = frozenset({"排名", "排"})
_RANK_TRIM = re.compile(r"^(?:进入|保持|迈入|跻身)+|(?:中排名|中排|中|进入|保持)$")
_FOLLOW_BREAK = frozenset(
    "和 与 及 以及 等 、 的 在 为 是 将 已 均 共 累计 分别 被 已经 , ， 。 ; ； ： : （ ( ） )".split()
)
_FOLLOW_VERBS = frozenset(
    "获批 获 给予 进行 开展 实现 完成 达到 入驻 落地 签约 参加 参与 通过 落户 开工 投产 竣工 上市 获得 "
    "获评 入选 建成 纳入 集中 实施 推进 认定 申报 达产 参会 出席 上门 对接 进驻 集聚 受益 覆盖 参展 "
    "办理 提供 成功 顺利 正式 全部 先后 陆续 相继".split()
)


class _Reading(NamedTuple):
    """What the acceptance step makes of one candidate match."""

    start: int
    end: int
    kind: str
    value: float | None
    unit: str
    scale: float
    base_unit: str
    qualifier: str = "exact"
    low: float | None = None
    high: float | None = None


# --- public ---------------------------------------------------------------------------------


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity mention of ``text`` (the cleaned text), time expressions included, in order.

    Works on a whole document or a short phrase ("GDP增长6.9%"): sentence and clause spans
    fall back to the whole string when it has no punctuation.
    """
    readings = [r for m in CANDIDATE.finditer(text) if (r := _read(text, m)) is not None]
    if not readings:
        return []
    sentence_ends = [m.end() for m in SENTENCE_END.finditer(text)]
    clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
    cues = [(m.end(), m.start(), m.group()) for m in TARGET_CUE.finditer(text)]
    cue_ends = [end for end, _, _ in cues]

    quantities: list[Quantity] = []
    previous_in_sentence: Quantity | None = None
    for index, reading in enumerate(readings, start=1):
        s_start, s_end = _span(sentence_ends, reading.start, len(text))
        c_start, _ = _span(clause_ends, reading.start, len(text))
        if previous_in_sentence is not None and previous_in_sentence.sentence_start != s_start:
            previous_in_sentence = None
        quantity = _describe(text, reading, index, (s_start, s_end), c_start, previous_in_sentence,
                             cues, cue_ends)
        quantities.append(quantity)
        if not quantity.is_time:
            previous_in_sentence = quantity
    return quantities


# --- acceptance: is this candidate a quantity, and what are its value and unit --------------


def _read(text: str, m: re.Match[str]) -> _Reading | None:
    group = m.lastgroup
    if group == "num":  # by far the most frequent
        return _read_number(text, m)
    start, end = m.start(), m.end()
    if group == "date":
        return _time(start, end, "date", None, "")
    if group == "period":
        return _time(start, end, "period", None, "")
    if group == "pct_cn":
        value = _cn_decimal(m.group("pc"))
        post = m.group("pc_post")
        qualifier = POST_QUALIFIERS[post] if post else _pre_qualifier(text, start)[1] or "exact"
        return None if value is None else _Reading(start, end, "percent", value, "%", 1.0, "%", qualifier)
    if group == "fraction":
        denominator, numerator = parse_chinese_number(m.group("f_den")), parse_chinese_number(m.group("f_num"))
        if not denominator or not numerator or numerator >= denominator:
            return None
        return _Reading(start, end, "percent", round(100 * numerator / denominator, 2), "%", 1.0, "%")
    if group == "rank":
        return _read_rank(text, m)
    if group == "topn":
        return _read_topn(text, m)
    if group == "fan":
        value = 2.0 ** (parse_chinese_number(m.group("fan_num")) or 1)
        return _Reading(start, end, "multiple", value, "倍", 1.0, "倍")
    if group == "range":
        return _read_range(text, m)
    if group == "cn_range":
        return _read_cn_range(text, m)
    return _read_chinese(text, m)


def _time(start: int, end: int, kind: str, value: float | None, unit: str) -> _Reading:
    return _Reading(start, end, kind, value, unit, 1.0, unit)


def _is_name_context(text: str, start: int, end: int) -> bool:
    """Letters glued to the digits make a name or code: 5G, 3D, R2, PM2.5, B2B."""
    return (start > 0 and text[start - 1] in _NAME_GLUE) or (end < len(text) and text[end] in _NAME_GLUE)


def _read_number(text: str, m: re.Match[str]) -> _Reading | None:
    start, end = m.start(), m.end()
    unit, scale_word = m.group("unit"), m.group("scale") or ""
    if _is_name_context(text, start, end):
        return None
    value = _arabic(m.group("n"))
    if m.group("sign"):
        value = -value
    if unit is None:
        # A bare number names or numbers something (500强, 365, 12345热线); only 30万 with a
        # scale and a clause end after it still quantifies.
        if not scale_word or m.group("post") is None and end < len(text) and text[end] not in _TERMINATOR:
            return None
        return _Reading(start, end, "count", value, scale_word, SCALES[scale_word], "", _qualifier(text, start, m))
    kind = UNITS[unit]
    if kind is None:
        return None
    if kind in ("date", "period"):
        return _read_time_unit(start, end, value, unit, scale_word, m)
    if _in_short_quote(text, start, end):
        return None
    if unit in ("%", "％"):
        unit = "%"
    elif unit == "个" and _SHARED_POINTS.match(text, end):
        kind, unit = "percentage_point", "个百分点"  # 10个和5个百分点: the unit is written once
    unit += m.group("per") or ""  # 35万元/亩: the rate keeps its denominator
    return _Reading(start, end, kind, value, scale_word + unit, SCALES.get(scale_word, 1.0), unit,
                    _qualifier(text, start, m))


def _arabic(number: str) -> float:
    return float(number.replace(",", "").replace("．", "."))


def _read_time_unit(start: int, end: int, value: float, unit: str, scale_word: str,
                    m: re.Match[str]) -> _Reading | None:
    if scale_word or m.group("mid") or m.group("mid2"):
        return None
    if unit in ("年", "年度"):
        if 1900 <= value <= 2100 and value.is_integer():
            return _time(start, end, "year", value, unit)
        return _time(start, end, "period", value, unit)
    if unit in ("月", "月份"):
        return _time(start, end, "date", value, unit) if 1 <= value <= 12 else None
    if unit == "日":
        return _time(start, end, "date", value, unit) if 1 <= value <= 31 else None
    return _time(start, end, "period", value, unit)


def _qualifier(text: str, start: int, m: re.Match[str], prefix: str = "") -> str:
    """From the words inside (多/余), right after (左右/以上) or right before (约/超过) the number."""
    post = m.group(prefix + "post")
    if post:
        return POST_QUALIFIERS[post]
    if m.group(prefix + "mid") or m.group(prefix + "mid2"):
        return "more_than"
    return _pre_qualifier(text, start)[1] or "exact"


def _pre_qualifier(text: str, start: int) -> tuple[int, str | None]:
    """(start of the qualifier word, qualifier) for a word written right before ``start``."""
    if not start or text[start - 1] not in _PRE_QUALIFIER_LAST:
        return start, None
    for length in (3, 2, 1):
        qualifier = _PRE_QUALIFIER_OF.get(text[start - length:start]) if start >= length else None
        if qualifier:
            return start - length, qualifier
    return start, None


def _read_range(text: str, m: re.Match[str]) -> _Reading | None:
    start, end = m.start(), m.end()
    if _is_name_context(text, start, end):
        return None
    low, high = _arabic(m.group("r_lo")), _arabic(m.group("r_hi"))
    unit = m.group("r_lo_unit") or m.group("r_unit")
    scale_word = m.group("r_lo_scale") or m.group("r_scale") or ""
    kind = UNITS[unit]
    if kind is None:
        return None
    if kind in ("date", "period"):
        return None if scale_word else _time(start, end, "period", None, unit)
    if low >= high or _in_short_quote(text, start, end):
        return None
    unit = "%" if unit == "％" else unit
    return _Reading(start, end, kind, low, scale_word + unit, SCALES.get(scale_word, 1.0), unit,
                    "range", low, high)


def _read_cn_range(text: str, m: re.Match[str]) -> _Reading | None:
    low, high = parse_chinese_number(m.group("cr_lo")), parse_chinese_number(m.group("cr_hi"))
    if low is None or high is None or low >= high or _in_short_quote(text, m.start(), m.end()):
        return None
    unit, scale_word = m.group("cr_unit"), m.group("cr_scale") or ""
    return _Reading(m.start(), m.end(), UNITS[unit] or "count", low, scale_word + unit,
                    SCALES.get(scale_word, 1.0), unit, "range", low, high)


def _in_short_quote(text: str, start: int, end: int, limit: int = 12) -> bool:
    """“1个中心、3个基地”, “二十条”, 《10条措施》: a figure inside a short quotation or title names a
    slogan or a document. Quoted speech runs longer and keeps its figures."""
    return (_OPENS_BEFORE.search(text, max(0, start - limit), start) is not None
            and _CLOSES_AFTER.match(text, end, end + limit) is not None)


def _read_chinese(text: str, m: re.Match[str]) -> _Reading | None:
    """A Chinese numeral with a unit counts only where the genre uses it to quantify."""
    start, end = m.start(), m.end()
    numeral, unit = m.group("c"), m.group("c_unit")
    scale_word = m.group("c_scale") or ""
    value = _cn_decimal(numeral)
    if not value or _in_short_quote(text, start, end):
        return None  # 破零倍增: zero is no figure here
    has_inner = bool(m.group("c_mid") or m.group("c_mid2"))
    _, pre = _pre_qualifier(text, start)
    if unit == "成":
        if len(numeral) != 1 or numeral in "零〇" or scale_word:
            return None
        if not (pre or m.group("c_post") or has_inner or end >= len(text) or text[end] in _TERMINATOR
                or text[max(0, start - 2):start].endswith(("占", "达", "有", "提高", "增长", "下降"))):
            return None
        return _Reading(start, end, "percent", value * 10, "%", 1.0, "%", _qualifier(text, start, m, "c_"))
    qualified = bool(pre or has_inner or m.group("c_post"))
    if numeral in ("十", "百", "千") and not qualified:
        return None  # 千家万户, 十项措施, 千亿元产业: a round word, not a figure
    kind = UNITS[unit] or "count"
    if kind == "count" and not qualified:
        # 六个特点, 十项重点工作, 三个一批, 一个部门: Chinese numerals before a measure word are
        # rhetoric in the genre, unless a counting verb precedes them (新增两家, 引进十二个项目)
        # or they close the clause as its figure (新增入规企业二十一家。)
        if numeral in ("一", "零", "〇"):
            return None
        closes_clause = end >= len(text) or text[end] in _TERMINATOR
        if not closes_clause and not text[max(0, start - 3):start].endswith(COUNT_VERBS):
            return None
        if end < len(text) and text[end] in _CN_DIGIT + "大":
            return None
    elif kind == "amount" and numeral == "一" and not scale_word:
        return None  # 一亩三分地, 一米阳光
    return _Reading(start, end, kind, value, scale_word + unit, SCALES.get(scale_word, 1.0), unit,
                    _qualifier(text, start, m, "c_"))


def _cn_decimal(words: str) -> float | None:
    """五点二 = 5.2, 百分之十二点五 = 12.5: the part after 点 is read digit by digit."""
    whole, _, decimals = words.partition("点")
    value = parse_chinese_number(whole)
    if value is None or any(char not in DIGITS for char in decimals):
        return None
    return value + (float("0." + "".join(str(DIGITS[char]) for char in decimals)) if decimals else 0.0)


def _ordinal_value(numeral: str) -> float | None:
    return float(numeral) if numeral.isdigit() else parse_chinese_number(numeral)


def _read_rank(text: str, m: re.Match[str]) -> _Reading | None:
    """第23位, 排名第三, 居全市第一: a position. 第一产业, 第三方, 第一个 name things instead."""
    start, end = m.start(), m.end()
    value = _ordinal_value(m.group("rank_num"))
    if value is None or value == 0:
        return None
    unit = m.group("rank_unit")
    clause = _clause_before(text, start)
    if unit:
        if clause.endswith(("放在", "摆在", "放到", "摆到")):
            return None  # 把安全放在第一位: a priority, not a position
        if end < len(text) and text[end] not in _TERMINATOR and not RANK_CONTEXT.search(clause):
            return None  # 第一位院士: an ordinal naming someone
    else:
        if end < len(text) and text[end] not in _TERMINATOR:
            return None
        if not RANK_CONTEXT.search(clause):
            return None
    return _Reading(start, end, "rank", value, unit or "名", 1.0, unit or "名")


def _read_topn(text: str, m: re.Match[str]) -> _Reading | None:
    """前70名, 保持前三: a band of positions; 前两年, 前5个 are time or ordinals."""
    start, end = m.start(), m.end()
    value = _ordinal_value(m.group("topn_num"))
    if value is None or value == 0:
        return None
    unit = m.group("topn_unit")
    if not unit:
        if end < len(text) and text[end] not in _TERMINATOR:
            return None
        if not TOPN_CONTEXT.search(_clause_before(text, start)):
            return None
    return _Reading(start, end, "top_n", value, unit or "名", 1.0, unit or "名")


def _clause_before(text: str, start: int, limit: int = 30) -> str:
    window = text[max(0, start - limit):start]
    cut = max(window.rfind(c) for c in "，,；;。！？!?\n：:")
    return window[cut + 1:]


# --- description: sentence, direction, basis, indicator, target ------------------------------


def _span(ends: list[int], position: int, length: int) -> tuple[int, int]:
    """The [start, end) of the unit (sentence or clause) holding ``position``."""
    i = bisect_right(ends, position)
    start = ends[i - 1] if i else 0
    end = ends[i] if i < len(ends) else length
    return start, end


def _describe(text: str, r: _Reading, index: int, sentence: tuple[int, int], clause_start: int,
              previous: Quantity | None, cues: list[tuple[int, int, str]], cue_ends: list[int]) -> Quantity:
    fields: dict[str, object] = {}
    if r.kind not in ("date", "period", "year"):
        fields = _context(text, r, sentence, clause_start, previous, cues, cue_ends)
    scaled = r.value
    if scaled is not None and r.scale != 1.0:
        scaled = float(f"{scaled * r.scale:.15g}")  # 85.6亿 is 8560000000, not 8559999999.999999
    return Quantity(
        id=f"q{index}", text=text[r.start:r.end], start=r.start, end=r.end,
        sentence_start=sentence[0], sentence_end=sentence[1], kind=r.kind,  # type: ignore[arg-type]
        value=r.value, unit=r.unit, scaled_value=scaled, base_unit=r.base_unit,
        qualifier=r.qualifier, low=r.low, high=r.high, **fields,  # type: ignore[arg-type]
    )


def _context(text: str, r: _Reading, sentence: tuple[int, int], clause_start: int,
             previous: Quantity | None, cues: list[tuple[int, int, str]], cue_ends: list[int]) -> dict[str, object]:
    lead_start = max(clause_start, previous.end) if previous else clause_start
    qualifier_start, _ = _pre_qualifier(text, r.start)
    lead = text[lead_start:qualifier_start].strip(_LEAD_PUNCTUATION)
    direction, basis, name_part = None, None, lead
    if r.kind not in ("rank", "top_n"):
        found = _DIRECTION.search(lead, max(0, len(lead) - 16))  # the change words end the lead
        if found:
            if r.value is None or r.value >= 0:  # 增速-3.2%: the sign already says it
                direction = "decrease" if found.group("word").startswith(_DECREASE) else "increase"
            basis = found.group("basis")
            name_part = lead[:found.start()]
        elif (rate := _RATE_TO.search(lead, max(0, len(lead) - 10))) is not None:
            direction = "decrease" if rate.group().startswith("降幅") else "increase"  # 增速回升至8%
        elif (comparison := _COMPARISON.search(lead)) is not None:
            basis = comparison.group("basis")  # 高于全市5.1个百分点: compared with, not a change
            name_part = lead[:comparison.start()]
        elif previous is not None and previous.end > sentence[0] and text[previous.end:qualifier_start] in _ENUMERATORS:
            direction, basis = previous.direction, previous.basis  # 分别增长3.1%、8.2%和6.5%
    indicator = _indicator(text, r, name_part, previous, sentence[0], clause_start)
    cue = _target_cue(text, r, sentence, clause_start, cues, cue_ends)
    return {"direction": direction, "basis": basis, "indicator": indicator,
            "is_target": cue is not None, "target_cue": cue}


def _indicator(text: str, r: _Reading, lead: str, previous: Quantity | None,
               sentence_start: int, clause_start: int) -> str | None:
    """The metric phrase: the clause before the number, or the noun after a count (5家公司).

    An empty clause ("同比增长7.5%", "居全市第一") borrows from the mention before it in the
    sentence, or else from the clause before ("工业投资高速增长,完成45.56亿元")."""
    if r.kind == "count":
        following = _following_noun(text, r.end)
        if following:
            return following
    if r.kind == "rank":
        lead = _RANK_VERB.split(lead)[0]  # 增速居全市第2位: what ranks comes before 居
    name = _strip_lead(lead, r.kind)
    if name and name not in _NOT_A_NAME:
        return name
    if previous is not None:
        return previous.indicator
    if clause_start > sentence_start:
        before = _clause_before(text, clause_start - 1)
        return _strip_lead(before, r.kind) or None
    return None


def _strip_lead(lead: str, kind: str) -> str:
    name = lead
    while True:
        trimmed = _LEADING.sub("", name)
        tail = _TRAILING.search(trimmed, max(0, len(trimmed) - 12))  # trailing words are short
        if tail:
            trimmed = trimmed[:tail.start()]
        if trimmed[:1] in _LEADING_SINGLE:
            trimmed = _drop_function_word(trimmed)
        if kind in ("rank", "top_n"):
            trimmed = _RANK_TRIM.sub("", trimmed)
        if trimmed == name:
            return name
        name = trimmed


@lru_cache(maxsize=4096)
def _drop_function_word(phrase: str) -> str:
    first = dictionary_words(phrase)[0]
    return phrase[1:] if first == phrase[0] else phrase




def _following_noun(text: str, end: int) -> str | None:
    """The noun a count is written before (252家重点企业), or None when a clause or verb follows."""
    if text.startswith("的", end):
        end += 1
    raw = text[end:end + 12]
    window = _CLAUSE_END.split(raw, maxsplit=1)[0]
    if not window or not ("\u4e00" <= window[0] <= "\u9fff") or window[0] in "的和与及等获给在为是将已均共":
        return None
    return _noun_prefix(window, truncated=window == raw and end + 12 < len(text)) or None


@lru_cache(maxsize=4096)
def _noun_prefix(window: str, truncated: bool) -> str:
    """The words of ``window`` up to the first conjunction or verb. A verb may lead as a modifier
    (上市企业) but is no noun alone (3家落户); a word cut by the window's edge is dropped."""
    words: list[str] = []
    for word in dictionary_words(window):
        if word in _FOLLOW_BREAK or not ("\u4e00" <= word[0] <= "\u9fff" or word[0].isalnum()):
            break
        if word in _FOLLOW_VERBS and words:
            break
        words.append(word)
    else:
        if truncated and len(words) > 1:
            words.pop()
    if len(words) == 1 and words[0] in _FOLLOW_VERBS:
        return ""
    return "".join(words)


def _target_cue(text: str, r: _Reading, sentence: tuple[int, int], clause_start: int,
                cues: list[tuple[int, int, str]], cue_ends: list[int]) -> str | None:
    """The goal word governing the mention: the last cue before it in its sentence (across colons
    and enumerations), unless its own clause marks a result (已, 目前, 截至, 累计).

    计划 counts only as a verb of intent (计划新增50家); 年度计划投资124.26亿元 names a planned
    amount that the text reports as a fact, so it is no target. 全年/今年 make a goal only with 左右
    or 以上 written after the figure; 完成/达到 alone report a result (完成全年任务的300%)."""
    i = bisect_right(cue_ends, r.start)
    if i and cues[i - 1][1] >= sentence[0]:
        if _RESULT_MARK.search(text, clause_start, r.start):
            return None
        latest = cues[i - 1][2]
        if latest == ESTIMATE_CUE:
            return None  # 预计: an estimate of a result, not a goal
        if latest in _TIME_CUES and i > 1 and cues[i - 2][0] > clause_start and cues[i - 2][2] not in _TIME_CUES:
            return cues[i - 2][2]  # 确保年底交付: the verb of will beats the date in its clause
        return latest
    if text.endswith(_HORIZON_QUALIFIERS, r.start, r.end):
        horizon = None
        for horizon in HORIZON_CUE.finditer(text, sentence[0], r.start):
            pass
        if horizon is not None and not _RESULT_MARK.search(text, horizon.end(), r.start):
            return horizon.group()
    goal = text.find("目标", r.end, sentence[1])  # 增长10%左右的目标
    if goal != -1 and not text.startswith("目标任务", goal) and not _CLAUSE_END.search(text, r.end, goal):
        return "目标"
    return None

