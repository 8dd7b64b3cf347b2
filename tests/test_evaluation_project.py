"""The eval gate cannot pass by accident: it evaluates the working tree's project (fixtures,
baseline, prompts), never writes into an installed package, and fails whenever it checked nothing.

Each test builds a small project of its own in a temporary folder (invented documents in the
genre), so nothing here depends on the shipped fixtures' scores.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import resources
from summarizer.cli import app
from summarizer.config import load_config
from summarizer.devserver import DevServer
from summarizer.evaluation import run_eval
from summarizer.resources import data_dir

DOCUMENT_A = "临川区召开一季度经济运行分析会。一季度，全区地区生产总值完成52.3亿元，同比增长5.1%。会议要求，加快重点项目建设。"
DOCUMENT_B = "青石县上半年经济运行调度会召开。上半年，全县固定资产投资增长8.4%，社会消费品零售总额完成31.6亿元。"
SEED_TEXT = "南岭高新区召开三季度推进会。前三季度，规上工业增加值增长7.2%。"


def fixture_yaml(fixture_id: str, document: str) -> str:
    return f"id: {fixture_id}\ndocument: {document}\nsummary:\n  metrics: []\n"


def make_project(root: Path, *, seed_fixture: bool = False, baseline: str | None = "evals/baseline.json") -> Path:
    """A project with one suite, ``mini``: two documents beside their fixtures (and, with
    ``seed_fixture``, one that names a document in the seeds folder)."""
    (root / "evals" / "mini" / "docs").mkdir(parents=True)
    (root / "evals" / "suites").mkdir(parents=True)
    (root / "evals" / "mini" / "docs" / "a.txt").write_text(DOCUMENT_A, encoding="utf-8")
    (root / "evals" / "mini" / "docs" / "b.txt").write_text(DOCUMENT_B, encoding="utf-8")
    (root / "evals" / "mini" / "a.yaml").write_text(fixture_yaml("mini-a", "docs/a.txt"), encoding="utf-8")
    (root / "evals" / "mini" / "b.yaml").write_text(fixture_yaml("mini-b", "docs/b.txt"), encoding="utf-8")
    if seed_fixture:
        (root / "evals" / "mini" / "s.yaml").write_text(fixture_yaml("mini-seed", "seeds/s.txt"), encoding="utf-8")
    (root / "evals" / "thresholds.yaml").write_text("tolerance: 0.02\nrules: {}\nllm: {}\n", encoding="utf-8")
    suite = {
        "fixtures": "evals/mini",
        "documents": {"seeds": "../shared/seeds"},
        "documents_env": {"seeds": "SUMMARIZER_SEEDS_DIR"},
        "thresholds": "evals/thresholds.yaml",
        "baseline": baseline,
    }
    (root / "evals" / "suites" / "mini.yaml").write_text(json.dumps(suite), encoding="utf-8")
    return root


def eval_in(project: Path | None, backend: str = "rules", **options: object) -> tuple[int, str]:
    """Run the eval; (exit code, what it wrote on stderr)."""
    err = io.StringIO()
    options.setdefault("suite", "mini")
    code = run_eval(backend, project=project, stdout=io.StringIO(), stderr=err, **options)  # type: ignore[arg-type]
    return code, err.getvalue()


@pytest.fixture(autouse=True)
def _no_seeds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_SEEDS_DIR", raising=False)


# --- the working tree's project ---------------------------------------------------------------


def test_bless_writes_the_baseline_of_the_project_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "clone")
    shipped = (data_dir("evals") / "baseline.json").read_bytes()
    monkeypatch.chdir(project)
    code, err = eval_in(None, bless_baseline=True)
    assert code == 0, err
    blessed = json.loads((project / "evals" / "baseline.json").read_text(encoding="utf-8"))
    assert blessed["rules"]["fixtures"] == ["mini-a", "mini-b"]
    assert (data_dir("evals") / "baseline.json").read_bytes() == shipped
    assert eval_in(None)[0] == 0  # the blessed file is now the gate


def test_a_suite_cannot_bless_another_suites_baseline(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone")
    suites = project / "evals" / "suites"
    (suites / "other.yaml").write_text((suites / "mini.yaml").read_text(encoding="utf-8").replace(
        '"evals/baseline.json"', "null"), encoding="utf-8")
    code, err = eval_in(project, suite="other", baseline=project / "evals" / "baseline.json", bless_baseline=True)
    assert code == 2 and "baseline of the mini suite" in err
    assert not (project / "evals" / "baseline.json").exists()


def test_a_user_adds_a_suite_by_adding_a_file(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone", baseline=None)
    code, err = eval_in(project)
    assert code == 0, err
    assert eval_in(project, suite="nonesuch")[0] == 2


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package as a non-editable install sees it: its data under site-packages/summarizer/_data."""
    package = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "summarizer"
    for name in ("evals", "schemas", "prompts", "examples"):
        shutil.copytree(data_dir(name), package / "_data" / name)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)  # no evals/ here: the shipped copy is all there is
    return package


