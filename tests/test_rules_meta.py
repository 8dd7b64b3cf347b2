"""The rules backend's meta stage on short invented reports of the genre.

Every sentence here is written for the test (places are invented or only borrow a real city's
name); each failure mode is tested from both sides: the body or period the text names is found,
and the substring that only looks like one is refused.
"""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.backends.rules import RulesBackend
from summarizer.backends.rules.bodies import named_bodies
from summarizer.backends.rules.lexicon import lexicon
from summarizer.backends.rules.meta import extract_meta
from summarizer.document import document_from_text
from summarizer.quantities import extract_quantities
from summarizer.schema import Meta


def meta(text: str, *, title: str | None = None, published: dt.date | None = None, source: str | None = None) -> Meta:
    found = extract_meta(text, 0, len(text), title, published, lexicon(), source)
    for evidence in found.evidence.values():
        assert text[evidence.start : evidence.end] == evidence.quote
    return found


def body_names(text: str) -> list[str]:
    return [b.name for b in named_bodies(text, 0, len(text), lexicon()) if not b.generic]


# ----------------------------------------------------------------------------- organisation


def test_the_body_before_the_verb_holds_the_meeting() -> None:
    found = meta("6月30日，枫林县召开上半年经济运行分析会。上半年，全县地区生产总值增长5.1%。")
    assert found.organization == "枫林县"
    assert found.meeting_name == "上半年经济运行分析会"


def test_the_longest_proper_name_of_the_body_is_reported() -> None:
    text = (
        "槐川经开区半年新签约项目18个\n"
        "7月12日上午，在槐川经济技术开发区2024年上半年工作会议上，党工委书记通报了上半年成绩。"
        "上半年，槐川经开区一般公共预算收入增长6.3%。"
    )
    found = meta(text, title="槐川经开区半年新签约项目18个")
    assert found.organization == "槐川经济技术开发区"
    assert found.city == "槐川"
    assert found.meeting_name == "2024年上半年工作会议"  # without the body holding it


def test_a_zone_named_with_a_qualifier_is_reported_without_it() -> None:
    found = meta("8月3日，柘江国家高新区召开上半年经济运行分析会。")
    assert found.organization == "柘江高新区" and found.city == "柘江"


def test_a_body_named_only_generically_is_reported_as_written() -> None:
    county = meta("9月20日，我县召开2024年三季度经济运行分析会议。会上，县统计局汇报了三季度经济运行情况。")
    assert county.organization == "县" and county.city is None
    city = meta("全市经济运行调度会昨日在市会议中心召开，常务副市长出席会议。")
    assert city.organization == "市" and city.city is None
    assert city.meeting_name == "全市经济运行调度会"


def test_a_watched_meeting_belongs_to_the_body_that_holds_it() -> None:
    text = (
        "3月2日，我县组织收看全市推进制造业高质量发展大会。会议对荣获青禾市2023年度工业强县称号的"
        "柳溪县进行了表彰。"
    )
    found = meta(text)
    assert found.meeting_name == "全市推进制造业高质量发展大会"
    assert found.organization == "青禾市" and found.city == "青禾"


def test_the_chairs_title_names_the_body() -> None:
    found = meta("近日，枫岭县委副书记、县长主持召开2024年一季度经济运行分析暨项目调度会。")
    assert found.organization == "枫岭县"
    generic = meta("4月18日，区委书记主持召开全区一季度经济运行分析会，听取各部门汇报。")
    assert generic.organization == "区"


def test_a_place_opening_the_meetings_name_is_its_body() -> None:
    found = meta("10月9日，县委副书记、县长主持召开汶水三季度经济指标调度会。")
    assert found.organization == "汶水"


def test_an_organ_that_meets_is_the_body() -> None:
    found = meta("11月2日，区委常委会召开会议，分析前三季度经济形势。")
    assert found.organization == "区委常委会"
    assert found.meeting_name == "区委常委会会议"
    notice = meta("近日，枫港高新区管委会召开主任办公会，研究一季度经济运行。")
    assert notice.organization == "枫港高新区管委会" and notice.city == "枫港"


def test_a_place_of_the_text_beats_a_zone_it_only_mentions() -> None:
    text = "近日，石桥旗召开全旗经济工作会议。会议要求，抓好工业园区扩容提质，做好工业园区配套。"
    assert meta(text).organization == "石桥旗"
    district = (
        "12月20日上午，区委书记主持召开全区工作务虚会，高新区管委会、各街道主要负责同志参加。"
        "我们要把柳岸区放到全市大局中谋划。"
    )
    assert meta(district).organization == "柳岸区"


