"""The batch's ``index.html``: every document of a run, its status and counts, and all its metrics.

The batch runner keeps one small ``IndexedSummary`` per summary it writes (its title, counts and the
CSV rows of its metrics and targets, never the summary itself), so memory grows with the metrics of
the batch, not with its texts. The counts also go into the manifest entry, so a document
``--resume`` reused keeps them; its metrics stay in its own output (this run did not read it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from summarizer.render import CSV_COLUMNS, csv_rows
from summarizer.review import environment
from summarizer.schema import Summary

COUNTED = ("metrics", "targets", "achievements", "problems", "tasks", "dropped")
#: Template outputs joined into one piece of the streamed page.
_PIECES_PER_CHUNK = 512


@dataclass(frozen=True)
class IndexedSummary:
    """What the index shows of one written summary."""

    title: str
    counts: dict[str, int]  # per section of COUNTED
    rows: list[list[str]]


def indexed(summary: Summary) -> IndexedSummary:
    meta = summary.meta
    return IndexedSummary(
        title=meta.title or meta.meeting_name or meta.organization or "",
        counts={
            **{section: len(getattr(summary, section)) for section in COUNTED if section != "dropped"},
            "dropped": len(summary.diagnostics.dropped),
        },
        rows=csv_rows(summary),
    )


@dataclass(frozen=True)
class IndexEntry:
    """One document's line: what the manifest says of it, plus its summary's digest when there is one."""

    path: str
    status: str
    error: str | None
    output: str | None
    seconds: float
    counts: dict[str, int] | None  # from the manifest entry: kept across --resume
    summary: IndexedSummary | None  # only for the summaries this run wrote


def index_page(entries: Iterable[IndexEntry], *, fmt: str, manifest_name: str, pages: bool) -> Iterator[str]:
    """The page, in pieces to stream to its file; ``pages``: each document's output is its review
    page, so the index links to it.

    A large batch's page runs to tens of megabytes, and rendered whole it would be held twice over
    (Jinja's pieces and their join) at the end of a run whose memory otherwise stays flat. Each piece
    joins whole template outputs, so no value (nor a secret in one, for the writer's scrub) is cut.
    """
    listed = sorted(entries, key=lambda entry: entry.path)
    stream = environment().get_template("index.html.j2").stream(
        entries=listed,
        sections=COUNTED,
        statuses=Counter(entry.status for entry in listed),
        columns=CSV_COLUMNS,
        rows=[row for entry in listed if entry.summary for row in entry.summary.rows],
        fmt=fmt,
        manifest_name=manifest_name,
        pages=pages,
    )
    stream.enable_buffering(_PIECES_PER_CHUNK)
    return stream
