"""Prompt files: placeholders filled, a versioned hash, an honest worked example, the clause and candidate tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from summarizer.grounding import ground
from summarizer.prompting import candidate_table, fill, load_prompts, prompt_version, read_clauses, render_clauses
from summarizer.quantities import extract_quantities
from summarizer.resources import data_dir
from summarizer.schema import SummaryDraft
from summarizer.text.clauses import clause_table

TEXT = "上半年，全区地区生产总值完成120.5亿元，同比增长6.2%。下半年力争全年增长7%以上。"


def test_messages_hold_the_clause_table_and_candidates_between_markers() -> None:
    prompts = load_prompts()
    messages = prompts.messages(TEXT, extract_quantities(TEXT))
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert "<document>" not in user  # the table carries the text: it is not sent twice
    clauses = user.split("<clauses>\n", 1)[1].split("\n</clauses>", 1)[0]
    assert clauses.splitlines() == [
        "编号|部分|原文",
        "c1|成效|上半年，",
        "c2||全区地区生产总值完成120.5亿元，",
        "c3||同比增长6.2%。",
        "c4|任务|下半年力争全年增长7%以上。",
    ]
    table = user.split("<candidates>\n", 1)[1].split("\n</candidates>", 1)[0]
    rows = [row.split(" | ") for row in table.splitlines()[1:]]
    assert [row[1] for row in rows] == ["120.5亿元", "6.2%", "7%以上"]  # 上半年/下半年/全年: time, left out
    assert rows[2][-1] == "是" and rows[0][-1] == "否"
    assert "{{" not in messages[0]["content"] and "{{" not in user
    assert "<!--" not in messages[0]["content"] + user  # the maintainers' comments stay in the files


def test_the_clause_table_holds_the_text_once_and_reads_back() -> None:
    text = "云溪高新区召开调度会\n会议指出，一季度经济开局平稳，项目建设提速。\n但也要看到，部分企业订单不足，\n工业投资后劲不够。"
    table = clause_table(text)
    rendered = render_clauses(table)
    body = rendered.splitlines()[1:]
    assert body[0] == "c1|标题|云溪高新区召开调度会" and body[1] == ""  # paragraphs apart
    shown = read_clauses(rendered)
    assert [row.id for row in shown] == [row.id for row in table.rows]
    assert [row.section for row in shown] == ["标题", "成效", "成效", "成效", "问题", "问题", "问题"]
    assert [row.paragraph for row in shown] == [0, 1, 1, 1, 2, 2, 2]  # the broken line is one paragraph
    # Read in order the rows are the text, line breaks inside a paragraph aside.
    assert "".join(row.text for row in shown) == text.replace("\n", "")
    for row in table.rows:
        assert text[row.start : row.end] in text[row.start : row.shown_end]


def test_a_chunk_shows_its_clauses_with_the_ids_of_the_whole_document() -> None:
    text = "上半年，地区生产总值完成120.5亿元。下半年要抓项目建设，要优化营商环境。"
    table = clause_table(text)
    later = table.subset(text.index("下半年"), len(text))
    shown = read_clauses(render_clauses(later))
    assert [row.id for row in shown] == ["c3", "c4"]
    assert [row.section for row in shown] == ["任务", "任务"]  # a chunk's first row states its section


def test_the_version_is_a_hash_of_the_files(tmp_path: Path) -> None:
    copy = tmp_path / "prompts"
    shutil.copytree(data_dir("prompts"), copy)
    assert prompt_version(copy) == prompt_version() == load_prompts().version
    assert len(prompt_version()) == 12
    path = copy / "summarize.user.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert prompt_version(copy) != prompt_version()
    assert load_prompts(copy).version == prompt_version(copy)


def test_fill_refuses_missing_or_unused_values() -> None:
    assert fill("a {{x}} b", x="1") == "a 1 b"
    with pytest.raises(ValueError):
        fill("a {{x}} {{y}}", x="1")
    with pytest.raises(ValueError):
        fill("a {{x}}", x="1", y="2")


def test_the_worked_example_is_grounded_in_its_own_text() -> None:
    """The example answers as the prompt asks: clause ids for every item, phrases within the limit,
    every number cited, and grounding keeps all of it."""
    example = yaml.safe_load((data_dir("prompts") / "fewshot.yaml").read_text(encoding="utf-8"))
    text = example["document"]
    answer = SummaryDraft.model_validate(example["answer"])
    table = {row["id"]: row for row in example["candidates"]}
    clauses = clause_table(text)
    records = [*answer.metrics, *answer.targets, *answer.achievements, *answer.problems, *answer.tasks]
    for item in records:
        assert item.clause_ids and set(item.clause_ids) <= set(clauses.by_id), item
        assert item.quote is None, item  # the example shows the answer asked for: ids, no quotes
    for item in [*answer.achievements, *answer.problems, *answer.tasks]:
        assert len(item.text) <= 40, item.text
    for item in [*answer.metrics, *answer.targets]:
        values = {table[qid]["value"] for qid in item.quantity_ids}
        stated = {v for v in (item.value, getattr(item, "growth_pct", None), getattr(item, "growth_pp", None)) if v}
        assert stated <= values, item
    for target in answer.targets:
        assert target.cue and any(target.cue in text[clauses.by_id[c].start : clauses.by_id[c].end] for c in target.clause_ids)
    grounded = ground(answer, text, extract_quantities(text), clauses)
    assert grounded.dropped == []
    assert [len(getattr(grounded, s)) for s in ("metrics", "targets", "achievements", "problems", "tasks")] == [
        len(getattr(answer, s)) for s in ("metrics", "targets", "achievements", "problems", "tasks")
    ]


def test_the_worked_example_is_invented_not_a_seed() -> None:
    """No 20-character run of the example comes from a real report (the seeds, when present)."""
    from summarizer.resources import seeds_dir

    example = yaml.safe_load((data_dir("prompts") / "fewshot.yaml").read_text(encoding="utf-8"))["document"]
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("*.txt"))] if seeds_dir().is_dir() else []
    if not seeds:
        pytest.skip("the seeds are not beside the checkout")
    runs = {example[i : i + 20] for i in range(len(example) - 19)}
    assert not [run for run in runs if any(run in seed for seed in seeds)]


def test_the_worked_example_matches_the_pre_extractor() -> None:
    """The example shows the model the table it will really get (ids, surfaces, values, units)."""
    example = yaml.safe_load((data_dir("prompts") / "fewshot.yaml").read_text(encoding="utf-8"))
    found = {q.id: q for q in extract_quantities(example["document"])}
    for row in example["candidates"]:
        quantity = found[row["id"]]
        assert (quantity.text, quantity.value, quantity.unit, quantity.is_target) == (
            row["surface"], row["value"], row["unit"], row["target"]
        ), row["id"]
    shown = {line.split(" | ")[0] for line in candidate_table(found.values()).splitlines()[1:]}
    assert shown == set(table_ids := [row["id"] for row in example["candidates"]]), table_ids