@pytest.mark.parametrize(
    ("sentence", "fragment"),
    [
        ("会议要求一区四园对标对表，补齐短板。", "要求一区"),
        ("按照市里部署，抓紧推进项目。", "按照市"),
        ("全县地区生产总值增长5.6%。", "地区"),
        ("常务副市长出席会议并讲话。", "常务副市"),
        ("加快打造全域旅游示范区。", "域旅游示范区"),
        ("部分乡镇项目推进滞后。", "部分乡镇"),
        ("积极推动企业上市融资。", "企业上市"),
        ("进一步拓展城市发展空间。", "拓展城市"),
        ("全力抓好工业园区扩容提质。", "抓好工业园区"),
        ("完成市政府下达目标的61.5%。", "完成市"),
        ("副县长章某出席。", "章某副县"),
        ("，核心区建设加快推进。", "核心区"),
    ],
)
def test_a_substring_of_an_indicator_or_verb_phrase_names_no_body(sentence: str, fragment: str) -> None:
    assert fragment not in body_names(sentence)
    assert all(fragment not in name for name in body_names(sentence))


def test_names_of_bodies_are_found_after_their_lead_words() -> None:
    text = "增速居青禾市第一。记者从云岭高新区获悉。荣获柳溪县先进称号。在淮水经济开发区调研。"
    assert body_names(text) == ["青禾市", "云岭高新区", "柳溪县", "淮水经济开发区"]


def test_null_rather_than_a_guess() -> None:
    found = meta("会议要求一区四园按照市里部署抓好落实，地区生产总值要稳中有进。")
    assert found.organization is None and found.city is None


def test_a_common_noun_before_a_zone_does_not_outrank_the_body_of_the_report() -> None:
    text = "今年以来，全县智能制造产业园区加快建设。全县规上工业增加值增长8%，全县工业投资增长11%。"
    assert meta(text).organization == "县"


def test_a_statistics_report_without_a_meeting_names_its_city_generically() -> None:
    text = "上半年，全市规模以上工业增加值增长9%，完成市政府下达全年目标的58.2%，全市工业投资增长12%。"
    found = meta(text)
    assert found.organization == "市" and found.city is None and found.meeting_name is None


# -------------------------------------------------------------------------------------- city


def test_a_zones_place_is_its_city_and_a_long_place_starts_with_it() -> None:
    assert meta("7月8日，槐川高新区召开上半年经济运行分析会。").city == "槐川"
    long_place = meta("1月26日，南通星港开发区召开2024年工作会议。")
    assert long_place.organization == "南通星港开发区" and long_place.city == "南通"


def test_the_city_written_before_a_district_is_its_city() -> None:
    found = meta("5月6日，青禾市松岭区召开经济运行分析会。")
    assert found.organization == "松岭区" and found.city == "青禾"


def test_the_one_city_a_countys_report_names_is_its_city() -> None:
    text = "3月29日，柳溪县召开一季度经济运行分析会。一季度，全县地区生产总值增速居青禾市第二。"
    assert meta(text).city == "青禾"
    two = "3月29日，柳溪县召开一季度经济运行分析会。增速居青禾市第二，与槐山市并列。"
    assert meta(two).city is None
    visit = meta("近日，副省长莅临宜宾调研。4月2日，南溪桥区召开一季度经济运行分析会。")
    assert visit.organization == "南溪桥区" and visit.city == "宜宾"


def test_a_local_medium_names_the_city() -> None:
    text = "5月24日，南溪桥区召开经济运行分析会，分析研判4月份经济运行形势。"
    assert meta(text, source="宜宾发布").city == "宜宾"
    assert meta(text, source="南溪桥区融媒体中心").city is None  # a district's medium names no city
    assert meta(text, source="大公网").city is None


def test_the_page_source_reaches_the_meta_through_the_backend() -> None:
    document = document_from_text("来源：绵阳日报\n近日，涪南区召开全区经济工作会议，部署明年重点工作。\n")
    summary = RulesBackend().summarize(document, extract_quantities(document.text))
    assert summary.meta.organization == "涪南区"
    assert summary.meta.city == "绵阳"


