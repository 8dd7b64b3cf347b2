"""The pre-extractor: every quantity the text states, typed, with exact spans.

It is the project's ground truth for "which numbers does this document state", so it favours
precision: a number needs a unit, a rank or a percent form to count, and Chinese numerals count
only in the forms where the genre uses them to quantify (三百亿元, 百分之三十, 两成, 居全市第一,
前二十名, 近百家). Time expressions come out too, with time kinds, so that nothing else claims them.

How it works: one compiled regular expression finds every candidate in a single pass (dates and
periods first, then ranks, percents, ranges and numbers with units, longest unit first); a small
acceptance step per candidate rejects names and rhetoric; then each accepted mention gets its
qualifier, direction, basis, indicator and target cue from its clause and sentence.

Numbers are read by one grammar, :func:`summarizer.numerals.read_numeral`, whatever their script:
Arabic and Chinese digits mixed with 十/百/千/万/亿 (2亿5千万元, 5万4千6百人, 五亿零六万元, 一万三),
estimates and floors (三四个, 二十几万人, 十多万, 上千家), magnitudes (数十个: no value, see
``value_note``). The value is stated in the unit as written, and the unit keeps the scale word
written last (2亿5千万元 is 25000 of 万元; ``scaled_value`` is always the whole 250000000).

Readings worth knowing:

* durations written with Arabic digits (持续6个月, 60天, 连续5年) are quantities of kind ``amount``
  in their time unit; a calendar year, a month, a day and 前5个月 stay time kinds;
* 千分之二点四 is 2.4 ‰ and 万分之三 3 ‱ (kind percent); N成 and N折 are percents (两成 = 20%);
* a rank written in Chinese numerals keeps the scope written before it (全省第三, 合肥市第一,
  居全省首位 -> 全省首位): 第一 alone is also the word "first", and the scope is what makes it a
  position; the city-wide frame 全市 stays outside, as in the labelling rules (居全市第一 -> 第一);
  Arabic ranks (第5位) are unambiguous and keep the bare ordinal;
* a bare number before an enumerator takes the unit written once at the end of its list
  (1.7、1.3个百分点; 3、5、8家);
* a minus is 负 or a dash after a rate word (增速-3.2%, 负1.5%).

Hand-written rules vs libraries: the number grammar, units and cues are regular expressions over
small closed lexicons (fast, and every decision is visible and testable); numerals go through
:mod:`summarizer.numerals` (tested against cn2an). jieba is used only where a word boundary
decides the answer and a lexicon cannot, on windows of a few characters: cutting the noun phrase
that follows a count ("252家重点企业和51个重点项目" -> 重点企业 / 重点项目) and telling a leading
function word from a word start (对重点企业 vs 对外贸易, 到位资金, 在建项目). Segmenting whole
documents would cost most of the 2 MB/s budget.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import NamedTuple

from summarizer.numerals import DIGITS, Numeral, parse_chinese_number, read_numeral
from summarizer.schema import Quantity, trusted_constructor
from summarizer.text.sentences import SENTENCE_END
from summarizer.text.words import words as dictionary_words

__all__ = ["extract_quantities", "parse_chinese_number"]

#: Why a candidate got no value, or was dropped although it looked like a number (debug level).
LOG = logging.getLogger(__name__)

# --- lexicons -------------------------------------------------------------------------------

SCALES: dict[str, float] = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8,
    "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3,
}
CURRENCIES = (
    "元", "人民币", "美元", "美金", "欧元", "英镑", "日元", "港元", "港币", "澳门元", "澳元", "加元", "新加坡元",
    "新西兰元", "瑞士法郎", "法郎", "卢布", "韩元", "新台币", "台币", "泰铢", "卢比", "林吉特", "越南盾", "印尼盾",
    "比索", "里拉", "克朗", "兰特", "迪拉姆",
)
DIMENSIONS = (
    # length, area, volume
    "公里", "千米", "米", "延米", "分米", "厘米", "毫米", "微米", "纳米", "英里", "英尺", "英寸", "海里", "光年",
    "平方公里", "平方千米", "平方米", "平米", "平方分米", "平方厘米", "平方毫米", "平方英里", "平方英尺", "平方英寸",
    "公顷", "亩", "英亩", "立方米", "立方千米", "立方厘米", "立方英尺", "毫升", "加仑", "桶",
    # mass
    "吨", "公斤", "千克", "克", "毫克", "斤", "磅", "盎司", "克拉", "吨标准煤", "吨标煤",
    # energy, power, electricity, pressure, temperature
    "千瓦时", "兆瓦时", "吉瓦时", "瓦时", "千瓦", "兆瓦", "吉瓦", "瓦", "度", "千伏安", "兆伏安", "千伏", "伏",
    "千焦", "焦耳", "千卡", "大卡", "马力", "千帕", "兆帕", "摄氏度", "华氏度", "℃",
    # freight, age, data
    "标准箱", "标箱", "TEU", "岁", "周岁", "字节",
)
COUNT_UNITS = (
    "个", "家", "项", "人次", "户次", "车次", "架次", "辆次", "家次", "人", "名", "位", "台套", "台",
    "栋", "幢", "户", "张", "套", "所", "批", "场", "次", "辆", "座", "条", "间", "处", "件",
    "宗", "例", "支", "架", "艘", "株", "棵", "只", "头", "篇", "部", "款", "种", "块", "份",
    "本", "册", "根", "床", "笔", "颗", "枚", "层", "标段", "场次", "批次", "班次", "个位次", "个点位",
)
#: Time units that measure a length of time (持续6个月): a duration, not a date or a period.
DURATION_UNITS = frozenset({"个月", "天", "小时", "周", "个工作日", "工作日", "分钟"})
# Unit as written (without scale) -> kind. Time units give time kinds; None rejects the mention.
UNITS: dict[str, str | None] = {
    **dict.fromkeys(("%", "％", "‰", "‱"), "percent"),
    **dict.fromkeys(("个百分点", "百分点"), "percentage_point"),
    "倍": "multiple",
    **dict.fromkeys(CURRENCIES + DIMENSIONS, "amount"),
    **dict.fromkeys(COUNT_UNITS, "count"),
    **dict.fromkeys(("年度", "年", "月份", "月", "日"), "date"),
    **dict.fromkeys((*DURATION_UNITS, "季度"), "period"),
    "周年": None,
}
# Units a Chinese numeral may carry: no time units (百日, 三年 are phrases, not figures).
CN_UNITS = [u for u, kind in UNITS.items() if kind in ("amount", "count", "percentage_point", "multiple")]

APPROX_BEFORE = ("大约", "约为", "约合", "约", "大概", "将近", "接近", "近")
MORE_BEFORE = ("超过", "超", "逾", "突破", "多达", "不少于", "不低于", "至少", "多于", "大于")
LESS_BEFORE = ("不到", "不足", "少于", "不超过", "至多", "最多", "小于")
PRE_QUALIFIERS: list[tuple[str, str]] = sorted(
    [(w, "approx") for w in APPROX_BEFORE]
    + [(w, "more_than") for w in MORE_BEFORE]
    + [(w, "less_than") for w in LESS_BEFORE],
    key=lambda pair: -len(pair[0]),
)
_PRE_QUALIFIER_OF = dict(PRE_QUALIFIERS)
_PRE_QUALIFIER_LAST = frozenset(word[-1] for word in _PRE_QUALIFIER_OF)
POST_QUALIFIERS = {
    "左右": "approx", "上下": "approx", "以上": "more_than", "及以上": "more_than", "以下": "less_than",
    "及以下": "less_than", "以内": "less_than",
}

# Verbs right before a single Chinese digit that make it a count ("新增两家"), not an article.
COUNT_VERBS = (
    "新增", "引进", "签约", "建成", "新建", "落地", "获批", "培育", "认定", "创建", "实施", "开工",
    "竣工", "投产", "达到", "达", "共", "累计", "共计", "合计", "拥有", "新培育", "入选", "增加", "共有",
)
RANK_CONTEXT = re.compile(r"居|排名|排在|排|位列|名列|列|位次|获得|荣获|全市|全省|全国|全区|全县|省内|市内|榜")
TOPN_CONTEXT = re.compile(r"进入|保持|迈入|跻身|位居|稳居|居|排名|排|挺进|列|全市|全省|全国")
#: 首位 and 榜首 are rank 1 after a verb of ranking (居全市首位, 位居榜首), never as a word (首位理念).
_FIRST_PLACE_VERB = re.compile(r"(?:居|位列|名列|列|排名|排在|跃升|升至|保持|跻身)[^\W\d_]{0,12}$")
#: The scope of a rank written in Chinese numerals (居全省第一, 总额全省第三, 位居合肥市四大开发区第一).
_RANK_SCOPE = re.compile(
    r"(?:居|列|排名|排在|升至|升到|跃升|保持)(?P<after>[^\W\d_居列排升]{1,12}?[省市区县州国盟类组])$"
    r"|(?P<own>全[省国区县州盟])$"
)
_DEFAULT_SCOPE = "全市"
# 第20位上升到第16位: a position moving is a rank, whatever the clause says.
_RANK_MOVE = re.compile(r"上升|下降|提升|前移|后移|跃升|升至|降至|升到|降到|进位|退位")


#: A trie of words: each character leads to the words' rest; the key "" marks where a word ends.
_Trie = dict[str, "_Trie"]


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    """A regex matching any of ``words``, the longest first, as a trie: a few character tests
    instead of one per word (the unit list is long and tried after every number)."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_UNIT = _alternation(list(UNITS)) + r"|升(?![至到为级高温值格])"
