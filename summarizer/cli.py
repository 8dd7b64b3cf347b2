"""The ``summarizer`` command: a thin layer over the library API.

Exit codes: 0 all done, 1 some documents failed (or an eval gate failed), 2 usage or configuration
error, including an output folder that cannot be used: ``-o`` naming a file, a symbolic link where
the run writes, or another run writing into the same folder (``--wait`` waits for it instead).
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from summarizer.errors import ConfigError

if TYPE_CHECKING:  # the helpers' types; the modules themselves are imported lazily where they are used
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    from summarizer.batch import BatchReport, Listener, ManifestEntry
    from summarizer.config import Config

_Result = TypeVar("_Result")  # what a batch step returns

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Structured, numerically faithful summaries of Chinese economic-work meeting reports.",
)
stderr = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        from summarizer import __version__

        typer.echo(f"summarizer {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Structured, numerically faithful summaries of Chinese economic-work meeting reports."""
    _show_notices()


def _show_notices() -> None:
    """The library's notices (its ``summarizer`` logger) on stderr, one line each."""
    logger = logging.getLogger("summarizer")
    if not any(isinstance(handler, _Notices) for handler in logger.handlers):
        logger.addHandler(_Notices())
        logger.setLevel(logging.INFO)
        logger.propagate = False


class _Notices(logging.Handler):
    """Through the command's own stderr console, so that notices and progress lines interleave cleanly."""

    def emit(self, record: logging.LogRecord) -> None:
        stderr.print(f"summarizer: {record.getMessage()}", markup=False, highlight=False, soft_wrap=True)


class SummaryFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    yaml = "yaml"
    md = "md"
    csv = "csv"
    html = "html"


class BackendOption(str, Enum):
    auto = "auto"
    rules = "rules"
    llm = "llm"


class ExtractFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"
    table = "table"


def _config(config_file: Optional[Path], **overrides: object) -> Config:
    from summarizer.config import load_config

    try:
        return load_config(config_file, **overrides)
    except ConfigError as error:
        stderr.print(f"[red]configuration error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error


ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="YAML config file (flags > environment > this file).")
]


