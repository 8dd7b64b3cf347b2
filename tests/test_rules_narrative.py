"""The rules backend's narrative stage on short invented reports: one item per result, problem and work."""

from __future__ import annotations

from summarizer.backends.rules.lexicon import lexicon
from summarizer.backends.rules.narrative import Narrative, extract_narrative
from summarizer.backends.rules.phrases import MAX_PHRASE
from summarizer.document import document_from_text
from summarizer.quantities import extract_quantities
from summarizer.text.sentences import segment


def narrative(text: str) -> Narrative:
    document = document_from_text(text)
    return extract_narrative(segment(document.text), extract_quantities(document.text), lexicon())


def items(text: str, section: str) -> list[str]:
    return [p.text for p in narrative(text).phrases if p.section == section]


def test_every_phrase_fits_the_limit_and_its_evidence_is_a_span_of_the_text() -> None:
    text = (
        "会议要求，要坚持以项目建设为中心，全力推进城东片区综合开发、滨江新城基础设施配套、老旧厂区更新改造"
        "和高铁站前商务区建设，加快形成一批实物工作量。"
    )
    found = narrative(text).phrases
    assert found
    for phrase in found:
        assert len(phrase.text) <= MAX_PHRASE
        assert 0 <= phrase.start < phrase.end <= len(text)


def test_each_duty_and_each_enumerated_item_is_a_task() -> None:
    tasks = items(
        "会议要求，下半年重点抓好以下工作：一是加快项目建设，推动签约项目落地；二是强化招商引资，引进龙头企业；"
        "三是优化营商环境，深化企业服务。",
        "tasks",
    )
    assert tasks == ["加快项目建设，推动签约项目落地", "强化招商引资，引进龙头企业", "优化营商环境，深化企业服务"]


def test_a_short_lead_merges_with_its_detail_or_only_announces() -> None:
    merged = items("● 要抓好重点企业。对重点企业逐户走访，帮助解决用工难题。\n", "tasks")
    assert merged == ["抓好重点企业，对重点企业逐户走访，帮助解决用工难题"]
    announced = items("要抓招商引资。招商部门要紧盯头部企业开展精准招商。园区要做好落地服务。\n", "tasks")
    assert announced == ["紧盯头部企业开展精准招商", "做好落地服务"]


def test_numeric_goals_are_left_to_the_targets_and_the_work_stays() -> None:
    tasks = items("要抓项目扩投资，力争全年新开工项目40个以上，确保完成投资80亿元。", "tasks")
    assert tasks == ["抓项目扩投资"]


def test_work_that_names_a_problem_states_the_problem() -> None:
    text = "会议要求，要着力解决企业融资难、用工难等问题，切实补齐园区配套短板。"
    assert items(text, "problems") == ["企业融资难、用工难", "补齐园区配套短板"]
    assert items(text, "tasks")


def test_shortfalls_are_listed_one_by_one() -> None:
    problems = items("会议指出，当前仍面临不少困难：工业投资增长乏力；消费市场恢复偏慢；财政收支压力较大。", "problems")
    assert problems == ["工业投资增长乏力", "消费市场恢复偏慢", "财政收支压力较大"]


def test_a_plain_figure_is_a_metric_and_a_deed_or_a_rank_an_achievement() -> None:
    text = (
        "上半年，全区固定资产投资完成42.5亿元，增长0.2%。"
        "新签约亿元以上项目12个，总投资86亿元。"
        "规上工业增加值增长9.1%，增速居全市第二。"
        "成功获批省级高新技术产业开发区。"
    )
    achievements = items(text, "achievements")
    assert not any("42.5亿元" in a for a in achievements)
    assert "新签约亿元以上项目12个，总投资86亿元" in achievements
    assert "规上工业增加值增速居全市第二" in achievements
    assert "成功获批省级高新技术产业开发区" in achievements


def test_steps_of_the_meeting_are_no_items() -> None:
    found = narrative(
        "9月3日，东港区召开经济运行调度会。会上，发改、统计等部门汇报了经济运行情况。与会人员进行了交流发言。"
    ).phrases
    assert found == []


def test_a_generic_acknowledgement_is_stated_once() -> None:
    problems = items("会议指出，也要看到存在的问题和不足。同时，工作中还存在一些问题和不足。", "problems")
    assert len(problems) == 1