_CN_UNIT = _alternation(CN_UNITS) + r"|升(?![至到为级高温值格])"
_SCALE = _alternation(list(SCALES))
_PER = r"(?P<per>/(?:人|户|年|月|天|亩|平方米|平米|吨|公斤|千克|小时|秒|辆|次|千瓦时|度|股))?"
_AR = r"\d{1,3}(?:,\d{3})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?"  # ． : a full-width point the cleaner missed
_CN_DIGIT = "零〇一二两三四五六七八九"
_CN = f"[{_CN_DIGIT}十百千](?:[{_CN_DIGIT}十百千万亿]*[{_CN_DIGIT}十百千])?"
# 十/百/千/万/亿 inside a numeral, unless they begin the unit (千米, 千瓦, 百分点, 万分之)
_PLACE = r"(?:十|百(?!分)|千(?![米瓦克伏焦卡帕])|[万亿](?!分之))"
#: An Arabic number with places and scales mixed in: 302.3, 1.5万, 3000多万, 2亿5千万, 5万4千6百
_AR_NUMERAL = rf"(?:{_AR})(?:[多余]?{_PLACE}+(?:零?(?:{_AR}))?)*[多余]?"  # not 5万一次性: Arabic digits only
#: A Chinese numeral: 三百, 两万三千, 五亿零六万, 二十几万, 十多万, 三点五, 上千, 数十, 三四
_CN_NUMERAL = (rf"(?:[上数](?={_PLACE}))?(?:[{_CN_DIGIT}几]|十|百(?!分)|千(?![米瓦克伏焦卡帕]))"
               rf"(?:[{_CN_DIGIT}几多余]|点(?=[{_CN_DIGIT}])|{_PLACE})*")