@app.command()
def summarize(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files, folders or globs (.txt, .md, .html).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("-o", "--out", help="Output folder (one file per input + manifest.json), or FILE.jsonl: one stream, its manifest beside it.")] = None,
    fmt: Annotated[Optional[SummaryFormat], typer.Option("--format", "-f", help="Output format [default: json; jsonl for -o FILE.jsonl].", show_default=False)] = None,
    backend: Annotated[BackendOption, typer.Option(help="auto = llm when an endpoint is configured, else rules.")] = BackendOption.auto,
    concurrency: Annotated[Optional[int], typer.Option(min=1, help="Model requests (rules: documents) in flight at once [default: llm.concurrency of the config, 4].")] = None,
    resume: Annotated[bool, typer.Option(help="Skip documents whose output exists for the same content and configuration.")] = False,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first failed document.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="When another run is writing into the -o folder, wait for it instead of failing (exit 2).")] = False,
    examples: Annotated[bool, typer.Option("--examples", help="Add the shipped example documents to the inputs.")] = False,
    provider: Annotated[Optional[str], typer.Option(help="openai, deepseek, qwen, vllm, ollama, llamacpp, local.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Model name at the endpoint.")] = None,
    model_path: Annotated[Optional[Path], typer.Option(help="A GGUF file: --provider local runs it in-process (pip install 'summarizer[local]').")] = None,
    mode: Annotated[Optional[str], typer.Option(help="auto, tools, json_schema, json, md_json.")] = None,
    timeout: Annotated[Optional[float], typer.Option(help="Seconds per model request.")] = None,
    max_retries: Annotated[Optional[int], typer.Option(help="HTTP retries per request (429, 5xx, timeouts).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the response cache.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Where model answers are cached.")] = None,
    prompts: Annotated[Optional[Path], typer.Option(help="A folder of prompt files instead of the shipped ones (llm.prompts_dir, SUMMARIZER_PROMPTS_DIR).")] = None,
    max_bytes: Annotated[Optional[int], typer.Option(help="Refuse input files larger than this.")] = None,
    config_file: ConfigOption = None,
) -> None:
    """Summarise documents. The API key comes from the environment (OPENAI_API_KEY), never from a flag.

    A PATH of - reads one document from standard input.
    """
    from summarizer.batch import BatchOptions, OutputFolderError, is_stream, manifest_path, run_batch
    from summarizer.resources import data_dir

    inputs = list(paths or [])
    if examples:
        inputs += sorted(str(p) for p in data_dir("examples").iterdir() if _is_example(p))
    if not inputs:
        stderr.print("[red]error:[/red] give at least one PATH, or --examples")
        raise typer.Exit(2)
    config = _config(
        config_file,
        provider=provider,
        base_url=base_url,
        model=model,
        model_path=model_path,
        mode=mode,
        timeout=timeout,
        max_retries=max_retries,
        use_cache=False if no_cache else None,
        cache_dir=cache_dir,
        prompts_dir=prompts,
        max_bytes=max_bytes,
        concurrency=concurrency,
    )
    stream = is_stream(out_dir)
    if stream and fmt not in (None, SummaryFormat.jsonl):
        stderr.print(f"[red]error:[/red] -o {out_dir} writes one JSON Lines file; drop --format {fmt.value} or give a folder")
        raise typer.Exit(2)
    fmt = fmt or (SummaryFormat.jsonl if stream else SummaryFormat.json)
    to_stdout = out_dir is None and len(inputs) == 1 and _names_one_file(inputs[0])
    if out_dir is None and not to_stdout:
        out_dir = Path("summaries")
        stderr.print(f"summarizer: several documents and no -o: writing to {out_dir}/")
    if out_dir is not None and not stream and out_dir.exists() and not out_dir.is_dir():
        stderr.print(f"[red]error:[/red] -o {out_dir}: is a file, not a folder; give a folder for the outputs", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    options = BatchOptions(
        out_dir=out_dir,
        fmt=fmt.value,
        backend=backend.value,
        concurrency=config.llm.concurrency,
        resume=resume,
        fail_fast=fail_fast,
        keep_summaries=to_stdout,
        wait=wait,
    )
    try:
        with _progress() as listener:
            report = run_batch(inputs, options, config, listener=listener)
    except KeyboardInterrupt:
        where = f"; {manifest_path(out_dir)} marks the rest not_attempted" if out_dir is not None else ""
        again = " --resume" if out_dir is not None and not resume else ""
        stderr.print(f"summarizer: interrupted{where}. Run the same command{again} to finish them.",
                     soft_wrap=True, highlight=False, markup=False)  # fmt: skip
        raise typer.Exit(130) from None
    except ConfigError as error:
        stderr.print(f"[red]configuration error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error
    except OutputFolderError as error:
        stderr.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from error
    except OSError as error:  # the output folder failed under the run (disk full, removed): no traceback
        stderr.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from error
    if to_stdout and report.summaries:
        from summarizer.render import render

        sys.stdout.write(render(report.summaries[0], fmt.value))
    _closing_table(report, out_dir)
    raise typer.Exit(report.exit_code)


def _names_one_file(argument: str) -> bool:
    """A single path that is no folder and no glob: its summary (or its error) goes to the terminal."""
    return not Path(argument).is_dir() and not any(char in argument for char in "*?[")


def _is_example(path: Path) -> bool:
    """Example documents, not the folder's own README."""
    return path.suffix in {".txt", ".md", ".html"} and path.name.lower() != "readme.md"


class _progress:
    """A rich progress bar on a terminal (rate, time left, failures), plain lines otherwise;
    failures always get their line."""

    def __enter__(self) -> Listener:
        self._bar = None
        self._started = time.monotonic()
        self._failed = 0
        if stderr.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._bar = Progress(
                "{task.description}", BarColumn(), MofNCompleteColumn(), _rate_column(), TimeElapsedColumn(),
                TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[failed]} failed"), console=stderr,
            )  # fmt: skip
            self._bar.start()
            self._task = self._bar.add_task("summarising", total=None, failed=0)
        return self._listen

    def _listen(self, entry: ManifestEntry, done: int, total: int) -> None:
        if entry.status == "failed":
            self._failed += 1
            stderr.print(f"[red]failed[/red] {escape(entry.path)}: {escape(entry.error or '')}", soft_wrap=True, highlight=False)
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, failed=self._failed)
        elif entry.status != "failed":
            elapsed = time.monotonic() - self._started
            rate = done / elapsed if elapsed > 0 else 0.0
            left = f", ETA {(total - done) / rate:.0f}s" if rate > 0 and done < total else ""
            failed = f", {self._failed} failed" if self._failed else ""
            stderr.print(f"[{done}/{total}{failed}, {rate:.1f} docs/s{left}] {entry.status} {entry.path} ({entry.seconds:.2f}s)",
                         soft_wrap=True, highlight=False, markup=False)  # fmt: skip

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _rate_column() -> ProgressColumn:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Documents per second, over the run so far."""

        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            return Text(f"{task.completed / elapsed:.1f} docs/s" if elapsed > 0 and task.completed else "- docs/s")

    return RateColumn()


def _closing_table(report: BatchReport, out_dir: Optional[Path]) -> None:
    usage = report.usage
    table = Table(title="summarizer", show_header=True)
    for column in ("done", "failed", "skipped", "requests", "tokens (prompt/completion)", "cost", "wall time"):
        table.add_column(column)
    table.add_row(
        str(report.count("done")),
        str(report.count("failed")),
        str(report.count("skipped")),
        str(usage.requests),
        f"{usage.prompt_tokens}/{usage.completion_tokens}",
        "-" if usage.cost is None else f"{usage.cost:.4f}",
        f"{report.seconds:.2f}s",
    )
    stderr.print(table)
    if out_dir is not None:
        from summarizer.batch import index_path, manifest_path

        stderr.print(f"outputs in {out_dir}, manifest in {manifest_path(out_dir)}, review index in {index_path(out_dir)}",
                     soft_wrap=True, highlight=False)  # fmt: skip


batch_app = typer.Typer(
    no_args_is_help=True,
    help="Large runs on a provider's batch engine (OpenAI Batch API; vLLM run-batch offline): submit, status, collect.",
)
app.add_typer(batch_app, name="batch")

@batch_app.command("submit")
def batch_submit(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs.")],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Output folder: the batch's files go into OUT/batch/, the summaries (at collect) into OUT.")],
    upload: Annotated[bool, typer.Option(help="Upload the requests and create the batch; --no-upload only writes OUT/batch/requests.jsonl (for vllm run-batch).")] = True,
    provider: Annotated[Optional[str], typer.Option(help="openai, deepseek, qwen, vllm, ollama, llamacpp.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint with the files and batches endpoints.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Model name at the endpoint.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="tools, json_schema, json, md_json (auto: the provider's).")] = None,
    max_bytes: Annotated[Optional[int], typer.Option(help="Refuse input files larger than this.")] = None,
    config_file: ConfigOption = None,
) -> None:
    """Write one Batch API request per document chunk, upload them and create the batch."""
    from summarizer import batch_api

    config = _config(config_file, provider=provider, base_url=base_url, model=model, mode=mode, max_bytes=max_bytes)
    report = _batch_step(lambda: batch_api.submit(paths, out_dir, config, upload=upload))
    for path, reason in report.failures:
        stderr.print(f"[red]failed[/red] {path}: {reason}", soft_wrap=True, highlight=False)
    state = report.state
    requests = sum(len(document.requests) for document in state.documents)
    stderr.print(f"{len(state.documents)} documents, {requests} requests in {report.requests_file}", highlight=False)
    if state.batch_id:
        stderr.print(f"batch {state.batch_id} created; `summarizer batch status {out_dir}` shows its progress, "
                     f"`summarizer batch collect {out_dir}` writes the summaries when it is done", soft_wrap=True, highlight=False)
    else:
        output = report.requests_file.with_name(batch_api.OUTPUT_NAME)
        stderr.print(f"run them, e.g. `vllm run-batch -i {report.requests_file} -o {output} --model {state.model}`, "
                     f"then `summarizer batch collect {out_dir}`", soft_wrap=True, highlight=False)
    raise typer.Exit(report.exit_code)


@batch_app.command("status")
def batch_status(
    out_dir: Annotated[Path, typer.Argument(help="The folder given to batch submit.")],
    config_file: ConfigOption = None,
) -> None:
    """Show how far the batch is (exit 0 when it can be collected, 3 while it is still running)."""
    from summarizer import batch_api

    progress = _batch_step(lambda: batch_api.status(out_dir, _config(config_file)))
    where = progress.state.batch_id or "requests for a local engine"
    stderr.print(f"{where}: {progress.status}, {progress.completed} done and {progress.failed} failed of "
                 f"{progress.total} requests" + ("; ready to collect" if progress.output_ready else ""), highlight=False)
    raise typer.Exit(0 if progress.output_ready else 3)


@batch_app.command("collect")
def batch_collect(
    out_dir: Annotated[Path, typer.Argument(help="The folder given to batch submit.")],
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f", help="Output format.")] = SummaryFormat.json,
    concurrency: Annotated[Optional[int], typer.Option(min=1, help="Documents grounded (and re-asks sent) at once.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither answer from nor write to the response cache.")] = False,
    config_file: ConfigOption = None,
) -> None:
    """Download the answers and write the summaries and manifest.json as a direct run would
    (exit 3 while the batch is still running; re-asks grounding wants are sent directly)."""
    from summarizer import batch_api

    config = _config(config_file, concurrency=concurrency, use_cache=False if no_cache else None)
    with _progress() as listener:
        report = _batch_step(lambda: batch_api.collect(out_dir, config, fmt=fmt.value, listener=listener))
    _closing_table(report, out_dir)
    raise typer.Exit(report.exit_code)


def _batch_step(step: Callable[[], _Result]) -> _Result:
    """One batch command's work; its expected failures as one line and their exit code, never a traceback."""
    import openai

    from summarizer.batch import OutputFolderError
    from summarizer.batch_api import BatchNotReady
    from summarizer.redact import scrub

    try:
        return step()
    except BatchNotReady as error:
        stderr.print(str(error), soft_wrap=True, highlight=False)
        raise typer.Exit(3) from error
    except (ConfigError, OutputFolderError) as error:
        stderr.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from error
    except openai.APIConnectionError as error:
        from summarizer.redact import display_url

        where = display_url(str(error.request.url)) if getattr(error, "request", None) is not None else "the endpoint"
        stderr.print(f"[red]error:[/red] cannot reach {escape(where)}: {escape(scrub(str(error)))}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from error
    except openai.APIStatusError as error:
        stderr.print(f"[red]error:[/red] HTTP {error.status_code} from the endpoint: {escape(scrub(error.message))}",
                     soft_wrap=True, highlight=False)  # fmt: skip
        raise typer.Exit(1) from error
    except (openai.APIError, OSError) as error:
        stderr.print(f"[red]error:[/red] {escape(scrub(str(error)))}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from error


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs.")],
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f")] = ExtractFormat.jsonl,
    include_time: Annotated[bool, typer.Option(help="Also list dates, years and periods.")] = False,
    max_bytes: Annotated[Optional[int], typer.Option(help="Refuse input files larger than this [default: the config's max_bytes].")] = None,
    config_file: ConfigOption = None,
) -> None:
    """List every quantity each document states, typed (the pre-extractor)."""
    import json

    from summarizer.document import expand_inputs, load_document
    from summarizer.errors import DocumentError
    from summarizer.quantities import extract_quantities

    limit = _config(config_file, max_bytes=max_bytes).max_bytes
    files, failures = expand_inputs(paths)
    rows: list[dict[str, object]] = []
    for path in files:
        try:
            document = load_document(path, max_bytes=limit)
        except DocumentError as error:
            failures.append(error)
            continue
        for quantity in extract_quantities(document.text):
            if include_time or not quantity.is_time:
                rows.append({"doc": str(path), **quantity.model_dump(mode="json")})
    for failure in failures:
        stderr.print(f"[red]failed[/red] {failure}", soft_wrap=True, highlight=False)
    if fmt is ExtractFormat.jsonl:
        sys.stdout.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    elif fmt is ExtractFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        Console().print(_quantity_table(rows))
    raise typer.Exit(1 if failures else 0)


def _quantity_table(rows: list[dict[str, object]]) -> Table:
    table = Table(show_lines=False)
    columns = ("doc", "id", "text", "kind", "value", "unit", "qualifier", "direction", "indicator", "is_target")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(Path(str(row[c])).name if c == "doc" else ("" if row[c] is None else str(row[c])) for c in columns))
    return table


