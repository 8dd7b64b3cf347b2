"""The realdev gate: the labelled real documents of ../shared/realdev (SUMMARIZER_REALDEV_DIR), read in
place and converted to fixtures in memory, scored through the harness and held to the floors of
evals/realdev_thresholds.yaml (floors only, no blessed baseline). Skipped when the folder is absent.

The realdev labels and documents are read at test time, never copied; the suite wiring is also
tested on an invented folder of the same layout."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml

from summarizer.evaluation import EvalRun, check, evaluate, load_thresholds, run_eval
from summarizer.evaluation.fixtures import discover
from summarizer.evaluation.realdev import UNLABELLED, load_realdev_gold, target_measure, target_qualifier
from summarizer.resources import data_dir, realdev_dir

REALDEV_THRESHOLDS = data_dir("evals") / "realdev_thresholds.yaml"
SECTIONS = ("metrics", "targets", "achievements", "problems", "tasks")


@pytest.fixture(scope="module")
def realdev() -> Path:
    folder = realdev_dir()
    if not (folder / "gold").is_dir() or not any((folder / "gold").glob("*.yaml")):
        pytest.skip(f"the realdev labels are not at {folder} (../shared/realdev, or set SUMMARIZER_REALDEV_DIR)")
    return folder


@pytest.fixture(scope="module")
def rules_run(realdev: Path) -> EvalRun:
    return evaluate("rules", realdev)


@pytest.mark.realdev
def test_every_gold_file_converts_to_a_fixture_with_its_labels(realdev: Path) -> None:
    loaded = discover(realdev)
    assert len(loaded) == len(list((realdev / "gold").glob("*.yaml"))) > 0
    for entry in loaded:
        assert entry.error is None and entry.skip_reason is None, entry
        raw = yaml.safe_load(entry.path.read_text(encoding="utf-8"))
        fixture = entry.fixture
        assert fixture.id == f"realdev-{entry.path.stem}"
        assert entry.document_path == (realdev / "docs" / raw["doc"]).resolve()
        assert fixture.quantities == [] and fixture.numbers == [str(n) for n in raw.get("numbers") or []]
        assert fixture.unlabelled == UNLABELLED
        for section in ("achievements", "problems", "tasks"):
            assert getattr(fixture.summary, section) == [str(p) for p in raw.get(section) or []]
        for name, value in (raw.get("meta") or {}).items():
            if name == "report_period" and value:  # the project's short form: 2024年一季度 -> 一季度
                assert str(value).endswith(fixture.summary.meta.report_period or "-"), entry.path.name
                value = re.sub(r"^\d{4}年(?=\S)", "", str(value))
            assert getattr(fixture.summary.meta, name) == value, (entry.path.name, name)
        assert len(fixture.summary.metrics) == len(raw.get("metrics") or [])
        for converted, label in zip(fixture.summary.metrics, raw.get("metrics") or [], strict=True):
            assert converted.name == label["name"] and converted.unit == (label.get("unit") or None)
            assert converted.value == label.get("value")  # as written, 近6成 too: 6 成
            assert (converted.growth_pct, converted.period) == (label.get("growth_pct"), label.get("period"))
            assert converted.qualifier == "exact" and converted.growth_pp is None
        assert len(fixture.summary.targets) == len(raw.get("targets") or [])
        for target, label in zip(fixture.summary.targets, raw.get("targets") or [], strict=True):
            assert (target.name, target.unit, target.horizon) == (label["name"], label.get("unit"), label.get("horizon"))
            assert (target.qualifier == "exact") == (not label.get("approx"))
            assert target.cue is None


@pytest.mark.realdev
def test_the_oracle_scores_one_on_every_section_and_meta_field_of_realdev(realdev: Path) -> None:
    """The conversion's self-test: the converted labels fed back score 1.0 wherever they are compared."""
    run = evaluate("oracle", realdev)
    scores = run.scores()
    assert all(d.status == "scored" for d in run.documents), [(d.fixture_id, d.reason) for d in run.documents]
    compared = {k: v for k, v in scores.items()
                if k.split(".")[0] in (*SECTIONS, "meta") and not k.startswith("faithfulness")}
    assert compared and {k: v for k, v in compared.items() if v != 1.0} == {}
    # Faithfulness is the source's word against the labels': a labelled doubling (100%) is no number
    # of the text, so it is not asserted here.


@pytest.mark.realdev
def test_the_rules_backend_passes_the_realdev_floors(rules_run: EvalRun) -> None:
    assert len(rules_run.fixture_ids()) == len(rules_run.documents) > 0
    result = check(rules_run, load_thresholds(REALDEV_THRESHOLDS), None)
    scores = rules_run.scores()
    measured = ", ".join(f"{k} = {scores[k]:.3f}" for k in sorted(scores) if k.endswith((".f1", ".coverage")))
    assert not result.failures, "\n".join(result.failures) + f"\nmeasured: {measured}"


@pytest.mark.realdev
def test_the_realdev_floors_name_only_scores_the_suite_has() -> None:
    thresholds = load_thresholds(REALDEV_THRESHOLDS)
    assert set(thresholds.floors) == {"preextractor", "rules"}
    assert set(thresholds.floors["preextractor"]) <= {"numbers.f1", "numbers.precision", "numbers.recall"}
    assert {f"{s}.f1" for s in SECTIONS} | {f"{s}.coverage" for s in SECTIONS[2:]} <= set(thresholds.floors["rules"])


# ---------------------------------------------------------------- the suite's wiring, on invented documents