#: 成 and 折 after a numeral are rates (两成 = 20%, 八折 = 80%), not words (成为, 折合).
_RATE = r"成(?![为立功果本员绩都熟型就效交片套群倍批长年家品才事像])|折(?![合算旧射叠腾扣磨])"
_SEP = r"[^\S\n]?[-—–~～至到][^\S\n]?"  # never across a line
_POST = _alternation([w for w in POST_QUALIFIERS if w != "上下"]) + r"|上下(?=[，,；;。！？!?、）)\n]|$)"  # not 上下游
_BARE_END = "，,；;。！？!?、）)\n的"

# A minus sign follows a rate word or punctuation; after a unit or a digit a dash is a range
# or a code (2亿元-3万元, 0734-8888).
_BEFORE_MINUS = "长速幅为是达至到比率值：:，,（( \\n"
# Every alternative starts with one of these: the lookahead lets the engine skip the rest of the
# text at C speed (three times faster than trying each alternative at every position).
_FIRST_CHARS = f"\\d\\-−第前百翻上下今年{_CN_DIGIT}十千万首榜数几负"
CANDIDATE = re.compile(
    f"(?=[{_FIRST_CHARS}])(?:"
    + "|".join(
        (
            # timestamps and dates first: 2022-08-05 08:43, 2022年8月5日, 8月11日, 9:30
            r"(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}日?(?:\s?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
            r"|(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?(?!份)|\d{1,2}[:：]\d{2})",
            # ranges: 10-15%, 10%-15%, 5—10亿元, 1—6月 (a period), 2021—2025年
            # (a scale or unit written on both ends must be the same: 3万-5万元, 10亿元-15亿元,
            # never 2亿元-3万元)
            rf"(?P<range>(?P<r_lo>{_AR})(?P<r_lo_scale>{_SCALE})?(?P<r_lo_unit>{_UNIT})?{_SEP}(?P<r_hi>{_AR})"
            rf"(?(r_lo_scale)(?P=r_lo_scale)|(?(r_lo_unit)|(?P<r_scale>{_SCALE})?))(?(r_lo_unit)(?P=r_lo_unit)|(?P<r_unit>{_UNIT}))"
            rf"(?P<r_post>{_POST})?)",
            # an Arabic number: 302.3亿元, 40多个, 300余家, 3000多万元, 2亿5千万元, 100台以上, -3.2%
            rf"(?P<num>(?P<sign>(?<=[{_BEFORE_MINUS}])[-−]|^[-−]|负(?=\d))?(?P<n>{_AR_NUMERAL})"
            rf"(?:(?P<unit>{_UNIT}|{_RATE}){_PER})?(?P<post>{_POST})?)",
            # periods named in words: 上半年, 三季度, 前三季度, 第二季度, 今年以来, 前5个月
            r"(?P<period>前[一二三]季度|第?[一二三四1-4]季度|[上下]半年|今年以来|年初以来|今年来"
            r"|前\d{1,2}个?月|前[一二三四五六七八九十]{1,2}个月)",
            r"(?P<fraction>(?P<f_den>[一二两三四五六七八九十])分之(?P<f_num>[一二两三四五六七八九]))",
            # 百分之三十, 千分之二点四, 万分之三
            rf"(?P<pct_cn>(?P<pc_den>[百千万])分之(?P<pc>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)(?P<pc_post>{_POST})?)",
            rf"(?P<rank>第(?P<rank_num>\d+|[一二三四五六七八九十]+)(?P<rank_unit>名|位)?)",
            r"(?P<first>首位次?|榜首)",
            rf"(?P<topn>前(?P<topn_num>\d+|[一二三四五六七八九十百]+)(?P<topn_unit>名|位|强)?)",
            rf"(?P<fan>翻(?P<fan_num>[一两三])番)",
            rf"(?P<cn_range>(?P<cr_lo>{_CN}){_SEP}(?P<cr_hi>{_CN})(?P<cr_scale>万亿|亿|万)?(?P<cr_unit>{_CN_UNIT}|{_RATE}))",
            # a Chinese numeral with a unit, or with a scale at a clause end: 三百亿元, 二十多个,
            # 近百家, 两成, 三四个, 两万三千人, 十多万。
            rf"(?P<cn>(?P<c>{_CN_NUMERAL})(?:(?P<c_unit>{_CN_UNIT}|{_RATE})|(?=(?:{_POST})?(?:[{_BARE_END}]|$)))"
            rf"(?P<c_post>{_POST})?)",
        )
    )
    + ")"
)

_SHARED_POINTS = re.compile(r"[和、及与至到]\d+(?:\.\d+)?个?百分点")
#: The unit written once at the end of a list of bare numbers: 1.7、1.3个百分点, 3、5、8家.
_SHARED_UNIT = re.compile(rf"(?:(?:、|和|及|与|或)(?:{_AR}))+(?P<scale>{_SCALE})?(?P<unit>{_UNIT})")
_CLAUSE_END = re.compile(r"[，,；;：:、。！？!?\n（）()]")
_TERMINATOR = set("，,；;：:、。！？!?）)”\"’ \n的")
_NAME_GLUE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&+")