def test_bless_refuses_to_write_into_the_installed_package(installed: Path) -> None:
    baseline = installed / "_data" / "evals" / "baseline.json"
    before = baseline.read_bytes()
    result = CliRunner().invoke(app, ["eval", "--backend", "baseline", "--bless"])
    assert result.exit_code == 2 and "installed summarizer package" in result.output and "--project" in result.output
    assert baseline.read_bytes() == before


def test_schemas_refuses_to_write_into_the_installed_package(installed: Path) -> None:
    schema_dir = installed / "_data" / "schemas"
    before = {p.name: p.read_bytes() for p in schema_dir.iterdir()}
    for p in schema_dir.iterdir():
        p.write_text("{}", encoding="utf-8")  # stale: a write would be visible
    result = CliRunner().invoke(app, ["schemas"])
    assert result.exit_code == 2 and "schemas --out" in result.output
    assert all(p.read_text(encoding="utf-8") == "{}" for p in schema_dir.iterdir()) and before


def test_with_no_project_the_shipped_suites_look_for_shared_beside_the_current_directory(installed: Path, tmp_path: Path) -> None:
    from summarizer.evaluation import find_project, load_suite

    project = find_project()
    assert project.shipped and project.root == installed / "_data"
    assert load_suite(project, "fixtures").documents["seeds"] == (tmp_path / "shared" / "seeds").resolve()


def test_seeds_are_found_beside_the_project_not_beside_the_package(installed: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path / "work" / "clone", seed_fixture=True)
    (tmp_path / "work" / "shared" / "seeds").mkdir(parents=True)
    (tmp_path / "work" / "shared" / "seeds" / "s.txt").write_text(SEED_TEXT, encoding="utf-8")
    code, err = eval_in(project, no_baseline=True)
    assert code == 0 and "3 scored" in err, err


# --- nothing checked means failure -------------------------------------------------------------


def test_a_fixture_whose_seed_is_absent_fails_unless_missing_documents_are_allowed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone", seed_fixture=True, baseline=None)
    code, err = eval_in(project)
    assert code == 1 and "mini-seed" in err and "--allow-missing" in err
    code, err = eval_in(project, allow_missing=True)
    assert code == 0 and "2 scored, 1 skipped" in err, err


def test_shipped_fixtures_whose_seeds_are_absent_fail_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_SEEDS_DIR", str(tmp_path / "no-seeds"))
    monkeypatch.chdir(data_dir("evals").parent)
    result = CliRunner().invoke(app, ["eval", "--backend", "baseline"])
    assert result.exit_code == 1 and "seed-000" in result.output, result.output
    allowed = CliRunner().invoke(app, ["eval", "--backend", "baseline", "--allow-missing"])
    assert allowed.exit_code == 0 and "3 skipped" in allowed.output, allowed.output


def test_a_mistyped_baseline_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data_dir("evals").parent)
    result = CliRunner().invoke(app, ["eval", "--backend", "baseline", "--baseline", str(tmp_path / "typo.json")])
    assert result.exit_code == 2 and "typo.json does not exist" in result.output