def test_a_list_cut_to_fit_keeps_the_noun_it_enumerates() -> None:
    counted = items(
        "会议强调，要深入推进园区道路提质改造、标准厂房扩容建设、污水管网补缺完善、人才公寓配套提升和"
        "数字园区平台建设五大工程。",
        "tasks",
    )
    assert counted == ["推进园区道路提质改造、标准厂房扩容建设、污水管网补缺完善等五大工程"]
    named = items(
        "会议要求，下半年要培育壮大智能装备制造、新型储能材料、生物医药研发、跨境电商服务和冷链物流配送等"
        "特色产业集群。",
        "tasks",
    )
    assert named == ["培育壮大智能装备制造、新型储能材料、生物医药研发等特色产业集群"]
    quoted = items(
        "会议要求，要紧紧抓住东部产业梯度转移、沿江高铁全线贯通、内陆开放口岸获批等多重利好叠加的“窗口期”。",
        "tasks",
    )
    assert quoted == ["抓住东部产业梯度转移、沿江高铁全线贯通等多重利好叠加的“窗口期”"]


def test_a_list_of_indicators_closed_by_deng_is_the_subject_of_one_result() -> None:
    achievements = items(
        "上半年，全区经济运行稳中向好。工业用电量、货物运输周转量、金融机构存款余额、税收收入、外贸进出口额等主要指标"
        "均位居全市前三，"
        "营商环境持续优化。",
        "achievements",
    )
    ranked = [item for item in achievements if "位居全市前三" in item]
    assert ranked == ["工业用电量、货物运输周转量、金融机构存款余额、税收收入等主要指标均位居全市前三"]  # one, cut to fit


def test_how_results_were_pursued_is_no_result_and_the_result_after_it_is() -> None:
    achievements = items(
        "会议指出，今年以来，全市上下在省委省政府的坚强领导下，坚持项目为王、实干为先，以招大引强为主线，"
        "推动园区经济稳中向好、后劲增强。",
        "achievements",
    )
    assert achievements == ["推动园区经济稳中向好、后劲增强"]
    scoped = items("上半年，围绕新能源电池、精密模具等产业开展精准招商，引进链主企业落户。", "achievements")
    assert any(item.startswith("围绕新能源电池") for item in scoped)  # a deed scoped by 围绕 stays a result


def test_being_first_to_do_something_is_a_result_even_beside_a_figure() -> None:
    achievements = items("坚持稳岗扩容，率先推行“夜间零工市场”服务，城镇调查失业率为4.1%。", "achievements")
    assert any("率先推行“夜间零工市场”服务" in item for item in achievements)


def test_a_clause_aimed_at_a_standing_is_a_goal_not_a_result() -> None:
    text = (
        "上半年，全县经济运行稳中有进，开发区获评省级优秀园区。"
        "会议的主要任务是梳理差距、补齐短板，确保重点指标实现“双过半”。"
    )
    achievements = items(text, "achievements")
    assert any("获评省级优秀园区" in item for item in achievements)
    assert not any("双过半" in item for item in achievements)  # 确保…: aimed at, not reached


def test_a_sentence_that_says_what_the_main_task_is_sets_work() -> None:
    tasks = items("座谈会的主要任务是摸清企业诉求、协调要素保障，推动技改项目尽快投产。", "tasks")
    assert tasks and "摸清企业诉求" in tasks[0]


def test_work_set_in_answer_to_a_situation_is_a_task_without_the_situation() -> None:
    text = (
        "上半年，全镇新签约项目12个。"
        "面对周边园区你追我赶的招商态势，我们必须拿出更实举措，盯紧龙头企业开展上门招商。"
    )
    tasks = items(text, "tasks")
    assert tasks and tasks[0].startswith("拿出更实举措")
    assert not any("更实举措" in item for item in items(text, "achievements"))


def test_a_task_phrase_drops_the_examples_before_the_work() -> None:
    tasks = items(
        "会议要求，要抓重点企业稳产达产。诸如化工、建材、食品加工、纺织服装、电子信息、汽车零部件等六个重点行业，"
        "做到应统尽统、应报尽报，确保一季度工业增速明显回升。",
        "tasks",
    )
    assert tasks and not any("诸如" in item for item in tasks)
    assert any("应统尽统" in item for item in tasks)