TARGET_CUE = re.compile(
    r"(?=[力确争冲预目主计拟将要努年到今])(?:"  # the first characters: the engine skips the rest fast
    r"力争|(?<!在)确保|争取|力促|冲刺|预计|目标(?=[：:是为])|(?:预期|主要)(?:发展)?指标(?=[：:是为])|"
    r"(?:计划|拟|将|要|努力)(?=新增|新开工|新建|完成|实现|建成|引进|开工|实施|启动|投产|达到|突破|超过|培育|创建|签约|带动|投入)|"
    r"年内|(?<![去上])年底前?|到年底|今年底)"
)
#: An estimate of a result (预计全年增长8%): it ends the scope of a goal cue before it.
ESTIMATE_CUE = "预计"
#: ...unless a modal of possibility says it is a forecast (预计全年可达, 预计将突破): what the period
#: is expected to reach is not yet a result, so it is read as an expected figure, a target.
_FORECAST_MODAL = re.compile(r"(?:可望|可以|能够|(?<![许认])可|将)(?:达到?|实现|完成|突破|超过|超|增长|提高|提升)(?:到|至)?$")
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
    rf"(?P<word>(?<=比)[增降]|负增长|增长率?|净增|增加|提高|提升|上升|上涨|拉动|扩大|增速|增幅|回升|加快|提速|"
    rf"下降|回落|减少|下滑|降低|下跌|收窄|缩小|降幅|放缓|减缓)(?:分别|均)?(?:为|达到|达|是|保持在|稳定在|控制在)?(?:了)?$"
)
#: The characters a lead can end with when _DIRECTION matches it (checked before searching).
_DIRECTION_LAST = frozenset("长率增加高升涨动大速幅快降落少滑低跌窄小缓别均为到达是在了")
_RATE_TO = re.compile(r"(?:增速|增幅|降幅)[^，。；、]{0,6}(?:至|到|为|在)$")
_DECREASE = ("负增长", "降", "下降", "回落", "减少", "下滑", "降低", "下跌", "收窄", "缩小", "降幅", "放缓", "减缓")
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
    r"负?增长率?|增加|提高|提升|上升|下降|回落|减少|下滑|降低|增速|增幅|降幅|"
    r"为|达到|达|是|完成|实现|突破|超过|超|至|到|了|约|近|逾|共|累计|总计|合计|的|居|位居|位列|"
    r"稳定在|保持在|控制在|稳定|保持|在|连续|历时|为期|长达|用时|仅用)+$"
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
    reason: str | None = None  # why there is no value (the mention's value_note)
    bare_start: int | None = None  # where the number itself starts, when the surface took a word before it


