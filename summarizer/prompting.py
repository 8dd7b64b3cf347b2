"""Prompts as files: what the model is told, shown with the document's clause table and candidates.

The document reaches the model as its clause table (``summarizer.text.clauses``): one row per
clause, ``id|section|text``, paragraphs separated by a blank line. The rows carry the whole text
once, with the punctuation after each clause, so the plain document is not sent as well (see the
comment in ``prompts/summarize.user.md``). A draft cites the rows' ids as each item's evidence.

The prompt's version is a short hash of every file in ``prompts/``, recorded in each output and
in each cache key, so a prompt edit is visible in results and never served from a stale cache.
``<!-- … -->`` comments in the prompt files are for their maintainers and are never sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer.resources import data_dir, parse_yaml
from summarizer.schema import Quantity
from summarizer.text.clauses import ClauseTable, clause_table

SYSTEM_FILE = "summarize.system.md"
USER_FILE = "summarize.user.md"
FEWSHOT_FILE = "fewshot.yaml"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_TABLE_HEADER = "编号 | 原文 | 数值 | 单位 | 类型 | 限定 | 指标 | 目标"
#: The clause table's header and the words its 部分 column uses for the discourse sections.
CLAUSE_HEADER = "编号|部分|原文"
SECTION_WORDS = {"results": "成效", "problems": "问题", "work": "任务", "frame": "会议", "other": "其他"}
HEADING_WORD = "标题"
_CLAUSE_ROW = re.compile(r"^(c\d+)\|([^|\n]*)\|(.*)$")


@dataclass(frozen=True)
class Prompts:
    """The system prompt (instructions and the worked example) and the user template."""

    system: str
    user_template: str
    version: str

    def messages(self, clauses: ClauseTable | str, quantities: Iterable[Quantity]) -> list[dict[str, str]]:
        """The chat messages for one document (or one chunk of it: a subset of the clause table).

        A plain string is segmented as a whole (no articles, no page title); the LLM backend passes
        the document's own table so that grounding reads the same ids.
        """
        table = clause_table(clauses) if isinstance(clauses, str) else clauses
        user = fill(self.user_template, clauses=render_clauses(table), candidates=candidate_table(quantities))
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def load_prompts(folder: str | Path | None = None) -> Prompts:
    """The prompts of ``folder`` (a project's ``prompts/``; default: the shipped ones)."""
    root = Path(folder).expanduser().resolve() if folder is not None else data_dir("prompts")
    if not (root / SYSTEM_FILE).is_file():
        raise FileNotFoundError(f"no prompt folder at {root} (it needs {SYSTEM_FILE}, {USER_FILE} and {FEWSHOT_FILE})")
    return _load(root, prompt_version(root))


@lru_cache(maxsize=4)
def _load(folder: Path, version: str) -> Prompts:
    """Cached per folder and content: an edited prompt file is read again."""
    example = parse_yaml((folder / FEWSHOT_FILE).read_text(encoding="utf-8"))
    system = fill(
        _template(folder / SYSTEM_FILE),
        example_clauses=render_clauses(clause_table(example["document"])),
        example_candidates=_table(_fewshot_row(row) for row in example["candidates"]),
        example_answer=json.dumps(example["answer"], ensure_ascii=False),
    )
    user_template = _template(folder / USER_FILE)
    return Prompts(system=system, user_template=user_template, version=version)


def _template(path: Path) -> str:
    """A prompt file without its maintainers' ``<!-- … -->`` comments."""
    return _COMMENT.sub("", path.read_text(encoding="utf-8"))


def prompt_version(folder: str | Path | None = None) -> str:
    """A 12-hex-digit hash over the names and contents of every prompt file."""
    root = Path(folder) if folder is not None else data_dir("prompts")
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def fill(template: str, **values: str) -> str:
    """Replace ``{{name}}`` placeholders; a missing or unused value is a bug in the prompt files."""
    names = set(_PLACEHOLDER.findall(template))
    if names != set(values):
        raise ValueError(f"prompt placeholders {sorted(names)} do not match the values {sorted(values)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def render_clauses(table: ClauseTable) -> str:
    """One row per clause, ``id|section|text``; a blank line between paragraphs.

    A row shows its clause and what follows it up to the next clause (the ，；。 that tell where a
    duty or sentence ends), line breaks inside a paragraph removed: the rows hold the text once.
    The section is left empty when it is the row above's in the same paragraph (most rows: it is
    a paragraph's more often than a clause's), so each paragraph's first row states it.
    """
    lines = [CLAUSE_HEADER]
    above: tuple[int, str] | None = None
    for row in table.rows:
        section = HEADING_WORD if row.heading else SECTION_WORDS[row.section]
        if above is not None and row.paragraph != above[0]:
            lines.append("")
        shown = re.sub(r"\s*\n\s*", "", table.text[row.start : row.shown_end]).strip()
        lines.append(f"{row.id}|{'' if above == (row.paragraph, section) else section}|{shown}")
        above = (row.paragraph, section)
    return "\n".join(lines)


@dataclass(frozen=True)
class ShownClause:
    """A row of a rendered clause table as a reader of the prompt sees it."""

    id: str
    section: str
    text: str
    paragraph: int


def read_clauses(rendered: str) -> list[ShownClause]:
    """The rows of a table made by :func:`render_clauses` (the dev server reads its prompt so),
    each with its section written out."""
    rows: list[ShownClause] = []
    paragraph = 0
    for line in rendered.splitlines():
        if not line.strip():
            paragraph += 1
            continue
        match = _CLAUSE_ROW.match(line)
        if match:
            above = rows[-1] if rows and rows[-1].paragraph == paragraph else None
            section = match.group(2) or (above.section if above else "")
            rows.append(ShownClause(match.group(1), section, match.group(3), paragraph))
    return rows


def candidate_table(quantities: Iterable[Quantity]) -> str:
    """The candidates a model may cite, one per line; dates, periods and years are left out."""
    return _table(
        (q.id, q.text, _value_text(q), q.unit, q.kind, q.qualifier, q.indicator, q.is_target)
        for q in quantities
        if not q.is_time
    )


def _table(rows: Iterable[tuple[Any, ...]]) -> str:
    lines = [_TABLE_HEADER]
    for key, surface, value, unit, kind, qualifier, indicator, is_target in rows:
        cells = [key, surface, value, unit or "-", kind, qualifier, indicator or "-", "是" if is_target else "否"]
        lines.append(" | ".join(str(cell) for cell in cells))
    return "\n".join(lines)


def _fewshot_row(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        row["id"], row["surface"], _number(row["value"]), row["unit"], row["kind"],
        row["qualifier"], row.get("indicator"), row["target"],
    )  # fmt: skip


def _value_text(quantity: Quantity) -> str:
    if quantity.qualifier == "range" and quantity.low is not None and quantity.high is not None:
        return f"{_number(quantity.low)}~{_number(quantity.high)}"
    return "-" if quantity.value is None else _number(quantity.value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
