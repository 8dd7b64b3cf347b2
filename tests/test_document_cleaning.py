"""Cleaning: chrome and metadata, rejoined sentences, markdown, punctuation, articles, offsets."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.document import (
    clean_text,
    document_from_text,
    load_document,
    normalise_line,
    split_articles,
)

DATA = Path(__file__).parent / "data" / "documents"


def _seed(seed_paths: list[Path], prefix: str) -> Path:
    matches = [p for p in seed_paths if p.name.startswith(prefix)]
    if not matches:
        pytest.skip(f"seed {prefix}* is not in the seeds folder")
    return matches[0]


# --- chrome and page metadata ----------------------------------------------------------------


@pytest.mark.seeds
def test_seed_003_chrome_goes_and_its_metadata_is_kept(seed_paths: list[Path]) -> None:
    raw = _seed(seed_paths, "003").read_text(encoding="utf-8")
    document = load_document(_seed(seed_paths, "003"))

    assert document.meta.publish_date == dt.date(2022, 8, 5)
    assert document.meta.publish_time == "08:43"
    assert document.meta.source == "衡阳高新区"
    title_line = next(line for line in raw.splitlines() if line.startswith("衡阳高新区全方位践行"))
    assert document.meta.title == normalise_line(title_line.strip())
    assert document.text.startswith(document.meta.title + "\n")
    for chrome in ("365体育官网", "老年模式", "当前位置", "发布时间", "浏览量", "字体", "相关阅读",
                   "扫一扫在手机打开当前页"):
        assert chrome not in document.text, chrome
    assert "??" not in document.text  # the placeholder runs left with their chrome lines
    assert document.text.count("▲") == raw.count("▲")  # photo captions are the page's own text
    assert len(document.articles) == 1


def test_chrome_page_lexicon_and_metadata() -> None:
    document = load_document(DATA / "chrome_page.txt")

    assert document.meta.title == "青山县召开上半年经济运行分析会——稳中求进 奋力冲刺全年目标"
    assert document.meta.publish_date == dt.date(2023, 7, 21)
    assert document.meta.publish_time == "16:05"
    assert document.meta.source == "青山县发展和改革局"
    assert document.meta.author == "杨帆"
    assert document.meta.editor == "黄丽"
    lines = document.text.split("\n")
    assert len(lines) == 5  # title, caption, three paragraphs: every other line was chrome
    assert lines[:2] == ["青山县召开上半年经济运行分析会——稳中求进 奋力冲刺全年目标", "▲会议现场。"]
    assert lines[2].startswith("7月20日，青山县召开") and lines[4].endswith("增长7%左右。")
    assert lines[3] == "上半年，全县实现地区生产总值156.8亿元，同比增长6.4%；规模以上工业增加值同比增长8.2%，增速居全市第二位。"


@pytest.mark.parametrize(
    "line",
    [
        "365体育官网", "开元棋牌", "bet365", "某某体育", "澳门新葡京", "福彩彩票", "电子游戏",
        "进入老年模式退出老年模式", "扫一扫在手机打开当前页", "【字体：大 中 小】", "字体:", "字号：大 中 小",
        "打印本页 关闭窗口", "【打印】【关闭】", "分享到：微信 微博", "上一篇：某区开展安全检查",
        "下一篇：某区召开座谈会", "责任编辑：王某", "您的位置：首页 > 新闻中心 > 工作动态",
        "首页 > 信息公开 > 部门动态", "首页 政务公开 新闻中心 互动交流", "版权所有：某某市人民政府办公室",
        "某ICP备12345678号-1", "某公网安备 11010502030143号", "政府网站标识码：1100000001",
        "主办单位：某某县人民政府 承办单位：某某县政务服务中心", "技术支持：某某科技有限公司",
        "联系我们 | 网站地图 | 网站声明", "Copyright © 2023 All Rights Reserved",
        "地址：某某路88号 电话：0734-1234567", "会议现场 王某某 摄", "浏览次数：1024", "????",
        "2022-08-05 08:43", "阅读原文", "阅读 1.3万", "阅读 10万+", "分享 点赞 在看", "点击上方蓝字关注我们",
    ],
)
def test_chrome_lines_are_dropped(line: str) -> None:
    text, _, _ = clean_text(f"{line}\n\n上半年，全区固定资产投资同比增长8.5%。\n")
    assert text == "上半年，全区固定资产投资同比增长8.5%。"


@pytest.mark.parametrize(
    "line",
    [
        "▲新建成的产业园区。",
        "会议强调，要加快无障碍环境建设，为企业提供技术支持。",
        "全年体育彩票销售额完成3.2亿元，同比增长6%。",
        "深化与澳门在会展经济方面的合作",
        "时间：2023年8月11日 地点：区政务中心",
        "记者 张某某 通讯员 李某",
    ],
)
def test_article_text_that_resembles_chrome_stays(line: str) -> None:
    text, _, _ = clean_text(f"{line}\n上半年，全区固定资产投资同比增长8.5%。\n")
    assert text.split("\n")[0] == normalise_line(line)


def test_related_reading_takes_its_link_list_along() -> None:
    raw = "上半年，全区GDP增长6%。\n相关阅读：\n某区召开一季度调度会\n某区经济运行简报\n扫一扫在手机打开当前页\n"
    assert clean_text(raw)[0] == "上半年，全区GDP增长6%。"


def test_header_lines_above_the_title_go_with_the_chrome() -> None:
    raw = "某某网站欢迎您\n工作动态\n某区召开经济运行分析会\n发布时间：2023-05-06　来源：某区统计局\n一季度，某区GDP增长5.1%。\n"
    text, _, meta = clean_text(raw)
    assert text == "某区召开经济运行分析会\n一季度，某区GDP增长5.1%。"
    assert meta.title == "某区召开经济运行分析会" and meta.source == "某区统计局"
    assert meta.publish_date == dt.date(2023, 5, 6) and meta.publish_time is None


def test_information_disclosure_header() -> None:
    raw = (
        "索引号：11330000002482/2023-00123　　发布机构：某某县统计局　　生成日期：2023-05-06\n"
        "某某县一季度经济运行情况\n"
        "发布日期：2023年05月08日 09:10 信息来源：某某县统计局网站 字号：[ 大 中 小 ] 点击：\n"
        "一季度，全县实现地区生产总值56.3亿元，同比增长5.2%。\n"
    )
    text, _, meta = clean_text(raw)
    assert text == "某某县一季度经济运行情况\n一季度，全县实现地区生产总值56.3亿元，同比增长5.2%。"
    assert meta.title == "某某县一季度经济运行情况"
    assert (meta.publish_date, meta.publish_time) == (dt.date(2023, 5, 8), "09:10")  # 发布日期 beats 生成日期
    assert meta.source == "某某县统计局"  # the first statement wins


def test_a_meta_line_after_the_body_gives_no_title() -> None:
    text, _, meta = clean_text("上半年，某区GDP增长6%。\n记者 张某\n来源：某某日报\n")
    assert text == "上半年，某区GDP增长6%。\n记者 张某"
    assert meta.source == "某某日报" and meta.title is None


def test_bracketed_meta_line() -> None:
    text, _, meta = clean_text("【发布时间：2023-05-06 10:00】【来源：某区统计局】\n上半年，某区GDP增长5.1%。\n")
    assert text == "上半年，某区GDP增长5.1%。"
    assert (meta.publish_date, meta.publish_time, meta.source) == (dt.date(2023, 5, 6), "10:00", "某区统计局")


def test_title_is_the_first_heading_when_the_page_states_none() -> None:
    _, _, meta = clean_text("\n\n# 某县召开半年经济形势分析会\n\n上半年，某县GDP增长6.2%。\n")
    assert meta.title == "某县召开半年经济形势分析会"
    _, _, meta = clean_text("上半年，某县GDP增长6.2%。\n下半年要力争增长7%。\n")
    assert meta.title is None


# --- rejoining sentences broken across blank lines -------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("当前已进入下半年，全区上下要紧盯年度目标任务，坚持稳字当头、进上发力，在高质量发展前提下能快则快，奋\n\n力冲刺三季度，确保完成全年任务。",
         "当前已进入下半年，全区上下要紧盯年度目标任务，坚持稳字当头、进上发力，在高质量发展前提下能快则快，奋力冲刺三季度，确保完成全年任务。"),
        ("会议指出，三季度是全年承上启下的关键时期，全区上下要加强领导、压实责任，高新\n\n区要发挥主阵地作用，确保完成目标任务。",
         "会议指出，三季度是全年承上启下的关键时期，全区上下要加强领导、压实责任，高新区要发挥主阵地作用，确保完成目标任务。"),
        ("上半年，全区规模以上工业增加值同比增长9.5%，固定资产投资完成46.3亿元，社会消费品零售总额完成21\n\n亿元，同比增长6.1%。",
         "上半年，全区规模以上工业增加值同比增长9.5%，固定资产投资完成46.3亿元，社会消费品零售总额完成21亿元，同比增长6.1%。"),
        ("下半年要抓好项目建设，加快推进园区基础设施配套，完善道路、供水、供电等配套设施，\n\n全力保障重点项目按期投产达效。",
         "下半年要抓好项目建设，加快推进园区基础设施配套，完善道路、供水、供电等配套设施，全力保障重点项目按期投产达效。"),
        ("当前已进入下半年，全区上下要紧盯年度目标任务，坚持稳字当头、进上发力，在高质量发展前提下能快则快，奋\n力冲刺三季度，确保完成全年任务。",
         "当前已进入下半年，全区上下要紧盯年度目标任务，坚持稳字当头、进上发力，在高质量发展前提下能快则快，奋力冲刺三季度，确保完成全年任务。"),
    ],
    ids=["word-across-break", "place-name-across-break", "number-meets-unit", "after-comma", "single-newline"],
)
def test_broken_sentences_are_rejoined(raw: str, expected: str) -> None:
    assert clean_text(raw)[0] == expected


@pytest.mark.parametrize(
    "raw",
    [
        # fragments out of order: no dictionary word spans "优异|管理"
        "确保圆满完成全年目标任务，以优异\n\n管理体系建设，落实全市专项整治，全面完成供水改革后续事宜。",
        # the next block is a 【】 section marker
        "创新实施揭榜挂帅计划，年内投入5亿元建\n\n【冲刺】 把规划图变成施工图",
        # the next block starts a new paragraph (要…)
        "抓好城市管理，构建组织严密、责任清晰、智慧高效的精细化\n\n要持续深化改革，增强核心竞争力。",
        # the first block is a heading (markdown)
        "## 奋力冲刺三季度\n\n力争全年完成投资50亿元。",
        # the first block is a short line without punctuation (a heading)
        "稳中求进 奋力冲\n\n刺全年目标，全区上下要加压奋进。",
        # the first block ends a sentence
        "上半年全区GDP增长6%。\n\n下半年要力争增长7%。",
        # the next block opens with a quotation: a new paragraph
        "当前已进入8月，全区上下要紧盯年度目标任务，坚持\n\n“稳”字当头，“进”上发力。",
        # the next block is itself a heading
        "创新实施揭榜挂帅计划，持续推进企业梯次培育，加\n\n快发展",
        # the first block is a 【】 marker line
        "【布置】 确保经济社会发展全年红，全年稳，奋\n\n力冲刺三季度，确保完成全年任务。",
    ],
    ids=["out-of-order", "marker-next", "paragraph-next", "markdown-heading", "short-heading",
         "sentence-ended", "quote-next", "heading-next", "marker-line"],
)
def test_blocks_that_do_not_continue_each_other_stay_apart(raw: str) -> None:
    text = clean_text(raw)[0]
    assert text.count("\n") == 1, text


@pytest.mark.seeds
def test_seed_000_broken_sentence_is_rejoined_and_markdown_removed(seed_paths: list[Path]) -> None:
    document = load_document(_seed(seed_paths, "000"))
    assert "奋力冲刺“三季度”" in document.text
    assert "#" not in document.text and "**" not in document.text
    assert "地区生产总值完成302.3亿元，同比增长7.5%" in document.text
    assert "会议现场" not in document.text  # the photo credit
    assert len(document.articles) == 1  # "##" sections of one meeting report are not articles


@pytest.mark.seeds
def test_seed_002_out_of_order_fragments_stay_apart(seed_paths: list[Path]) -> None:
    document = load_document(_seed(seed_paths, "002"))
    lines = document.text.split("\n")
    assert any(line.endswith("以优异") for line in lines)
    assert any(line.startswith("管理体系，") for line in lines)
    assert any(line.endswith("年内投入10亿元建") for line in lines)
    assert any(line.endswith("的精细化") for line in lines)
    assert "高新区作为经济建设" in document.text  # a real break inside a word is mended
    assert len(document.articles) == 1  # 【】 sections are not articles


# --- markdown, characters, whitespace ---------------------------------------------------------


def test_markdown_markup_is_removed_and_headings_keep_their_own_lines() -> None:
    document = load_document(DATA / "markdown_report.md")
    assert document.format == "markdown"
    assert document.text.split("\n") == [
        "河口区召开2023年一季度经济运行调度会",
        "一季度主要指标稳中有进",
        "一季度，全区规模以上工业增加值同比增长9.6%，固定资产投资完成32.4亿元，同比增长11.2%（高于全市2.3个百分点）。",
        "会议要求，要全力以赴抓项目、扩投资，坚持“项目为王”，以更大力度推进重点项目建设，确保项目早开工、早投产、早见效，为全年目标打下坚实基础。",
        "下阶段重点工作",
        "要紧盯全年目标：地区生产总值增长7%左右，规模以上工业增加值增长9%以上。",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("**302.3亿元**，同比增长__7.5%__", "302.3亿元，同比增长7.5%"),
        ("> 引用的一段：增长5%", "引用的一段：增长5%"),
        ("详见[统计公报](https://example.org/a.html)。![图](x.png)", "详见统计公报。"),
        ("### 二、下半年重点工作 ###", "二、下半年重点工作"),
        ("增长**8%", "增长8%"),
    ],
)
def test_markdown_forms(raw: str, expected: str) -> None:
    assert clean_text(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("增长５．２％", "增长5.2%"),
        ("ＧＤＰ完成１２３亿元", "GDP完成123亿元"),
        ("会议指出,要坚持稳中求进;确保完成目标:GDP增长6%", "会议指出，要坚持稳中求进；确保完成目标：GDP增长6%"),
        ("同比增长7.5%,居全市第一", "同比增长7.5%，居全市第一"),
        ("各村(社区)书记", "各村（社区）书记"),
        ("(1)加快项目建设", "（1）加快项目建设"),
        ("会议时间:2023-08-11 09:30", "会议时间：2023-08-11 09:30"),
        ("企业1,234家", "企业1,234家"),
        ("企业12,500家，产值1,234,567元", "企业12,500家，产值1,234,567元"),
        ("同比增长7.5%,8月份继续回升", "同比增长7.5%，8月份继续回升"),
        ("5,6月份", "5，6月份"),
        ("ratio 3:1, see (a)", "ratio 3:1, see (a)"),
        ("已有的标点，。：（）“”不变", "已有的标点，。：（）“”不变"),
        ("全角　空格", "全角 空格"),
    ],
)
def test_character_normalisation(raw: str, expected: str) -> None:
    assert normalise_line(raw) == expected
    assert clean_text(raw)[0] == expected


def test_whitespace_indentation_and_blank_lines() -> None:
    raw = "\r\n\u3000\u3000上半年，GDP增长6%。  \r\n\r\n\r\n\t 下半年，力争增长7%。\u3000\r\n\n"
    assert clean_text(raw)[0] == "上半年，GDP增长6%。\n下半年，力争增长7%。"


# --- articles ---------------------------------------------------------------------------------


def test_newspaper_page_is_split_into_its_articles() -> None:
    document = load_document(DATA / "newspaper_page.txt")
    titles = [article.title for article in document.articles]
    assert titles == ["东湖开发区一季度主要指标实现“开门红”", "西岭县：项目建设跑出加速度", "南湖新区召开上半年工作推进会"]
    bodies = [document.article_text(article) for article in document.articles]
    assert bodies[0].startswith("第3版：经济要闻\n东湖开发区") and bodies[0].endswith("确保上半年“双过半”。")
    assert bodies[1].startswith("西岭县：项目建设跑出加速度\n本报记者 陈晓东")
    assert bodies[1].endswith("▲西岭县产业园一角。")  # an unheaded block stays with the article before it
    assert bodies[2].startswith("南湖新区召开上半年工作推进会\n7月8日讯")
    assert [a.index for a in document.articles] == [0, 1, 2]
    # articles tile the text; only the line breaks between them are outside
    assert document.articles[0].start == 0 and document.articles[-1].end == len(document.text)
    for before, after in zip(document.articles, document.articles[1:]):
        assert document.text[before.end] == "\n" and after.start == before.end + 1


def test_a_byline_without_a_headline_does_not_start_an_article() -> None:
    text = "某区召开半年工作会\n本报讯 上半年某区GDP增长6%。\n会议指出，要稳中求进。\n记者 张某 通讯员 李某\n下半年要力争增长7%。"
    assert [(a.start, a.end) for a in split_articles(text)] == [(0, len(text))]


def test_section_headings_without_a_lead_do_not_split() -> None:
    text = "某区召开推进会\n会议指出，上半年GDP增长6%。\n提升干事创业精气神\n会议强调，要加压奋进。\n【措施】 抓好六方面工作\n要稳住经济大盘。"
    articles = split_articles(text)
    assert len(articles) == 1 and articles[0].title == "某区召开推进会"


def test_a_headline_group_starts_at_its_first_line() -> None:
    text = ("第一篇标题\n本报讯 一季度GDP增长5%。\n"
            "聚焦高质量发展\n某县项目建设提速\n——上半年新开工项目30个\n本报讯（记者 王某）上半年投资增长9%。")
    articles = split_articles(text)
    assert len(articles) == 2
    assert text[articles[1].start :].startswith("聚焦高质量发展\n")
    assert articles[1].title == "某县项目建设提速"  # the longest line of the group not led by a dash


def test_a_masthead_is_not_a_headline_and_a_banner_stays_with_the_article_it_heads() -> None:
    text = ("某某日报 2024年5月6日 星期一 第2版 要闻\n某区一季度经济开局良好\n本报讯（记者 王某）一季度GDP增长5.6%。\n"
            "某县召开项目推进会\n本报讯 一季度新开工项目12个。")
    articles = split_articles(text)
    assert [(a.start, a.title) for a in articles] == [(0, "某区一季度经济开局良好"), (text.index("某县"), "某县召开项目推进会")]


def test_every_document_has_an_article_spanning_a_single_story() -> None:
    document = document_from_text("上半年，全区GDP增长6%。")
    assert [(a.index, a.start, a.end) for a in document.articles] == [(0, 0, len(document.text))]


# --- offsets ----------------------------------------------------------------------------------

_FULLWIDTH_TO_ASCII = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_TO_ASCII.update({chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH_TO_ASCII.update({chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF41, 0xFF5B)})
#: The documented one-for-one normalisations (raw character -> cleaned character).
ALLOWED = {
    **{k: {v} for k, v in _FULLWIDTH_TO_ASCII.items()},
    "％": {"%"}, "．": {"."}, ",": {"，"}, ";": {"；"}, ":": {"："}, "(": {"（"}, ")": {"）"},
    "\u3000": {" "}, "\xa0": {" "}, "\t": {" "}, "\u2002": {" "}, "\u2003": {" "}, "\u2009": {" "},
    "\u202f": {" "}, "\r": {"\n"},
}


def assert_offsets_hold(raw: str, text: str, offsets: tuple[int, ...]) -> None:
    assert len(offsets) == len(text) + 1
    assert offsets[-1] == len(raw)
    assert all(a < b for a, b in zip(offsets, offsets[1:-1])), "offsets must increase"
    for i, char in enumerate(text):
        source = raw[offsets[i]]
        traditional = _is_cjk(source) and _is_cjk(char)  # 億 -> 亿: traditional to simplified, one for one
        assert char == source or char in ALLOWED.get(source, ()) or traditional, (i, source, char)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


_PIECES = [
    "上半年", "全区", "GDP", "增长", "奋", "力冲刺", "高新", "区作为", "以优异", "管理体系",
    "６．５", "％", "１２", "Ａ", "ｂ", "8.5%", "1,234", "08:43", ",", ";", ":", "(", ")", "（社区）",
    "。", "，", "、", "“", "”", "【冲刺】", "▲", "**", "__", "## ", "# ", "> ", "[链接](http://x.cn)",
    "![图](a.png)", "\n", "\n\n", "\r\n", " ", "\u3000", "\t", "\xa0", "?", "??????",
    "365体育官网", "进入老年模式", "扫一扫在手机打开当前页", "当前位置:首页 > 动态", "发布时间:2022-08-05 08:43",
    "来源:某区", "浏览量:次", "字体:", "相关阅读:", "版权所有", "本报讯", "记者 张某", "要", "会议",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_offsets_map_every_character_back_to_the_raw_text(raw: str) -> None:
    text, offsets, _ = clean_text(raw)
    assert_offsets_hold(raw, text, offsets)
    assert "\n\n" not in text and text == text.strip()
    assert all(line == line.strip() for line in text.split("\n"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_offsets_hold_for_any_unicode(raw: str) -> None:
    text, offsets, _ = clean_text(raw)
    assert_offsets_hold(raw, text, offsets)


@given(st.text(alphabet=st.sampled_from(list("上半年增长亿元８５％，。,:;()\n \u3000**#【】")), max_size=80))
def test_articles_always_tile_the_cleaned_text(raw: str) -> None:
    text, _, _ = clean_text(raw)
    articles = split_articles(text)
    assert articles and articles[0].start == 0 and articles[-1].end == len(text)
    assert all(a.start <= a.end for a in articles)


@pytest.mark.parametrize("name", ["gov_page.html", "chrome_page.txt", "newspaper_page.txt", "markdown_report.md"])
def test_offsets_hold_for_the_test_documents(name: str) -> None:
    document = load_document(DATA / name)
    assert_offsets_hold(document.raw_text, document.text, document.offsets)


@pytest.mark.seeds
def test_offsets_hold_for_the_seeds(seed_paths: list[Path]) -> None:
    for path in seed_paths:
        document = load_document(path)
        assert document.raw_text == path.read_text(encoding="utf-8")
        assert_offsets_hold(document.raw_text, document.text, document.offsets)


def test_a_few_megabytes_clean_in_one_pass() -> None:
    paragraph = "上半年，全区规模以上工业增加值同比增长**９．１％**,固定资产投资完成46.3亿元。\n\n扫一扫在手机打开当前页\n\n"
    raw = paragraph * 15000  # about 2 MB of UTF-8
    text, offsets, _ = clean_text(raw)
    assert text.count("\n") == 15000 - 1
    assert len(offsets) == len(text) + 1 and offsets[-1] == len(raw)


# --- traditional script and pinyin readings ----------------------------------------------------


def test_traditional_characters_are_read_as_simplified_one_for_one() -> None:
    raw = "全區地區生產總值完成12.5億元，增長6.1%，高於全市1.2個百分點。"
    document = document_from_text(raw)
    assert document.text == "全区地区生产总值完成12.5亿元，增长6.1%，高于全市1.2个百分点。"
    assert all(document.raw_offset(i) == i for i in range(len(document.text)))


def test_pinyin_readings_in_brackets_are_removed_and_offsets_skip_them() -> None:
    raw = "技（jì）術（shù）改造投資增長4個(gè)百分點。"
    document = document_from_text(raw)
    assert document.text == "技术改造投资增长4个百分点。"
    start = document.text.index("术")
    assert raw[document.raw_offset(start)] == "術"


def test_latin_words_in_brackets_stay() -> None:
    document = document_from_text("研发投入（R&D）增长（yoy）较快，详见（附件）。")
    assert "（R&D）" in document.text and "（yoy）" in document.text and "（附件）" in document.text