# --- public ---------------------------------------------------------------------------------


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity mention of ``text`` (the cleaned text), time expressions included, in order.

    Works on a whole document or a short phrase ("GDP增长6.9%"): sentence and clause spans
    fall back to the whole string when it has no punctuation.
    """
    return _extract(text)


def _extract(text: str) -> list[Quantity]:
    readings = [r for m in CANDIDATE.finditer(text)
                if (r := _read_number(text, m) if m.lastgroup == "num" else _read(text, m)) is not None]
    if not readings:
        return []
    for i in range(1, len(readings)):
        bare_start = readings[i].bare_start
        if readings[i].start < readings[i - 1].end and bare_start is not None:
            readings[i] = readings[i]._replace(start=bare_start)  # the word before was taken
    sentence_ends = [m.end() for m in SENTENCE_END.finditer(text)]
    clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
    cues = [(m.end(), m.start(), m.group()) for m in TARGET_CUE.finditer(text)]
    cue_ends = [end for end, _, _ in cues]

    found: list[Quantity] = []
    previous_in_sentence: Quantity | None = None
    length = len(text)
    n_sentences = len(sentence_ends)
    for index, reading in enumerate(readings, start=1):
        i = bisect_right(sentence_ends, reading.start)
        s_start = sentence_ends[i - 1] if i else 0
        s_end = sentence_ends[i] if i < n_sentences else length
        i = bisect_right(clause_ends, reading.start)
        c_start = clause_ends[i - 1] if i else 0
        if previous_in_sentence is not None and previous_in_sentence.sentence_start != s_start:
            previous_in_sentence = None
        quantity = _describe(text, reading, index, (s_start, s_end), c_start, previous_in_sentence,
                             cues, cue_ends)
        found.append(quantity)
        if reading.kind not in _TIME_KINDS:
            previous_in_sentence = quantity
        if reading.reason is not None and LOG.isEnabledFor(logging.DEBUG):
            LOG.debug("%s at %d: no value: %s", quantity.text, quantity.start, reading.reason)
    return found


_TIME_KINDS = frozenset({"date", "period", "year"})


# --- acceptance: is this candidate a quantity, and what are its value and unit --------------


def _read(text: str, m: re.Match[str]) -> _Reading | None:
    group = m.lastgroup
    if group == "num":  # by far the most frequent
        return _read_number(text, m)
    start, end = m.start(), m.end()
    if group == "cn":
        return _read_chinese(text, m)
    if group == "date":
        return _time(start, end, "date", None, "")
    if group == "period":
        return _time(start, end, "period", None, "")
    if group == "pct_cn":
        value = _cn_decimal(m.group("pc"))
        if value is None:
            return None
        post = m.group("pc_post")
        qualifier = POST_QUALIFIERS[post] if post else _pre_qualifier(text, start)[1] or "exact"
        unit = {"百": "%", "千": "‰", "万": "‱"}[m.group("pc_den")]
        return _Reading(start, end, "percent", value, unit, 1.0, unit, qualifier)
    if group == "fraction":
        denominator, numerator = parse_chinese_number(m.group("f_den")), parse_chinese_number(m.group("f_num"))
        if not denominator or not numerator or numerator >= denominator:
            return None
        return _Reading(start, end, "percent", round(100 * numerator / denominator, 2), "%", 1.0, "%")
    if group == "rank":
        return _read_rank(text, m)
    if group == "first":
        return _read_first_place(text, m)
    if group == "topn":
        return _read_topn(text, m)
    if group == "fan":
        value = 2.0 ** (parse_chinese_number(m.group("fan_num")) or 1)
        return _Reading(start, end, "multiple", value, "倍", 1.0, "倍")
    if group == "range":
        return _read_range(text, m)
    return _read_cn_range(text, m)


def _time(start: int, end: int, kind: str, value: float | None, unit: str) -> _Reading:
    return _Reading(start, end, kind, value, unit, 1.0, unit)


def _is_name_context(text: str, start: int, end: int) -> bool:
    """Letters glued to the digits make a name or code: 5G, 3D, R2, PM2.5, B2B."""
    return (start > 0 and text[start - 1] in _NAME_GLUE) or (end < len(text) and text[end] in _NAME_GLUE)


def _unsure(surface: str, why: str) -> None:
    if LOG.isEnabledFor(logging.DEBUG):
        LOG.debug("%s: dropped: %s", surface, why)


def _read_number(text: str, m: re.Match[str]) -> _Reading | None:
    start, end = m.span()
    if (start and text[start - 1] in _NAME_GLUE) or (end < len(text) and text[end] in _NAME_GLUE):
        return None  # 5G, PM2.5: a name or a code
    body, unit, post, sign, per = m.group("n", "unit", "post", "sign", "per")
    numeral = read_numeral(body)
    if numeral is None:
        _unsure(body, "outside the numeral grammar")
        return None
    value = numeral.value
    if sign and value is not None:
        value = -value  # 负1.5%, -3.2%
    scale_word, factor = numeral.scale, float(numeral.factor)
    if unit is None:
        shared = _SHARED_UNIT.match(text, end) if end < len(text) and text[end] in "、和及与或" else None
        if shared is not None and post is None:
            unit = shared.group("unit")
            if not scale_word and shared.group("scale"):
                scale_word = shared.group("scale")
                factor = SCALES[scale_word]
        else:
            # A bare number names or numbers something (500强, 365, 12345热线); only 30万 with a
            # scale and a clause end after it still quantifies.
            if not any(c in body for c in "万亿千") or post is None and end < len(text) and text[end] not in _TERMINATOR:
                return None
            return _Reading(start, end, "count", value, scale_word, factor, "", _qualify(text, start, numeral, post))
    if numeral.abbreviated and _abbreviation_before_a_word(numeral, body):
        return None
    if unit[0] in "成折":
        return _read_rate(text, m, start, end, numeral, unit, post)
    if unit == "升" and per:
        return None
    kind = UNITS.get(unit, "amount")
    if kind is None:
        return None
    if kind in ("date", "period"):
        return _read_time_unit(text, start, end, value, unit, numeral, post)
    if _in_short_quote(text, start, end):
        return None
    if unit in ("%", "％"):
        unit = "%"
    elif unit == "个" and _SHARED_POINTS.match(text, end):
        kind, unit = "percentage_point", "个百分点"  # 10个和5个百分点: the unit is written once
    if per:
        unit += per  # 35万元/亩: the rate keeps its denominator
    qualifier, bare_start = _qualify(text, start, numeral, post), None
    if not sign and value is not None and text.endswith("零下", 0, start):
        value, bare_start, start = -value, start, start - 2  # 零下3℃: the sign is part of the surface
    return _Reading(start, end, kind, value, scale_word + unit, factor, unit, qualifier, numeral.low,
                    numeral.high, None, bare_start)


def _abbreviation_before_a_word(numeral: Numeral, body: str) -> bool:
    """五十万一次性奖励, 三百一批: the digit after a place begins the next word (一次, 一批), it is no
    abbreviation of the next place (一万三 = 13000, written bare; 三百五元 = 350元)."""
    return numeral.abbreviated == "scale" or body[-1] in "一1"


def _qualify(text: str, start: int, numeral: Numeral, post: str | None) -> str:
    """From the words right after (左右/以上), inside (多/余/几, 三四) or right before (约/超过)."""
    if post:
        return POST_QUALIFIERS[post]
    if numeral.qualifier != "exact":
        return numeral.qualifier
    return _pre_qualifier(text, start)[1] or "exact"


def _arabic(number: str) -> float:
    return float(number.replace(",", "").replace("．", "."))


_PLAN_AFTER = ("行动", "计划", "规划", "纲要", "战略")  # 3年行动计划 names a plan; 90天攻坚 is a span


def _read_time_unit(text: str, start: int, end: int, value: float | None, unit: str, numeral: Numeral,
                    post: str | None) -> _Reading | None:
    """2022年 and 8月 are dates; 60天, 6个月, 连续5年 are durations (amounts of time); 第2年,
    3年行动计划 stay periods."""
    if numeral.scale or value is None:
        return None
    exact = numeral.qualifier == "exact" and not post
    if unit in ("年", "年度"):
        if exact and 1900 <= value <= 2100 and value.is_integer():
            return _time(start, end, "year", value, unit)
        if unit == "年度" or not _is_duration(text, start, end):
            return _time(start, end, "period", value, unit)
    elif unit in ("月", "月份"):
        return _time(start, end, "date", value, unit) if exact and 1 <= value <= 12 else None
    elif unit == "日":
        return _time(start, end, "date", value, unit) if exact and 1 <= value <= 31 else None
    elif unit not in DURATION_UNITS or not _is_duration(text, start, end):
        return _time(start, end, "period", value, unit)
    if value <= 0:
        return None
    return _Reading(start, end, "amount", value, unit, 1.0, unit, _qualify(text, start, numeral, post))


def _is_duration(text: str, start: int, end: int) -> bool:
    return not (text.endswith(("第", "前", "后"), 0, start) or text.startswith(_PLAN_AFTER, end)
                or text.startswith("级", end))


def _read_rate(text: str, m: re.Match[str], start: int, end: int, numeral: Numeral, unit: str,
               post: str | None) -> _Reading | None:
    """两成, 3成, 近3成, 八折: a rate in tenths, read as a percent (两成 = 20%, 两三成 = 20%–30%)."""
    value = numeral.value
    if value is None or numeral.scale or not 0 < value < 10 or numeral.qualifier == "more_than":
        return None
    if numeral.qualifier == "exact" and not float(value * 10).is_integer() and unit == "成":
        return None
    _, pre = _pre_qualifier(text, start)
    if not (pre or post or end >= len(text) or text[end] in _TERMINATOR
            or text[max(0, start - 2):start].endswith(("占", "达", "有", "提高", "增长", "下降", "近", "超", "打", "按"))):
        return None
    if _in_short_quote(text, start, end):
        return None
    low = numeral.low * 10 if numeral.low is not None else None
    high = numeral.high * 10 if numeral.high is not None else None
    return _Reading(start, end, "percent", round(value * 10, 6), "%", 1.0, "%",
                    _qualify(text, start, numeral, post), low, high)


def _pre_qualifier(text: str, start: int) -> tuple[int, str | None]:
    """(start of the qualifier word, qualifier) for a word written right before ``start``; an
    adverb of bound before a short verb (至少新开工10个) qualifies the number too, but leaves the
    verb to the lead, so its start is the number's."""
    if not start or text[start - 1] not in _PRE_QUALIFIER_LAST:
        window = text[max(0, start - 5) : start]
        adverb = _BOUND_BEFORE_VERB.search(window) if "至" in window or "最" in window else None
        return start, _PRE_QUALIFIER_OF[adverb.group(1)] if adverb else None
    for length in (3, 2, 1):
        qualifier = _PRE_QUALIFIER_OF.get(text[start - length:start]) if start >= length else None
        if qualifier:
            return start - length, qualifier
    return start, None


