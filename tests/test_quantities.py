"""The pre-extractor: table-driven genre cases, spans, the seeds against the hand labels."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_numerals import (  # the numeral writer of the property tests
    write_chinese,
    write_mixed,
)

from summarizer.quantities import extract_quantities
from summarizer.resources import data_dir
from summarizer.schema import Quantity

CASES_FILE = Path(__file__).parent / "data" / "quantity_cases.yaml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
FIXTURES = data_dir("evals") / "fixtures"


def _numeric(text: str) -> list[Quantity]:
    return [q for q in extract_quantities(text) if not q.is_time]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict) -> None:
    found = _numeric(case["text"])
    assert [q.text for q in found] == [e["text"] for e in case["expect"]]
    for quantity, expected in zip(found, case["expect"]):
        for field, value in expected.items():
            actual = getattr(quantity, field)
            if isinstance(value, float) and actual is not None:
                assert actual == pytest.approx(value), (quantity.text, field)
            else:
                assert actual == value, (quantity.text, field)
    if "times" in case:
        times = [{"text": q.text, "kind": q.kind} for q in extract_quantities(case["text"]) if q.is_time]
        assert times == case["times"]


def test_spans_ids_and_sentences_on_every_case() -> None:
    for case in CASES:
        text = case["text"]
        found = extract_quantities(text)
        assert [q.id for q in found] == [f"q{i}" for i in range(1, len(found) + 1)]
        assert [q.start for q in found] == sorted(q.start for q in found)
        for q in found:
            assert text[q.start:q.end] == q.text
            assert q.sentence_start <= q.start < q.end <= q.sentence_end
            Quantity.model_validate(q.model_dump())


def test_sentence_span_is_the_sentence_holding_the_mention() -> None:
    text = "上半年新增企业12家。力争全年新增企业20家！"
    first, second = _numeric(text)
    assert text[first.sentence_start:first.sentence_end] == "上半年新增企业12家。"
    assert text[second.sentence_start:second.sentence_end] == "力争全年新增企业20家！"


def test_scaled_value_applies_the_scale() -> None:
    (amount,) = _numeric("地区生产总值完成302.3亿元。")
    assert amount.scaled_value == pytest.approx(3.023e10)
    assert amount.base_unit == "元"


def test_no_numbers_gives_an_empty_list() -> None:
    assert extract_quantities("会议强调，要坚持稳字当头、稳中求进。") == []
    assert extract_quantities("") == []


# Text drawn from the genre's own alphabet: digits, numerals, units, cue words, punctuation.
_PIECES = st.sampled_from(
    [
        "1", "2", "3", "0", "5", ".", "-", "—", "%", "％", "１", "２", "亿", "万", "元", "个", "家",
        "百分点", "个百分点", "第", "前", "名", "位", "居", "全市", "约", "近", "超", "多", "余", "左右",
        "以上", "以下", "至", "到", "一", "两", "三", "十", "百", "千", "成", "倍", "翻", "番", "分之",
        "年", "月", "日", "季度", "上半年", "同比", "增长", "下降", "力争", "目标", "：", "，", "。",
        "、", "；", "\n", "“", "”", "（", "）", "A", "G", " ", "企业", "项目", "投资",
        # the forms of the one numeral grammar
        "零", "几", "数", "上", "多", "负", "零下", "点", "首位", "榜首", "折", "千分之", "万分之", "个月", "天",
        "厘米", "美元", "瑞士法郎", "以内", "上下", "至少", "连续", "省", "合肥市",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_spans_are_exact_on_any_text(text: str) -> None:
    last_end = 0
    for q in extract_quantities(text):
        assert text[q.start:q.end] == q.text
        assert q.text
        assert q.start >= last_end, "mentions never overlap (a scope or 零下 taken before one stays its own)"
        assert q.sentence_start <= q.start < q.end <= q.sentence_end
        last_end = q.end
        Quantity.model_validate(q.model_dump())


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.integers(min_value=0, max_value=10**7),
)
def test_any_unicode_never_crashes_and_numbers_keep_their_span(noise: str, number: int) -> None:
    text = f"{noise}全区完成投资{number}亿元，{noise}"
    found = _numeric(text)
    for q in found:
        assert text[q.start:q.end] == q.text
    assert any(q.text == f"{number}亿元" and q.value == number for q in found)


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("seed_*.yaml")) if FIXTURES.is_dir() else []


def test_seeds_match_the_hand_labels(seed_paths: list[Path]) -> None:
    """F1 of (surface, raw offset) against the independent labels in evals/fixtures."""
    from summarizer.document import load_document

    fixtures = _fixtures()
    if not fixtures:
        pytest.skip(f"no seed fixtures in {FIXTURES}")
    by_name = {path.name: path for path in seed_paths}
    hits = extra = missed = 0
    for fixture_path in fixtures:
        fixture = yaml.safe_load(fixture_path.read_text(encoding="utf-8"))
        document = load_document(by_name[Path(fixture["document"]).name])
        labelled = {(q["surface"], q["offset"]) for q in fixture["quantities"]}
        found = {(q.text, document.raw_offset(q.start)) for q in _numeric(document.text)}
        for q in _numeric(document.text):
            assert document.text[q.start:q.end] == q.text
        hits += len(labelled & found)
        extra += len(found - labelled)
        missed += len(labelled - found)
    f1 = 2 * hits / (2 * hits + extra + missed)
    assert f1 >= 0.98, f"F1 {f1:.3f}: {extra} extra, {missed} missed"


def test_seeds_report_no_names_or_rhetoric(seed_paths: list[Path]) -> None:
    """Whatever the labels say: no numeral of a name or a slogan comes out as a quantity."""
    from summarizer.document import load_document

    forbidden = ("十四五", "二十大", "500强", "五区", "三大", "六个", "一对一", "保二争一", "第一产业", "第三方")
    for path in seed_paths:
        text = load_document(path).text
        for q in _numeric(text):
            window = text[max(0, q.start - 2):q.end + 2]
            assert not any(word in window and q.text in word for word in forbidden), window


def test_a_magnitude_has_no_value_and_explains_why(caplog: pytest.LogCaptureFixture) -> None:
    """数十个 states no figure: value None, and the mention's value_note (and the debug log) says why."""
    import logging

    text = "辐射带动数十个乡镇，新增企业12家。"
    with caplog.at_level(logging.DEBUG, logger="summarizer.quantities"):
        magnitude, count = extract_quantities(text)
    assert magnitude.text == "数十个" and magnitude.value is None and magnitude.scaled_value is None
    assert magnitude.value_note is not None and "magnitude" in magnitude.value_note
    assert count.value == 12 and count.value_note is None
    assert any("数十个" in record.getMessage() for record in caplog.records)
    assert [q.text for q in extract_quantities(text)] == ["数十个", "12家"]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=11, max_value=10**12 - 1), st.sampled_from(["元", "人", "家", "美元", "平方米"]))
def test_a_number_written_in_chinese_is_read_in_its_sentence(number: int, unit: str) -> None:
    """Whatever the level structure (五亿零六万, 十二万三千), the mention's scaled value is the number."""
    for written in (write_chinese(number), write_mixed(number)):
        text = f"全区累计完成{written}{unit}，同比增长5%。"
        first = _numeric(text)[0]
        assert first.text == written + unit
        assert first.scaled_value == pytest.approx(number, rel=1e-12), written
