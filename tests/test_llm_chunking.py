"""Long documents: sentence-bounded chunks with overlap, and drafts merged without repeats."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.chunking import merge_drafts, sentence_spans, split_text
from summarizer.schema import ItemDraft, MetaDraft, MetricDraft, SummaryDraft

SENTENCES = [
    "上半年全区地区生产总值完成120.5亿元。",
    "规上工业增加值同比增长8.1%。",
    "固定资产投资同比增长12.4%！",
    "社会消费品零售总额增长6.0%；",
    "下半年要抓项目建设。",
    "力争全年增长7%以上。",
]


def test_short_text_is_one_chunk() -> None:
    text = "".join(SENTENCES)
    assert [(c.start, c.end) for c in split_text(text, max_chars=len(text))] == [(0, len(text))]


def test_chunks_end_on_sentence_ends_and_overlap() -> None:
    text = "\n".join(SENTENCES * 3)
    chunks = split_text(text, max_chars=60, overlap=30)
    ends = {end for _, end in sentence_spans(text)}
    assert len(chunks) > 1
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for previous, chunk in zip(chunks, chunks[1:]):
        assert previous.end in ends
        repeated = text[chunk.start : previous.end].split()
        assert repeated and all(sentence in SENTENCES for sentence in repeated)  # whole sentences again
        assert chunk.start > previous.start  # and always moves forward
    assert all(c.end - c.start <= 60 for c in chunks)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SENTENCES + ["\n", "一句没有句号的很长很长的话" * 5]), min_size=1, max_size=30),
    st.integers(min_value=20, max_value=120),
    st.integers(min_value=0, max_value=40),
)
def test_chunks_cover_the_text_within_budget(parts: list[str], budget: int, overlap: int) -> None:
    text = "".join(parts)
    chunks = split_text(text, budget, overlap)
    covered = set()
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.end - chunk.start <= budget
        covered.update(range(chunk.start, chunk.end))
    assert covered == set(range(len(text)))


def metric(name: str, value: float | None, growth: float | None, quote: str) -> MetricDraft:
    return MetricDraft(name=name, value=value, growth_pct=growth, quote=quote, quantity_ids=["q1"])


def test_merge_removes_repeats_from_overlapping_chunks() -> None:
    first = SummaryDraft(
        meta=MetaDraft(organization="云溪经开区"),
        metrics=[metric("地区生产总值", 120.5, 6.2, "地区生产总值完成120.5亿元，同比增长6.2%")],
        tasks=[ItemDraft(text="抓好项目建设", quote="下半年要抓项目建设")],
    )
    second = SummaryDraft(
        meta=MetaDraft(organization="别的名字", report_period="上半年"),
        metrics=[
            metric("GDP", 120.5, 6.2, "生产总值完成120.5亿元"),  # same indicator, same numbers
            metric("地区生产总值", 118.0, None, "地区生产总值118亿元"),  # a different number: kept
        ],
        tasks=[
            ItemDraft(text="抓好项目建设。", quote="要抓项目建设"),  # near-identical phrase
            ItemDraft(text="优化营商环境", quote="持续优化营商环境"),
        ],
    )
    merged = merge_drafts([first, second])
    assert merged.meta.organization == "云溪经开区" and merged.meta.report_period == "上半年"
    assert [(m.name, m.value) for m in merged.metrics] == [("地区生产总值", 120.5), ("地区生产总值", 118.0)]
    assert [t.text for t in merged.tasks] == ["抓好项目建设", "优化营商环境"]


def test_merge_reads_repeats_by_the_clauses_cited_and_only_across_chunks() -> None:
    first = SummaryDraft(
        problems=[
            ItemDraft(text="企业融资难", clause_ids=["c7"]),
            ItemDraft(text="企业用工难", clause_ids=["c7"]),  # one clause, two problems: both stay
        ],
        tasks=[ItemDraft(text="抓项目建设", clause_ids=["c9"]), ItemDraft(text="优化营商环境", clause_ids=["c12"])],
    )
    second = SummaryDraft(
        problems=[ItemDraft(text="企业融资困难", clause_ids=["c7"])],  # the overlap again, worded otherwise
        tasks=[
            ItemDraft(text="狠抓重大项目建设", clause_ids=["c9"]),
            ItemDraft(text="守牢安全底线", clause_ids=["c15"]),  # no quote on either side: not a repeat
        ],
    )
    merged = merge_drafts([first, second])
    assert [p.text for p in merged.problems] == ["企业融资难", "企业用工难"]
    assert [t.text for t in merged.tasks] == ["抓项目建设", "优化营商环境", "守牢安全底线"]