def test_a_missing_baseline_file_is_a_usage_error_unless_no_baseline(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone")
    code, err = eval_in(project, baseline=tmp_path / "typo.json")
    assert code == 2 and "typo.json does not exist" in err
    assert eval_in(project)[0] == 2  # the suite's own baseline, not yet blessed
    assert eval_in(project, no_baseline=True)[0] == 0


def test_a_run_that_scored_no_fixture_fails(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone", baseline=None)
    for path in (project / "evals" / "mini").glob("*.yaml"):
        path.unlink()
    code, err = eval_in(project)
    assert code == 1 and "no fixture could be scored" in err
    project = make_project(tmp_path / "other", seed_fixture=True, baseline=None)
    for name in ("a.yaml", "b.yaml"):
        (project / "evals" / "mini" / name).unlink()
    code, err = eval_in(project, allow_missing=True)  # everything skipped: still nothing checked
    assert code == 1 and "0 scored, 1 skipped" in err


def test_the_readme_holdout_command_passes_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data_dir("evals").parent)
    result = CliRunner().invoke(app, ["eval", "--backend", "rules", "--suite", "holdout"])
    assert result.exit_code == 0, result.output


# --- prompts of the project reach the model --------------------------------------------------


def project_with_prompts(root: Path, marker: str) -> Path:
    project = make_project(root, baseline=None)
    shutil.copytree(data_dir("prompts"), project / "prompts")
    system = project / "prompts" / "summarize.system.md"
    system.write_text(system.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    return project


def system_prompts(server: DevServer) -> set[str]:
    return {str(r.messages[0]["content"]) for r in server.requests if r.messages}


def test_editing_a_project_prompt_changes_what_the_llm_is_sent(tmp_path: Path) -> None:
    project = project_with_prompts(tmp_path / "clone", "（本项目的提示词标记甲）")
    with DevServer() as server:
        config = load_config(base_url=server.base_url, model="loopback-test", use_cache=False)
        code, err = eval_in(project, "llm", config=config, out=tmp_path / "out")
        sent = system_prompts(server)
    assert code == 0, err
    assert sent and all("本项目的提示词标记甲" in prompt for prompt in sent)
    override = project_with_prompts(tmp_path / "override", "（另一套提示词标记乙）") / "prompts"
    with DevServer() as server:
        config = load_config(base_url=server.base_url, model="loopback-test", use_cache=False)
        assert eval_in(project, "llm", config=config, prompts=override)[0] == 0
        assert all("另一套提示词标记乙" in prompt for prompt in system_prompts(server))


def test_the_prompt_folder_setting_applies_to_summarize(tmp_path: Path) -> None:
    prompts = project_with_prompts(tmp_path / "clone", "（摘要命令的提示词标记丙）") / "prompts"
    document = tmp_path / "report.txt"
    document.write_text(DOCUMENT_A, encoding="utf-8")
    with DevServer() as server:
        result = CliRunner().invoke(app, [
            "summarize", str(document), "--backend", "llm", "--base-url", server.base_url, "--model", "m",
            "--no-cache", "--prompts", str(prompts),
        ])
        sent = system_prompts(server)
    assert result.exit_code == 0, result.output
    assert sent and all("摘要命令的提示词标记丙" in prompt for prompt in sent)


# --- run options and the per-sample log ------------------------------------------------------


def test_run_options_reach_the_llm_client(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone", baseline=None)
    with DevServer() as server:
        result = CliRunner().invoke(app, [
            "eval", "--backend", "llm", "--project", str(project), "--suite", "mini", "--base-url", server.base_url,
            "--model", "m", "--mode", "json", "--timeout", "20", "--max-retries", "0", "--no-cache",
            "--concurrency", "2", "--out", str(tmp_path / "out"),
        ])
        modes = {r.mode for r in server.requests}
    assert result.exit_code == 0, result.output
    assert modes == {"json_object"}  # the server's name for the json mode asked for
    samples = [json.loads(line) for line in (tmp_path / "out" / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["fixture"] for s in samples] == ["mini-a", "mini-b"]  # fixture order, whatever finished first
    assert all(s["configuration"]["mode"] == "json" for s in samples)


def test_concurrent_fixtures_score_as_one_at_a_time(tmp_path: Path) -> None:
    project = make_project(tmp_path / "clone", baseline=None)
    reports = []
    for workers in (1, 3):
        out = tmp_path / f"out{workers}"
        assert eval_in(project, concurrency=workers, report="json", out=out)[0] == 0
        reports.append(json.loads((out / "eval-rules.json").read_text(encoding="utf-8")))
    assert reports[0]["scores"] == reports[1]["scores"]
    assert [d["id"] for d in reports[0]["documents"]] == [d["id"] for d in reports[1]["documents"]]


def test_samples_log_each_fixture_and_the_record_folder_gets_an_index(tmp_path: Path) -> None:
    project = project_with_prompts(tmp_path / "clone", "（样本日志）")
    record = tmp_path / "answers"
    with DevServer() as server:
        config = load_config(base_url=server.base_url, model="loopback-test", record_dir=record)
        code, err = eval_in(project, "llm", config=config, out=tmp_path / "out")
    assert code == 0, err
    samples = [json.loads(line) for line in (tmp_path / "out" / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["fixture"] for s in samples] == ["mini-a", "mini-b"]
    first = samples[0]
    assert first["configuration"]["backend"] == "llm" and first["configuration"]["model"] == "loopback-test"
    assert first["configuration"]["endpoint"] == server.base_url and len(first["configuration"]["prompt_version"]) == 12
    assert first["answers"] and first["answers"][0]["status"] == 200 and "choices" in first["answers"][0]["body"]
    assert first["summary"]["metrics"] and "metrics.f1" in first["scores"] and "dropped" in first
    index = json.loads((record / "index.json").read_text(encoding="utf-8"))
    assert set(index) == {"mini-a", "mini-b"}
    assert all((record / name).is_file() for files in index.values() for name in files)


def test_the_endpoint_is_logged_without_credentials() -> None:
    from summarizer.evaluation.samples import public_endpoint

    assert public_endpoint("https://user:pw@example.com:8443/v1?api_key=x#f") == "https://example.com:8443/v1"