#: 至少/最多 + a verb of one to three characters, ending where the number starts.
_BOUND_BEFORE_VERB = re.compile(r"(至少|至多|最多)[\u4e00-\u9fa5]{1,3}$")


def _read_range(text: str, m: re.Match[str]) -> _Reading | None:
    start, end = m.start(), m.end()
    if _is_name_context(text, start, end):
        return None
    low, high = _arabic(m.group("r_lo")), _arabic(m.group("r_hi"))
    unit = m.group("r_lo_unit") or m.group("r_unit")
    scale_word = m.group("r_lo_scale") or m.group("r_scale") or ""
    kind = UNITS.get(unit, "amount")
    if kind is None:
        return None
    if kind in ("date", "period"):
        if scale_word:
            return None
        spans_time = unit in DURATION_UNITS or unit == "年" and not 1900 <= low <= 2100
        if spans_time and 0 < low < high and _is_duration(text, start, end):  # 3—5年, 7-10天
            return _Reading(start, end, "amount", low, unit, 1.0, unit, "range", low, high)
        return _time(start, end, "period", None, unit)
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
    if unit[0] in "成折":
        if scale_word or high >= 10:
            return None
        return _Reading(m.start(), m.end(), "percent", low * 10, "%", 1.0, "%", "range", low * 10, high * 10)
    return _Reading(m.start(), m.end(), UNITS.get(unit) or "amount", low, scale_word + unit,
                    SCALES.get(scale_word, 1.0), unit, "range", low, high)


def _in_short_quote(text: str, start: int, end: int, limit: int = 12) -> bool:
    """“1个中心、3个基地”, “二十条”, 《10条措施》: a figure inside a short quotation or title names a
    slogan or a document. Quoted speech runs longer and keeps its figures."""
    return (_OPENS_BEFORE.search(text, max(0, start - limit), start) is not None
            and _CLOSES_AFTER.match(text, end, end + limit) is not None)


_ROUND_WORDS = frozenset(("十", "百", "千"))
_NUMERAL_CHARS = frozenset(_CN_DIGIT + "十百千万亿几多余点")


