"""Prompt files: placeholders filled, a versioned hash, an honest worked example, the candidate table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from summarizer.prompting import candidate_table, fill, load_prompts, prompt_version
from summarizer.quantities import extract_quantities
from summarizer.resources import data_dir
from summarizer.schema import SummaryDraft

TEXT = "上半年，全区地区生产总值完成120.5亿元，同比增长6.2%。下半年力争全年增长7%以上。"


def test_messages_hold_the_document_and_candidates_between_markers() -> None:
    prompts = load_prompts()
    messages = prompts.messages(TEXT, extract_quantities(TEXT))
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert f"<document>\n{TEXT}\n</document>" in user
    table = user.split("<candidates>\n", 1)[1].split("\n</candidates>", 1)[0]
    rows = [row.split(" | ") for row in table.splitlines()[1:]]
    assert [row[1] for row in rows] == ["120.5亿元", "6.2%", "7%以上"]  # 上半年/下半年/全年: time, left out
    assert rows[2][-1] == "是" and rows[0][-1] == "否"
    assert "{{" not in messages[0]["content"] and "{{" not in user


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
    example = yaml.safe_load((data_dir("prompts") / "fewshot.yaml").read_text(encoding="utf-8"))
    text = example["document"]
    answer = SummaryDraft.model_validate(example["answer"])
    table = {row["id"]: row for row in example["candidates"]}
    for item in [*answer.metrics, *answer.targets, *answer.achievements, *answer.problems, *answer.tasks]:
        assert item.quote in text, item.quote
    for item in [*answer.metrics, *answer.targets]:
        values = {table[qid]["value"] for qid in item.quantity_ids}
        stated = {v for v in (item.value, getattr(item, "growth_pct", None), getattr(item, "growth_pp", None)) if v}
        assert stated <= values, item
    assert all(target.cue and target.cue in target.quote for target in answer.targets)


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