def test_no_city_from_a_fragment() -> None:
    assert meta("在淮水经济开发区2024年度上半年工作会议上，党工委书记讲话。").city == "淮水"
    assert meta("全市上下要抓好项目，完成市政府下达的任务。").city is None
    assert meta("1月30日，星港火炬开发区召开2023年工作总结大会。").city is None  # 星港火炬 is no city's name


# ------------------------------------------------------------------------------ meeting name


@pytest.mark.parametrize(
    "text",
    [
        "会议传达学习了全省经济工作会议精神，研究贯彻措施。",
        "下一步，要召开现场推进会，压实工作责任。",
        "印发了《关于召开全县经济工作会议的通知》。",
        "县长在全市重点项目推进会上的讲话要求抓好落实。",
        "通过建立工作台账、召开推进会等方式推动落实。",
    ],
)
def test_a_meeting_only_mentioned_is_not_the_meeting(text: str) -> None:
    assert meta(text).meeting_name is None


def test_a_meeting_held_is_found_however_it_is_written() -> None:
    assert meta("9月26日，汶水县三季度经济运行调度会在县政府召开。").meeting_name == "三季度经济运行调度会"
    assert meta("12月26日，市政府新闻办召开新闻发布会，介绍枫港高新区全年经济运行情况。").meeting_name == "新闻发布会"


# ------------------------------------------------------------------------------------ period


def test_the_first_three_quarters_are_reported_as_such() -> None:
    found = meta("10月9日，县长主持召开汶水三季度经济指标调度会。前三季度，全县经济总体平稳。")
    assert found.report_period == "前三季度"
    only_third = meta("9月20日，我县召开三季度经济运行分析会。三季度是全年的关键节点。")
    assert only_third.report_period == "三季度"


def test_a_period_still_to_come_is_not_the_period_reviewed() -> None:
    text = "7月16日，湄溪经开区召开上半年经济运行分析会。上半年，经开区主要指标平稳。确保第三季度新开工项目12个。"
    assert meta(text).report_period == "上半年"
    ahead = meta("5月20日，松岭区召开经济运行分析会，安排部署二季度经济工作，分析研判4月份经济运行形势。")
    assert ahead.report_period == "4月"


def test_the_figures_period_when_the_meetings_own_has_not_ended() -> None:
    text = "6月28日，全市上半年经济形势分析调度会召开。元至五月，全市规模以上工业增加值增长7.2%，居全省第二位。"
    assert meta(text).report_period == "元至五月"


def test_a_whole_year_reviewed() -> None:
    january = meta("1月12日，滨湖新区召开2024年工作会议，回顾总结2023年工作。预计2023年新区生产总值增长7%。")
    assert january.report_period == "2023年"
    december = meta("12月19日上午，区委书记主持召开全区工作务虚会，全面总结今年工作，谋划明年任务。")
    assert december.report_period == "今年"
    goals_only = meta("近日，石桥旗召开全旗经济工作会议，确定了今年的主要预期目标。2024年，石桥旗将加快转型。")
    assert goals_only.report_period is None


# -------------------------------------------------------------------------------------- date


def test_a_name_with_two_years_dates_the_meeting_by_its_month() -> None:
    name = "蓝溪区召开2024年工作总结暨2025年工作部署会"
    assert meta(f"1月8日，{name}。").meeting_date == dt.date(2025, 1, 8)
    assert meta(f"12月28日，{name}。").meeting_date == dt.date(2024, 12, 28)
    assert meta("2月20日，桃源镇召开2024年度总结表彰大会。").meeting_date == dt.date(2025, 2, 20)


def test_a_session_setting_next_years_goals_is_dated_in_that_year() -> None:
    text = (
        "2月10日下午，我县召开工业发展大会。会议对荣获2023年度工业发展先进单位的企业进行了表彰，"
        "2023年度纳税十强企业受到表扬。2024年，全县将继续推进工业倍增。"
    )
    assert meta(text).meeting_date == dt.date(2024, 2, 10)


def test_a_dateline_or_the_publish_date_gives_the_year() -> None:
    text = "青禾日报 2024年8月2日 第2版\n7月31日，青禾经开区召开上半年经济运行分析会。"
    assert meta(text).meeting_date == dt.date(2024, 7, 31)
    published = meta("11月1日，区委常委会召开会议，分析前三季度经济形势。", published=dt.date(2022, 1, 25))
    assert published.meeting_date == dt.date(2021, 11, 1)


def test_no_year_no_date() -> None:
    assert meta("10月8日，县长主持召开汶水三季度经济指标调度会。").meeting_date is None