INVENTED_DOCUMENT = (
    "青禾县召开2024年一季度经济运行分析会。一季度,全县地区生产总值完成42.6亿元,同比增长6.1%。"
    "新签约项目12个。存在问题:工业投资增长乏力。下一步,要加快推进青禾物流园建设;要全力抓好春耕生产。"
    "力争全年地区生产总值增长7%以上。\n"
)
INVENTED_GOLD = {
    "doc": "d01.txt",
    "meta": {"organization": "青禾县", "city": None, "meeting_date": None,
             "meeting_name": "2024年一季度经济运行分析会", "report_period": "2024年一季度"},
    "metrics": [{"name": "地区生产总值", "value": 42.6, "unit": "亿元", "growth_pct": 6.1, "period": "一季度"}],
    "targets": [{"name": "地区生产总值增长", "value": 7, "unit": "%", "approx": True, "horizon": "全年",
                 "text": "地区生产总值增长7%以上"}],
    "achievements": ["新签约项目12个"],
    "problems": ["工业投资增长乏力"],
    "tasks": ["加快推进青禾物流园建设", "全力抓好春耕生产"],
    "numbers": ["42.6亿元", "6.1%", "12个", "7%以上"],
}


@pytest.fixture
def invented_realdev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "realdev"
    (folder / "docs").mkdir(parents=True)
    (folder / "gold").mkdir()
    (folder / "docs" / "d01.txt").write_text(INVENTED_DOCUMENT, encoding="utf-8")
    (folder / "gold" / "d01.yaml").write_text(yaml.safe_dump(INVENTED_GOLD, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_REALDEV_DIR", str(folder))
    return folder


def test_an_invented_gold_file_converts_field_by_field(invented_realdev: Path) -> None:
    fixture = load_realdev_gold(invented_realdev / "gold" / "d01.yaml")
    assert fixture.document == "../docs/d01.txt" and fixture.numbers == INVENTED_GOLD["numbers"]
    [target] = fixture.summary.targets
    assert (target.value, target.unit, target.qualifier, target.measure, target.horizon) == (7, "%", "more_than", "growth", "全年")
    [metric] = fixture.summary.metrics
    assert (metric.value, metric.unit, metric.growth_pct, metric.period) == (42.6, "亿元", 6.1, "一季度")
    assert fixture.summary.meta.organization == "青禾县" and fixture.summary.meta.meeting_date is None
    assert fixture.summary.meta.report_period == "一季度"  # the project's short form


def test_unknown_label_fields_are_refused(invented_realdev: Path) -> None:
    broken = dict(INVENTED_GOLD, metrics=[{**INVENTED_GOLD["metrics"][0], "growth": 6.1}])  # type: ignore[dict-item]
    (invented_realdev / "gold" / "d02.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    statuses = {d.fixture_id: (d.status, d.reason or "") for d in evaluate("baseline", invented_realdev).documents}
    assert statuses["realdev-d01"][0] == "scored"
    assert statuses["realdev-d02"][0] == "error" and "growth" in statuses["realdev-d02"][1]


@pytest.mark.parametrize(
    ("approx", "text", "expected"),
    [(False, "营业收入实现50亿元", "exact"), (True, "增长8%以上", "more_than"), (True, "增长8%左右", "approx"),
     (True, "控制在3%以内", "less_than"), (True, None, "approx")],
)
def test_a_targets_qualifier_is_read_from_its_text(approx: bool, text: str | None, expected: str) -> None:
    assert target_qualifier(approx, text) == expected


def test_a_targets_measure_follows_its_unit_and_wording() -> None:
    assert target_measure("地区生产总值增长", "%", None) == "growth"
    assert target_measure("综合排名", "名", None) == "rank"
    assert target_measure("新签约项目", "个", None) == "count"
    assert target_measure("营业收入", "亿元", "营业收入实现50亿元") == "level"


def test_the_cli_scores_the_realdev_suite_with_coverage_and_item_counts(invented_realdev: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    thresholds = tmp_path / "floors.yaml"
    thresholds.write_text("oracle:\n" + "".join(f"  {s}.f1: 1.0\n" for s in SECTIONS), encoding="utf-8")
    args = ["eval", "--backend", "oracle", "--suite", "realdev", "--thresholds", str(thresholds), "--report", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["id"] for d in data["documents"]] == ["realdev-d01"]
    assert data["items"]["tasks"] == {"predicted": 2, "gold": 2, "tp": 2, "covered": 2, "coverage": 1.0}
    assert data["documents"][0]["items"]["problems"]["gold"] == 1
    assert "numbers.f1" in data["scores"] and not any(k.startswith("quantities") for k in data["scores"])
    assert "realdev" in data["notes"][0] and "floors only" in " ".join(data["gate"]["notes"])

    markdown = io.StringIO()
    assert run_eval("oracle", suite="realdev", thresholds=thresholds, stdout=markdown, stderr=io.StringIO()) == 0
    assert "### Items and coverage" in markdown.getvalue() and "| realdev-d01 | 1 / 1 |" in markdown.getvalue()


def test_the_realdev_suite_is_gated_by_floors_and_never_blessed_by_default(invented_realdev: Path) -> None:
    err = io.StringIO()
    assert run_eval("oracle", suite="realdev", bless_baseline=True, stdout=io.StringIO(), stderr=err) == 2
    assert "--baseline" in err.getvalue()


def test_an_absent_realdev_folder_is_a_usage_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_REALDEV_DIR", str(tmp_path / "absent"))
    err = io.StringIO()
    assert run_eval("rules", suite="realdev", stdout=io.StringIO(), stderr=err) == 2
    assert "SUMMARIZER_REALDEV_DIR" in err.getvalue() and str(tmp_path / "absent") in err.getvalue()
