"""The rules backend on texts of the genre: our own in tests/data/rules, and the real seeds.

Every expectation below is read off the text by a person (what the meeting report says), never
copied from the backend's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.backends.rules import MAX_PHRASE, RulesBackend
from summarizer.document import Document, document_from_text, load_document
from summarizer.quantities import extract_quantities
from summarizer.resources import seeds_dir
from summarizer.schema import Metric, Summary, Target

DATA = Path(__file__).parent / "data" / "rules"
SEEDS = {
    "000": "000_08655e477cc8bb9c.txt",
    "002": "002_3da7e75e57ff61a1.txt",
    "003": "003_84247649ac335284.txt",
}


def summarize(document: Document) -> Summary:
    return RulesBackend().summarize(document, extract_quantities(document.text))


@pytest.fixture(scope="module")
def half_year() -> Summary:
    return summarize(load_document(DATA / "half_year.txt"))


@pytest.fixture(scope="module")
def quarterly() -> Summary:
    return summarize(load_document(DATA / "quarterly_targets.md"))


@pytest.fixture(scope="module")
def number_free() -> Summary:
    return summarize(load_document(DATA / "no_numbers.txt"))


@pytest.fixture(scope="module")
def multi_article() -> tuple[Document, Summary]:
    document = load_document(DATA / "multi_article.txt")
    return document, summarize(document)


def metric(summary: Summary, name: str) -> Metric:
    found = [m for m in summary.metrics if m.name == name]
    assert found, f"no metric {name!r} among {[m.name for m in summary.metrics]}"
    return found[0]


def target(summary: Summary, name: str) -> Target:
    found = [t for t in summary.targets if t.name == name]
    assert found, f"no target {name!r} among {[t.name for t in summary.targets]}"
    return found[0]


def phrases(summary: Summary, section: str) -> list[str]:
    return [item.text for item in getattr(summary, section)]


def assert_well_formed(summary: Summary) -> None:
    """Every evidence quotes the cleaned text exactly; phrases are short; numbers come from candidates."""
    for section in ("metrics", "targets", "achievements", "problems", "tasks"):
        for item in getattr(summary, section):
            evidence = item.evidence
            assert summary.text[evidence.start : evidence.end] == evidence.quote, (section, item)
    for evidence in summary.meta.evidence.values():
        assert summary.text[evidence.start : evidence.end] == evidence.quote
    for section in ("achievements", "problems", "tasks"):
        for item in getattr(summary, section):
            assert 0 < len(item.text) <= MAX_PHRASE, item.text
    for record in [*summary.metrics, *summary.targets]:
        assert record.evidence.quantity_ids, record


# ------------------------------------------------------------------------- our own texts


def test_half_year_meta(half_year: Summary) -> None:
    meta = half_year.meta
    assert meta.organization == "云溪高新区"
    assert meta.meeting_date is not None and meta.meeting_date.isoformat() == "2024-07-16"
    assert meta.meeting_name == "2024年上半年经济运行分析会"
    assert meta.report_period == "上半年"
    assert half_year.source.sha256 and half_year.diagnostics.backend == "rules"


def test_a_level_and_its_growth_are_one_metric(half_year: Summary) -> None:
    gdp = metric(half_year, "地区生产总值")
    assert (gdp.value, gdp.unit, gdp.growth_pct, gdp.period) == (158.6, "亿元", 7.2, "上半年")
    assert gdp.canonical_name == "地区生产总值"
    assert len(gdp.evidence.quantity_ids) == 2


def test_a_decrease_is_a_negative_growth(half_year: Summary) -> None:
    investment = metric(half_year, "固定资产投资")
    assert (investment.value, investment.growth_pct) == (63.5, -2.4)


def test_a_rank_is_a_metric_of_its_own(half_year: Summary) -> None:
    rank = metric(half_year, "地区生产总值增速全市排名")
    assert (rank.value, rank.unit) == (1, "名")


def test_a_comparison_is_a_metric_not_a_growth(half_year: Summary) -> None:
    industry = metric(half_year, "规模以上工业增加值")
    assert industry.growth_pct == 10.4 and industry.growth_pp is None
    gap = metric(half_year, "规模以上工业增加值增速高于全市平均")
    assert (gap.value, gap.unit) == (2.1, "个百分点")


def test_percentage_points_against_last_year_are_growth_pp(half_year: Summary) -> None:
    share = metric(half_year, "税收占比")
    assert (share.value, share.unit, share.growth_pp) == (81.2, "%", 1.5)


def test_counts_and_qualified_amounts_are_metrics(half_year: Summary) -> None:
    assert metric(half_year, "新认定高新技术企业").value == 38
    total = metric(half_year, "新签约项目协议总投资")  # the subject the text elides is restored
    assert (total.value, total.qualifier) == (120, "more_than")


def test_problems_are_the_enumerated_shortfalls(half_year: Summary) -> None:
    problems = phrases(half_year, "problems")
    assert any("经营压力较大" in p for p in problems)
    assert any("服务业恢复偏慢" in p for p in problems)
    assert not any("在肯定成绩的同时" in p for p in problems)


def test_each_enumerated_duty_is_one_task(half_year: Summary) -> None:
    tasks = phrases(half_year, "tasks")
    for duty in ("狠抓项目建设", "做强主导产业", "优化营商环境", "守牢安全底线"):
        assert sum(duty in t for t in tasks) == 1, (duty, tasks)
    assert not any("重点抓好四方面工作" in t for t in tasks)


def test_achievements_are_results_not_statistics(half_year: Summary) -> None:
    achievements = phrases(half_year, "achievements")
    assert any("获批国家级科技企业孵化器" in a for a in achievements)
    assert any("新签约项目27个" in a for a in achievements)
    assert not any("158.6亿元" in a for a in achievements)


def test_targets_carry_measure_qualifier_horizon_and_cue(quarterly: Summary) -> None:
    gdp = target(quarterly, "地区生产总值增速")
    assert (gdp.value, gdp.unit, gdp.measure, gdp.qualifier, gdp.horizon, gdp.cue) == (
        8,
        "%",
        "growth",
        "approx",
        "全年",
        "目标",
    )
    investment = target(quarterly, "固定资产投资增速")
    assert (investment.qualifier, investment.low, investment.high, investment.value) == ("range", 10, 15, 10)
    projects = target(quarterly, "新开工项目")
    assert (projects.value, projects.measure, projects.qualifier, projects.horizon) == (25, "count", "more_than", "二季度")
    rank = target(quarterly, "全省经开区综合排名")
    assert (rank.value, rank.measure, rank.horizon) == (15, "rank", "年内")
    area = target(quarterly, "建成标准厂房")
    assert (area.value, area.unit, area.measure, area.horizon, area.cue) == (30, "万平方米", "level", "年底", "确保")


def test_a_cue_governs_the_items_after_its_colon(quarterly: Summary) -> None:
    cued = [t for t in quarterly.targets if t.cue == "目标"]
    assert len(cued) == 3


def test_targets_are_not_metrics(quarterly: Summary) -> None:
    stated = {q for m in quarterly.metrics for q in m.evidence.quantity_ids}
    assert not stated & {q for t in quarterly.targets for q in t.evidence.quantity_ids}
    assert metric(quarterly, "规模以上工业总产值").growth_pct == 9.1


def test_a_task_is_phrased_from_its_lead_without_its_goal(quarterly: Summary) -> None:
    tasks = phrases(quarterly, "tasks")
    assert any(t.startswith("抓项目扩投资") for t in tasks)  # the lead, merged with its detail of work
    assert not any("25个" in t for t in tasks)
    assert not any("全年目标" in t for t in tasks)


def test_a_number_free_report_still_has_its_lists(number_free: Summary) -> None:
    assert number_free.metrics == [] and number_free.targets == []
    assert number_free.meta.organization == "石岭县"
    assert any("项目建设稳步推进" in a for a in phrases(number_free, "achievements"))
    assert any("后劲不足" in p for p in phrases(number_free, "problems"))
    tasks = phrases(number_free, "tasks")
    assert len(tasks) == 3 and any("强化要素保障" in t for t in tasks)


def test_a_page_of_articles_gets_one_meta_per_article(multi_article: tuple[Document, Summary]) -> None:
    document, summary = multi_article
    assert len(document.articles) == 2
    assert [a.index for a in summary.articles] == [0, 1]
    first, second = summary.articles
    assert first.meta.organization == "青山高新区"
    assert first.meta.report_period == "前三季度"
    assert second.meta.organization == "柳河镇"
    assert summary.meta.meeting_name == "前三季度经济运行分析会"
    assert metric(summary, "地区生产总值").growth_pct == 6.5
    assert metric(summary, "规模以上工业增加值增速全市排名").value == 2
    assert target(summary, "新增规上工业企业").qualifier == "more_than"
    assert any("农业合作社15家" in a for a in phrases(summary, "achievements"))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir()))
def test_every_span_is_exact_and_every_phrase_short(name: str) -> None:
    assert_well_formed(summarize(load_document(DATA / name)))


def test_the_backend_is_deterministic_and_keeps_no_state() -> None:
    document = load_document(DATA / "half_year.txt")
    backend = RulesBackend()
    first = backend.summarize(document, extract_quantities(document.text))
    backend.summarize(load_document(DATA / "quarterly_targets.md"), [])
    assert backend.summarize(document, extract_quantities(document.text)) == first


def test_grounding_keeps_everything_it_states() -> None:
    grounding = pytest.importorskip("summarizer.grounding")
    for path in sorted(DATA.iterdir()):
        document = load_document(path)
        quantities = extract_quantities(document.text)
        grounded = grounding.enforce(RulesBackend().summarize(document, quantities), quantities)
        assert grounded.diagnostics.dropped == [], (path.name, grounded.diagnostics.dropped)


# ------------------------------------------------------------------------------ real seeds


def seed(key: str) -> Summary:
    path = seeds_dir() / SEEDS[key]
    if not path.is_file():
        pytest.skip(f"seed documents not found in {seeds_dir()} (they are read, never copied)")
    return summarize(load_document(path))


@pytest.mark.seeds
def test_seed_000_reports_gdp_with_its_growth() -> None:
    summary = seed("000")
    gdp = metric(summary, "地区生产总值")
    assert (gdp.value, gdp.unit, gdp.growth_pct, gdp.period) == (302.3, "亿元", 7.5, "上半年")
    assert metric(summary, "税收质量").growth_pp == 1
    assert summary.meta.meeting_name == "2023年度高质量发展推进会"
    assert summary.meta.meeting_date is not None and summary.meta.meeting_date.isoformat() == "2023-08-11"
    assert summary.targets == []
    assert_well_formed(summary)


@pytest.mark.seeds
def test_seed_002_targets() -> None:
    summary = seed("002")
    growth = target(summary, "生产总值增速")
    assert (growth.value, growth.unit, growth.measure, growth.qualifier) == (10, "%", "growth", "approx")
    factories = [t for t in summary.targets if t.name.endswith("示范智能工厂")]
    assert factories and (factories[0].value, factories[0].measure, factories[0].horizon) == (10, "count", "全年")
    assert summary.meta.organization == "郑州高新区" and summary.meta.city == "郑州"
    assert_well_formed(summary)


@pytest.mark.seeds
def test_seed_003_growth_and_rank() -> None:
    summary = seed("003")
    gdp = metric(summary, "GDP")
    assert gdp.growth_pct == 6.9 and gdp.value is None
    assert metric(summary, "GDP增速全市排名").value == 1
    assert summary.meta.meeting_date is not None and summary.meta.meeting_date.isoformat() == "2022-07-29"
    assert_well_formed(summary)


# ------------------------------------------------------------------- sections and markers


@pytest.fixture(scope="module")
def bracketed() -> Summary:
    return summarize(load_document(DATA / "bracket_sections.txt"))


@pytest.fixture(scope="module")
def numbered() -> Summary:
    return summarize(load_document(DATA / "numbered_sections.md"))


def test_a_problem_section_gives_problems_not_tasks(bracketed: Summary) -> None:
    problems = phrases(bracketed, "problems")
    assert any("外贸进出口持续下滑" in p for p in problems)
    assert any("房地产市场持续低迷" in p for p in problems)
    assert not any("低迷" in t or "偏少" in t for t in phrases(bracketed, "tasks"))


def test_first_second_third_mark_tasks(bracketed: Summary) -> None:
    tasks = phrases(bracketed, "tasks")
    assert any("冲刺项目建设" in t for t in tasks)
    assert any("守牢安全底线" in t for t in tasks)
    projects = target(bracketed, "新开工亿元以上项目")
    assert (projects.value, projects.measure, projects.qualifier, projects.horizon) == (50, "count", "more_than", "全年")


def test_numbered_results_are_achievements_not_tasks(numbered: Summary) -> None:
    achievements = phrases(numbered, "achievements")
    assert "经济总量稳步增长" in achievements
    assert any("建成投产" in a for a in achievements)
    assert not any("经济总量" in t for t in phrases(numbered, "tasks"))
    assert numbered.meta.meeting_name == "2024年前三季度经济运行情况通报会"


def test_numbers_stated_as_problems_are_still_metrics(numbered: Summary) -> None:
    assert metric(numbered, "房地产开发投资").growth_pct == -14.6
    assert metric(numbered, "社会消费品零售总额增速低于全市平均").value == 1.3
    assert any("房地产开发投资下降14.6%" in p for p in phrases(numbered, "problems"))


def test_a_count_before_its_noun_is_left_out_of_the_name(numbered: Summary) -> None:
    assert metric(numbered, "重点项目投资").value == 142.6
    assert metric(numbered, "重点项目投资年度计划完成率").unit == "%"


def test_each_duty_of_a_semicolon_list_is_a_task() -> None:
    summary = summarize(load_document(DATA / "semicolon_duties.txt"))
    tasks = phrases(summary, "tasks")
    assert len(tasks) == 4, tasks
    assert any("强化工业支撑" in t for t in tasks) and any("优化营商环境" in t for t in tasks)


def test_listed_problems_are_stated_without_their_hedge() -> None:
    summary = summarize(load_document(DATA / "semicolon_duties.txt"))
    assert phrases(summary, "problems") == ["工业投资增长乏力", "新兴产业培育偏慢"]  # one item per shortfall
    assert metric(summary, "社会消费品零售总额").growth_pct == 5.9


def test_a_headline_with_commas_is_no_item_and_the_lead_no_task() -> None:
    summary = summarize(load_document(DATA / "title_with_comma.txt"))
    tasks = phrases(summary, "tasks")
    assert tasks == ["加快项目建设", "强化企业服务，帮助企业拓市场、稳订单"]
    assert phrases(summary, "achievements") == ["规模以上工业增加值增速居全市第二"]  # a rank, not the figure
    assert summary.problems == []
    projects = target(summary, "新开工项目")
    assert (projects.value, projects.qualifier, projects.horizon, projects.cue) == (12, "more_than", "年底", "确保")
    assert metric(summary, "规模以上工业增加值增速全市排名").value == 2


@pytest.fixture(scope="module")
def wechat() -> Summary:
    return summarize(load_document(DATA / "wechat_markers.txt"))


def test_a_change_against_an_earlier_quarter_is_growth_pp_and_not_the_period(wechat: Summary) -> None:
    output = metric(wechat, "规上工业总产值")
    assert (output.value, output.growth_pct, output.growth_pp, output.period) == (263.4, 14.2, 1.6, "1—6月")
    assert all(m.period == "1—6月" for m in wechat.metrics)


def test_a_completion_rate_keeps_its_subject(wechat: Summary) -> None:
    assert metric(wechat, "一般公共预算收入年度预算完成率").value == 43.5


def test_numbers_under_a_shortfall_heading_are_problems(wechat: Summary) -> None:
    problems = phrases(wechat, "problems")
    assert any("社会消费品零售总额同比下降1.2%" in p for p in problems)
    assert "两家企业成功登陆北交所" in phrases(wechat, "achievements")


def test_a_horizon_word_is_not_part_of_a_target_name(wechat: Summary) -> None:
    output = target(wechat, "规上工业总产值")
    assert (output.value, output.qualifier, output.horizon, output.cue) == (550, "more_than", "全年", "确保")
    assert wechat.meta.meeting_name == "半年工作会议"


def test_items_enumerated_within_one_sentence_are_tasks_of_their_own() -> None:
    summary = summarize(load_document(DATA / "comma_enumeration.txt"))
    tasks = phrases(summary, "tasks")
    assert [t.split("，")[0] for t in tasks] == ["抓项目建设", "抓招商引资", "抓安全生产"]


def test_a_total_the_indicator_table_knows_keeps_its_change() -> None:
    text = "前三季度，全县出口总额6.25亿元，同比下降8.1%；进出口总额9.4亿元，同比增长2.7%。"
    summary = summarize(document_from_text(text))
    exports, trade = metric(summary, "出口总额"), metric(summary, "进出口总额")
    assert (exports.value, exports.unit, exports.growth_pct) == (6.25, "亿元", -8.1)
    assert (trade.value, trade.unit, trade.growth_pct) == (9.4, "亿元", 2.7)


def test_a_forecast_is_no_result_and_a_hedge_is_no_part_of_a_name() -> None:
    text = (
        "前三季度，全县税收收入预计完成8.3亿元，同比增长4.2%。"
        "按目前进度测算，预计全年固定资产投资可望突破55亿元。"
    )
    summary = summarize(document_from_text(text))
    taxes = metric(summary, "税收收入")  # an estimate of the quarters reported: a result
    assert (taxes.value, taxes.growth_pct) == (8.3, 4.2)
    assert [m.name for m in summary.metrics] == ["税收收入"]  # what the year may reach is not
    forecast = target(summary, "固定资产投资")
    assert (forecast.value, forecast.unit, forecast.cue, forecast.horizon) == (55, "亿元", "预计", "全年")


def test_a_goal_that_does_not_repeat_its_indicator_takes_the_one_before_it() -> None:
    text = "1—5月，全县社会消费品零售总额32.6亿元，同比增长4.8%，全年确保增长6%以上。固定资产投资下降2.1%。"
    summary = summarize(document_from_text(text))
    goal = target(summary, "社会消费品零售总额增速")
    assert (goal.value, goal.unit, goal.qualifier, goal.cue) == (6, "%", "more_than", "确保")
    assert len(summary.targets) == 1
    assert metric(summary, "社会消费品零售总额").growth_pct == 4.8  # the result keeps its own change
    assert metric(summary, "固定资产投资").growth_pct == -2.1


def test_a_rate_whose_change_word_follows_it_is_a_growth() -> None:
    text = "会议指出，上半年，全县技改投资实现6.2%正增长，建筑业产值出现3.5%的负增长，规上工业企业达到48家。"
    summary = summarize(document_from_text(text))
    renovation = metric(summary, "技改投资")
    assert (renovation.value, renovation.growth_pct) == (None, 6.2)  # a change, not a level of 6.2 %
    assert [m.growth_pct for m in summary.metrics if m.name.startswith("建筑业产值")] == [-3.5]
    assert metric(summary, "规上工业企业").value == 48  # a level stays a level


def test_a_figure_restated_in_the_body_is_one_metric() -> None:
    text = ("本报讯 前三季度，全镇完成固定资产投资18.4亿元，同比增长9.3%。\n"
            "会议通报，前三季度，12个重点项目完成投资6.1亿元；全镇完成固定资产投资18.4亿元，同比增长9.3%。")
    summary = summarize(document_from_text(text))
    restated = [m for m in summary.metrics if m.name == "固定资产投资"]
    assert [(m.value, m.growth_pct) for m in restated] == [(18.4, 9.3)]
    assert restated[0].evidence.start < text.index("\n")  # the first statement keeps the evidence


def test_a_count_after_the_body_word_is_named_by_the_noun_after_it() -> None:
    text = "会议指出，上半年，全市326家规模以上工业企业实现工业总产值415.2亿元，同比增长8.1%。"
    summary = summarize(document_from_text(text))
    assert metric(summary, "规模以上工业企业").value == 326  # 全市 scopes the count, it names nothing
    assert all(m.name != "全市" for m in summary.metrics)


def test_an_earlier_period_or_a_cut_word_names_no_metric() -> None:
    text = "前三季度，全区发明专利授权量137件，超过去年同期2倍；新签约项目14个，其中8个项"
    summary = summarize(document_from_text(text))
    assert metric(summary, "发明专利授权量").value == 137
    assert metric(summary, "新签约项目").value == 14
    assert all(m.name not in ("同期", "去年同期", "项") for m in summary.metrics)


def test_the_examples_before_deng_do_not_name_the_count() -> None:
    text = "上半年，全区引进青峰新材料产业园等亿元项目12个，总投资64.5亿元；中等职业学校在校生3200人。"
    summary = summarize(document_from_text(text))
    assert metric(summary, "引进亿元项目").value == 12  # 等 closes the examples; the words after it name the figure
    assert any(m.name.startswith("中等职业学校") and m.value == 3200 for m in summary.metrics)  # 中等 is a word


def test_indicators_that_reached_their_goal_are_a_result_and_their_tally_no_metric() -> None:
    text = "一季度，全县12项主要经济指标中有9项达到或超过目标序时进度，其中工业投资增长18.2%，增速居全市第一。"
    quantities = {text[q.start : q.end]: q for q in extract_quantities(text)}
    assert not quantities["9项"].is_target and not quantities["12项"].is_target  # a goal reached: results
    summary = summarize(document_from_text(text))
    assert not summary.targets
    assert all(m.unit != "项" for m in summary.metrics)  # tallies of indicators are no indicator
    assert any("达到或超过目标" in item.text for item in summary.achievements)
    assert any(m.value == 18.2 or m.growth_pct == 18.2 for m in summary.metrics)


def test_a_rank_reached_by_a_move_is_named_by_what_moved() -> None:
    summary = summarize(document_from_text("在年度园区综合评价中，开发区创新能力由第31位上升到第9位，位次前移22位。"))
    assert any(m.name == "创新能力排名" and m.value == 9 for m in summary.metrics)
    assert not any("上升" in m.name or "由" in m.name for m in summary.metrics)


def test_a_rank_by_total_is_the_rank_of_the_indicator_before_it() -> None:
    summary = summarize(document_from_text("一季度，全县社会消费品零售总额完成42.6亿元，同比增长7.1%，总量居全市第二。"))
    assert any(m.name == "社会消费品零售总额全市排名" and m.value == 2 for m in summary.metrics)
    summary = summarize(document_from_text("上半年，全区地区生产总值完成318.2亿元，同比增长6.6%，总量居全市第三。"))
    assert any(m.name == "地区生产总值总量全市排名" and m.value == 3 for m in summary.metrics)


def test_a_completion_rate_of_a_goal_set_above_names_the_indicator_not_who_set_it() -> None:
    summary = summarize(document_from_text("上半年，全县工业投资38.5亿元，完成省里下达全年目标的61.2%。"))
    assert any(m.name == "工业投资全年目标完成率" and m.value == 61.2 for m in summary.metrics)


def test_a_rank_in_a_ranking_named_before_it_takes_the_rankings_name() -> None:
    summary = summarize(document_from_text(
        "在全省开发区高质量发展综合考核中，城南经开区由第12位上升到第5位，营商环境由第9位上升到第2位。"
    ))
    names = {m.name: m.value for m in summary.metrics}
    assert names.get("全省开发区高质量发展综合考核排名") == 5
    assert names.get("营商环境排名") == 2  # a rank that names its own subject keeps it
