"""`summarizer extract`: every quantity, typed, one JSON line each; bad files reported, others extracted."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app

runner = CliRunner()
TEXT = "上半年,全区规模以上工业增加值同比增长9.8%,居全市第二;新签约项目23个,总投资超50亿元。8月2日召开会议。\n"


def test_jsonl_lists_each_quantity_with_its_document(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(doc)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["text"] for row in rows] == ["9.8%", "第二", "23个", "50亿元"]
    assert {row["doc"] for row in rows} == {str(doc)}
    assert rows[3]["qualifier"] == "more_than" and rows[3]["scaled_value"] == 5e9
    for row in rows:
        assert TEXT[row["start"] : row["end"]] == row["text"]


def test_time_expressions_only_on_request(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(doc), "--include-time", "--format", "json"])
    kinds = {row["kind"] for row in json.loads(result.stdout)}
    assert {"date", "period"} <= kinds


def test_bad_file_is_reported_and_the_rest_extracted(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["extract", str(tmp_path), "--format", "table"])
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr
    assert "9.8%" in result.stdout