def _read_chinese(text: str, m: re.Match[str]) -> _Reading | None:
    """A Chinese numeral counts only where the genre uses it to quantify."""
    start, end = m.start(), m.end()
    body, unit = m.group("c"), m.group("c_unit")
    numeral = read_numeral(body)
    if numeral is None:
        _unsure(body, "outside the numeral grammar")
        return None
    if numeral.value == 0 or _in_short_quote(text, start, end):
        return None  # 破零倍增: zero is no figure here
    post = m.group("c_post")
    if unit is not None and numeral.abbreviated and _abbreviation_before_a_word(numeral, body):
        return None
    if unit is not None and unit[0] in "成折":
        if len(body) > 2 and numeral.qualifier != "range":
            return None
        return _read_rate(text, m, start, end, numeral, unit, post)
    _, pre = _pre_qualifier(text, start)
    qualified = bool(pre or post or numeral.qualifier != "exact")
    head = body[:len(body) - len(numeral.scale)] if numeral.scale else body
    closes_clause = end >= len(text) or text[end] in _TERMINATOR
    if head in _ROUND_WORDS and not qualified and not (numeral.scale and closes_clause):
        return None  # 千家万户, 十项措施, 千亿元产业, 百万千瓦级: a round word, not a figure (奖励十万元。 is one)
    big = numeral.scale != "" or "万" in body or "亿" in body
    if unit is None:
        # 四千万, 一万三, 十多万: a bare numeral with a scale, closing its clause
        if not big or head == "一" and not qualified:
            return None  # 不怕一万: a saying
        return _Reading(start, end, "count", numeral.value, numeral.scale, float(numeral.factor), "",
                        _qualify(text, start, numeral, post), numeral.low, numeral.high, numeral.reason)
    kind = UNITS.get(unit) or "amount"
    figure = big or len(head) >= 3 and (numeral.value or 0) >= 100  # 两万三千人, 一百二十家
    if kind == "count" and not qualified and not figure:
        # 六个特点, 十项重点工作, 三个一批, 一个部门: Chinese numerals before a measure word are
        # rhetoric in the genre, unless a counting verb precedes them (新增两家, 引进十二个项目)
        # or they close the clause as its figure (新增入规企业二十一家。)
        if head in ("一", "零", "〇"):
            return None
        if not closes_clause and not text[max(0, start - 3):start].endswith(COUNT_VERBS):
            return None
        if end < len(text) and text[end] in _CN_DIGIT + "大":
            return None
        if start >= 2 and text[start - 2] in _CN_DIGIT + "十百千万" and text[start - 1] not in _NUMERAL_CHARS:
            return None  # 三番五次, 四面八方: two numerals of an idiom
    elif kind == "amount" and head == "一" and not numeral.scale:
        return None  # 一亩三分地, 一米阳光
    value, bare_start = numeral.value, None
    if value is not None and text.endswith("零下", 0, start):
        value, bare_start, start = -value, start, start - 2  # 零下五摄氏度
    return _Reading(start, end, kind, value, numeral.scale + unit, float(numeral.factor), unit,
                    _qualify(text, start, numeral, post), numeral.low, numeral.high, numeral.reason, bare_start)


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
    numeral = m.group("rank_num")
    value = _ordinal_value(numeral)
    if value is None or value == 0:
        return None
    unit = m.group("rank_unit")
    clause = _clause_before(text, start)
    if unit:
        if clause.endswith(("放在", "摆在", "放到", "摆到")):
            return None  # 把安全放在第一位: a priority, not a position
        if (end < len(text) and text[end] not in _TERMINATOR and not RANK_CONTEXT.search(clause)
                and not _RANK_MOVE.match(text, end)):
            return None  # 第一位院士: an ordinal naming someone
    else:
        if end < len(text) and text[end] not in _TERMINATOR:
            return None
        if not RANK_CONTEXT.search(clause):
            return None
    scoped = start if numeral.isdigit() else _with_scope(text, start)
    return _Reading(scoped, end, "rank", value, unit or "名", 1.0, unit or "名",
                    bare_start=start if scoped != start else None)


def _read_first_place(text: str, m: re.Match[str]) -> _Reading | None:
    """居全市首位, 位居榜首: rank 1; 首位理念, 首位担当 are words."""
    start, end = m.start(), m.end()
    if end < len(text) and text[end] not in _TERMINATOR:
        return None
    if not _FIRST_PLACE_VERB.search(_clause_before(text, start)):
        return None
    scoped = _with_scope(text, start)
    return _Reading(scoped, end, "rank", 1.0, "名", 1.0, "名", bare_start=start if scoped != start else None)


def _with_scope(text: str, start: int) -> int:
    """The start of a rank's surface with its scope (全省第三, 合肥市第一), unless it is 全市."""
    scope = _RANK_SCOPE.search(text, max(0, start - 16), start)
    if scope is None:
        return start
    words = scope.group("after") or scope.group("own")
    return start if words.startswith(_DEFAULT_SCOPE) else start - len(words)


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


_CLAUSE_TAIL = re.compile(r"[^，,；;。！？!?\n：:]*")


def _clause_before(text: str, start: int, limit: int = 30) -> str:
    """The part of the clause right before ``start`` (at most ``limit`` characters)."""
    lo = max(0, start - limit)
    for tail in _CLAUSE_TAIL.finditer(text, lo, start):
        if tail.end() == start:
            return tail.group()
    return ""


# --- description: sentence, direction, basis, indicator, target ------------------------------


def _describe(text: str, r: _Reading, index: int, sentence: tuple[int, int], clause_start: int,
              previous: Quantity | None, cues: list[tuple[int, int, str]], cue_ends: list[int]) -> Quantity:
    scaled = r.value
    if scaled is not None and r.scale != 1.0:
        scaled = float(f"{scaled * r.scale:.15g}")  # 85.6亿 is 8560000000, not 8559999999.999999
    if r.kind in _TIME_KINDS:
        direction = basis = indicator = cue = None
    else:
        direction, basis, indicator, cue = _context(text, r, sentence, clause_start, previous, cues, cue_ends)
    return _build(
        id=f"q{index}", text=text[r.start:r.end], start=r.start, end=r.end,
        sentence_start=sentence[0], sentence_end=sentence[1], kind=r.kind,
        value=r.value, unit=r.unit, scaled_value=scaled, base_unit=r.base_unit,
        qualifier=r.qualifier, low=r.low, high=r.high,
        direction=direction, basis=basis, indicator=indicator, is_target=cue is not None,
        target_cue=cue, value_note=r.reason,
    )


#: Quantity objects from values this module built and typed itself, without validating them again:
#: pydantic's validation costs 4 µs a mention, a quarter of the pre-extractor's time.
_build = trusted_constructor(Quantity, {
    "id": "q1", "text": "3亿元", "start": 0, "end": 3, "sentence_start": 0, "sentence_end": 4,
    "kind": "amount", "value": 3.0, "unit": "亿元", "scaled_value": 3e8, "base_unit": "元",
    "qualifier": "exact", "low": None, "high": None, "direction": None, "basis": None, "indicator": None,
    "is_target": False, "target_cue": None, "value_note": None,
})