@app.command()
def schemas(
    out: Annotated[Optional[Path], typer.Option(help="Folder to write into; by default ./schemas when the current directory has one, else the checkout's schemas/ (never the installed package).")] = None,
    check: Annotated[bool, typer.Option(help="Exit 1 when the files differ from the models instead of writing.")] = False,
) -> None:
    """Write (or check) the JSON Schemas generated from the pydantic models."""
    from summarizer.resources import InstalledPackageError
    from summarizer.schema_files import check_schema_files, write_schema_files

    if out is None and Path("schemas").is_dir():
        out = Path("schemas")
    if check:
        stale = check_schema_files(out)
        for name in stale:
            stderr.print(f"[red]stale[/red] {name}: regenerate with `summarizer schemas`")
        raise typer.Exit(1 if stale else 0)
    try:
        written = write_schema_files(out)
    except InstalledPackageError as error:
        stderr.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from error
    for path in written:
        stderr.print(f"wrote {path}")


@app.command("dev-server")
def dev_server(
    host: Annotated[str, typer.Option(help="Address to bind; keep 127.0.0.1 unless you mean to share it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 = any free port).")] = 8000,
    latency: Annotated[float, typer.Option(min=0.0, help="Seconds to wait before each answer.")] = 0.0,
) -> None:
    """Serve a local OpenAI-compatible endpoint that answers from the rules backend (no key needed)."""
    from summarizer.devserver import serve

    serve(host=host, port=port, latency=latency)