def _context(text: str, r: _Reading, sentence: tuple[int, int], clause_start: int, previous: Quantity | None,
             cues: list[tuple[int, int, str]], cue_ends: list[int]) -> tuple[str | None, str | None, str | None, str | None]:
    """(direction, basis, indicator, target cue) of a mention, from its clause and sentence."""
    lead_start = previous.end if previous is not None and previous.end > clause_start else clause_start
    qualifier_start, _ = _pre_qualifier(text, r.start)
    lead = text[lead_start:qualifier_start].strip(_LEAD_PUNCTUATION)
    direction, basis, name_part = None, None, lead
    if r.kind not in ("rank", "top_n"):
        last = lead[-1] if lead else ""
        # the change words end the lead; a look at its last character spares most searches
        found = _DIRECTION.search(lead, max(0, len(lead) - 16)) if last in _DIRECTION_LAST else None
        if found:
            if r.value is None or r.value >= 0:  # 增速-3.2%: the sign already says it
                direction = "decrease" if found.group("word").startswith(_DECREASE) else "increase"
            basis = found.group("basis")
            name_part = lead[:found.start()]
        elif last and last in "至到为在" and (rate := _RATE_TO.search(lead, max(0, len(lead) - 10))) is not None:
            direction = "decrease" if rate.group().startswith("降幅") else "increase"  # 增速回升至8%
        elif ("于" in lead or "比" in lead or "出" in lead or "领先" in lead) and (
                comparison := _COMPARISON.search(lead)) is not None:
            basis = comparison.group("basis")  # 高于全市5.1个百分点: compared with, not a change
            name_part = lead[:comparison.start()]
        elif previous is not None and previous.end > sentence[0] and text[previous.end:qualifier_start] in _ENUMERATORS:
            direction, basis = previous.direction, previous.basis  # 分别增长3.1%、8.2%和6.5%
    indicator = _indicator(text, r, name_part, previous, sentence[0], clause_start)
    return direction, basis, indicator, _target_cue(text, r, sentence, clause_start, cues, cue_ends)


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


@lru_cache(maxsize=8192)
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


# Found once per text or sentence and looked up by bisection, so that a sentence as long as a whole
# line costs linear time, however many numbers it holds.
@lru_cache(maxsize=4)
def _offsets(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


@lru_cache(maxsize=256)
def _sentence_matches(
    pattern: re.Pattern[str], text: str, start: int, end: int
) -> tuple[list[int], list[tuple[int, int, str]]]:
    found = [(m.start(), m.end(), m.group()) for m in pattern.finditer(text, start, end)]
    return [end for _, end, _ in found], found


def _last_match(pattern: re.Pattern[str], text: str, sentence: tuple[int, int], before: int,
                after: int | None = None) -> tuple[int, int, str] | None:
    """The last match of ``pattern`` in the sentence that ends by ``before`` (and starts at ``after``
    or later): what ``pattern.finditer(text, after or sentence start, before)`` would end with."""
    ends, found = _sentence_matches(pattern, text, sentence[0], sentence[1])
    index = bisect_right(ends, before) - 1
    if index < 0 or (after is not None and found[index][0] < after):
        return None
    return found[index]


def _target_cue(text: str, r: _Reading, sentence: tuple[int, int], clause_start: int,
                cues: list[tuple[int, int, str]], cue_ends: list[int]) -> str | None:
    """The goal word governing the mention: the last cue before it in its sentence (across colons
    and enumerations), unless its own clause marks a result (已, 目前, 截至, 累计).

    计划 counts only as a verb of intent (计划新增50家); 年度计划投资124.26亿元 names a planned
    amount that the text reports as a fact, so it is no target. 全年/今年 make a goal only with 左右
    or 以上 written after the figure; 完成/达到 alone report a result (完成全年任务的300%)."""
    i = bisect_right(cue_ends, r.start)
    if i and cues[i - 1][1] >= sentence[0]:
        if _last_match(_RESULT_MARK, text, sentence, r.start, after=clause_start) is not None:
            return None  # a result mark in its clause (looked up, not searched: a clause may be a line)
        latest = cues[i - 1][2]
        if latest == ESTIMATE_CUE:  # 预计: an estimate of a result, not a goal, unless a forecast
            forecast = not _CLAUSE_END.search(text, cues[i - 1][1], r.start) and _FORECAST_MODAL.search(
                text, cues[i - 1][1], r.start)
            return latest if forecast else None
        if latest in _TIME_CUES and i > 1 and cues[i - 2][0] > clause_start and cues[i - 2][2] not in _TIME_CUES:
            return cues[i - 2][2]  # 确保年底交付: the verb of will beats the date in its clause
        return latest
    if text.endswith(_HORIZON_QUALIFIERS, r.start, r.end):
        horizon = _last_match(HORIZON_CUE, text, sentence, r.start)
        if horizon is not None and _last_match(_RESULT_MARK, text, sentence, r.start, after=horizon[1]) is None:
            return horizon[2]
    goals = _offsets(text, "目标")  # 增长10%左右的目标: the first after the number, in its sentence
    index = bisect_left(goals, r.end)
    goal = goals[index] if index < len(goals) and goals[index] + 2 <= sentence[1] else -1
    if goal != -1 and not text.startswith("目标任务", goal) and not _CLAUSE_END.search(text, r.end, goal):
        # "11项达到或超过目标序时": a goal reached is a result
        return None if _ATTAINED.search(text, r.end, goal) else "目标"
    return None


#: Between a figure and the 目标 after it: the goal was reached, so the figure is a result.
_ATTAINED = re.compile(r"达到|超过|超出|完成|实现|好于|快于|高于")