class EvalBackend(str, Enum):
    rules = "rules"
    llm = "llm"
    baseline = "baseline"
    oracle = "oracle"


class EvalReport(str, Enum):
    md = "md"
    json = "json"
    junit = "junit"
    html = "html"


@app.command("eval")
def eval_command(
    backend: Annotated[EvalBackend, typer.Option(help="Backend to score; baseline = the keyword floor, oracle = the labels (self-test).")] = EvalBackend.rules,
    suite: Annotated[str, typer.Option(help=(
        "A suite file of the project, evals/suites/NAME.yaml, naming its fixtures, documents, thresholds and "
        "baseline: fixtures (seeds and examples, blessed baseline), holdout and realdev (floors only)."))] = "fixtures",
    project: Annotated[Optional[Path], typer.Option(help=(
        "The project to evaluate: a folder holding evals/ (and prompts/); by default the current directory when "
        "it holds evals/, else the shipped examples. Seeds are read from ../shared/seeds beside it, or "
        "SUMMARIZER_SEEDS_DIR; realdev from ../shared/realdev, or SUMMARIZER_REALDEV_DIR."))] = None,
    fixtures: Annotated[Optional[Path], typer.Option(help="Fixture folder instead of the suite's (a folder with gold/ and docs/ is read as realdev labels).")] = None,
    baseline: Annotated[Optional[Path], typer.Option(help="Blessed scores instead of the suite's; the file must exist (or be created by --bless).")] = None,
    no_baseline: Annotated[bool, typer.Option("--no-baseline", help="Gate by the floors alone, with no blessed scores.")] = False,
    thresholds: Annotated[Optional[Path], typer.Option(help="Score floors (default: the suite's thresholds file).")] = None,
    prompts: Annotated[Optional[Path], typer.Option(help="Prompt folder to send (llm); by default the project's prompts/.")] = None,
    allow_missing: Annotated[bool, typer.Option("--allow-missing", help="Skip (and count) fixtures whose document is absent instead of failing them.")] = False,
    report: Annotated[EvalReport, typer.Option(help="Report format: md on the terminal, json or junit for CI, html for a person (with --out).")] = EvalReport.md,
    out: Annotated[Optional[Path], typer.Option(help="Write the report and samples.jsonl (one line per fixture) into this folder.")] = None,
    bless: Annotated[bool, typer.Option("--bless", help="Write this run's scores as the suite's baseline (in the project, never the installed package).")] = False,
    record: Annotated[Optional[Path], typer.Option(help="Store the raw model responses here, with index.json: fixture -> answer files (llm).")] = None,
    replay: Annotated[Optional[Path], typer.Option(help="Answer from responses stored with --record: no network (llm).")] = None,
    provider: Annotated[Optional[str], typer.Option(help="openai, deepseek, qwen, vllm, ollama, llamacpp (llm).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint (llm).")] = None,
    model: Annotated[Optional[str], typer.Option(help="Model name at the endpoint (llm).")] = None,
    concurrency: Annotated[Optional[int], typer.Option(min=1, help="Model requests (rules: fixtures) in flight at once; by default llm.concurrency of the config, 4.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="auto, tools, json_schema, json, md_json (llm).")] = None,
    timeout: Annotated[Optional[float], typer.Option(help="Seconds per model request (llm).")] = None,
    max_retries: Annotated[Optional[int], typer.Option(help="HTTP retries per request (429, 5xx, timeouts) (llm).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the response cache (llm).")] = False,
    config_file: ConfigOption = None,
    checks: Annotated[bool, typer.Option("--checks", help=(
        "Run the project's checks (evals/checks/*.yaml) instead of the fixtures: one line per expectation, exit 1 when "
        "one fails; with --report junit --out DIR each check is a testcase."))] = False,
    checks_dir: Annotated[Optional[Path], typer.Option(help="Run the checks of this folder (implies --checks).")] = None,
    compare: Annotated[Optional[tuple[str, str]], typer.Option(metavar="A B", help=(
        "Compare two configurations over the same fixtures: each a config file (run with --backend) or a "
        "backend name. Scores side by side, per-document wins and losses, items fixed and broken, usage."))] = None,
) -> None:
    """Score a backend on a project's suite; exit 1 when a score is under its threshold or baseline,
    a fixture's document is absent, or nothing was scored; exit 2 on a usage problem.

    Example: summarizer eval --backend rules --suite holdout
    """
    from summarizer.evaluation import run_eval

    config = _config(
        config_file, record_dir=record, replay_dir=replay, provider=provider, base_url=base_url, model=model,
        concurrency=concurrency, mode=mode, timeout=timeout, max_retries=max_retries,
        use_cache=False if no_cache else None,
    )
    if checks or checks_dir is not None:
        from summarizer.evaluation.check_report import run_check_command

        raise typer.Exit(run_check_command(checks_dir, backend.value, project=project, report=report.value, out=out,
                                           config=config))
    if compare is not None:
        from summarizer.evaluation.compare import run_compare

        overrides = {"record_dir": record, "replay_dir": replay, "provider": provider, "base_url": base_url, "model": model,
                     "concurrency": concurrency, "mode": mode, "timeout": timeout, "max_retries": max_retries,
                     "use_cache": False if no_cache else None}
        raise typer.Exit(run_compare(*compare, backend=backend.value, suite=suite, project=project, fixtures=fixtures,
                                     allow_missing=allow_missing, concurrency=concurrency, out=out, overrides=overrides))
    raise typer.Exit(
        run_eval(backend.value, suite=suite, project=project, fixtures=fixtures, baseline=baseline,
                 no_baseline=no_baseline, thresholds=thresholds, prompts=prompts, allow_missing=allow_missing,
                 concurrency=concurrency, report=report.value, out=out, bless_baseline=bless, config=config)
    )


def main() -> None:
    from summarizer.redact import guard_std_streams

    guard_std_streams()  # nothing written to stdout or stderr carries the API key, in any encoding
    try:
        app()
    finally:
        # Every output is written and closed by now. The interpreter's last collection would walk
        # every object the SDKs created (a fifth of a second after an LLM run, for nothing);
        # frozen objects are left to the process's exit.
        gc.freeze()


if __name__ == "__main__":
    main()
