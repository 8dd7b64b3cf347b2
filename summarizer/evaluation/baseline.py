"""A deliberately naive keyword predictor: the floor every real backend must beat clearly.

It reads sentence by sentence with a handful of keywords and one regular expression, and uses
neither the pre-extractor nor jieba, so its scores move only when the fixtures do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from summarizer.document import Document
from summarizer.schema import (
    Diagnostics,
    Evidence,
    Item,
    Meta,
    Metric,
    Quantity,
    Summary,
    Target,
)

PHRASE_CHARS = 40
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(亿元|万元|元|个百分点|%|家|个|人次|人|亿|万)?")
_NAME_BEFORE = re.compile(r"[\u4e00-\u9fff]{1,10}(?=[^\u4e00-\u9fff]*$)")
_TARGET_CUES = ("力争", "确保", "目标")
_PROBLEM_CUES = ("问题", "短板", "不足")
_ACHIEVEMENT_CUES = ("实现", "突破", "成效")
_ORGANIZATION = re.compile(r"高新区|经开区|开发区|示范区")
_CITY = re.compile(r"([\u4e00-\u9fff]{2})市(?!场)")
_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"(20\d\d)年")
_MEETING = re.compile(r"召开([^，。,\s]{2,30}?会)")
_PERIOD = re.compile(r"上半年|前三季度|一季度|三季度|1[—-]6月")


def summary_shell(document: Document, backend: str) -> Summary:
    """An empty Summary of ``document``, ready for a predictor to fill."""
    return Summary(
        source=document.source_info(),
        diagnostics=Diagnostics(backend=backend),  # type: ignore[arg-type]
        text=document.text,
    )


def evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(quote=text[start:end], start=start, end=end)


class BaselineBackend:
    """Keyword rules a first-day intern would write; see the module docstring."""

    name = "baseline"

    def summarize(self, document: Document, quantities: list[Quantity] | None = None) -> Summary:
        """``quantities`` is accepted for the Backend protocol and ignored: the floor stays naive."""
        text = document.text
        summary = summary_shell(document, "baseline")
        summary.meta = _meta(document)
        for start, end in _sentences(text):
            sentence = text[start:end]
            number = _NUMBER.search(sentence)
            span = evidence(text, start, end)
            if number and any(cue in sentence for cue in _TARGET_CUES):
                summary.targets.append(
                    Target(
                        name=_name_before(sentence, number.start()),
                        value=float(number.group(1)),
                        unit=number.group(2),
                        cue=next(cue for cue in _TARGET_CUES if cue in sentence),
                        evidence=span,
                    )
                )
            elif number and "增长" in sentence:
                summary.metrics.append(_metric(sentence, number, span))
            cut = start + min(PHRASE_CHARS, end - start)
            phrase = Item(text=text[start:cut], evidence=evidence(text, start, cut))
            if any(cue in sentence for cue in _PROBLEM_CUES):
                summary.problems.append(phrase)
            elif sentence.startswith("要"):
                summary.tasks.append(phrase)
            elif any(cue in sentence for cue in _ACHIEVEMENT_CUES):
                summary.achievements.append(phrase)
        return summary


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start] in " \t\u3000*#“\"":
            start += 1
        if end - start >= 4:
            yield start, end


def _name_before(sentence: str, position: int) -> str:
    found = _NAME_BEFORE.search(sentence[:position])
    return found.group(0) if found else "指标"


def _metric(sentence: str, number: re.Match[str], span: Evidence) -> Metric:
    name = _name_before(sentence, number.start())
    value, unit = float(number.group(1)), number.group(2)
    if unit == "%" and name.endswith("增长"):
        return Metric(name=name, growth_pct=value, evidence=span)
    return Metric(name=name, value=value, unit=unit, evidence=span)


def _meta(document: Document) -> Meta:
    text = document.text
    meta = Meta(title=document.meta.title, publish_date=document.meta.publish_date, source=document.meta.source)
    organization = _ORGANIZATION.search(text)
    if organization:
        meta.organization = organization.group(0)
        meta.evidence["organization"] = evidence(text, organization.start(), organization.end())
    city = next((m for m in _CITY.finditer(text) if not set(m.group(1)) & set("全本该城")), None)
    if city:
        meta.city = city.group(1)
        meta.evidence["city"] = evidence(text, city.start(1), city.end(1))
    date = _DATE.search(text)
    year = _YEAR.search(text)
    published = document.meta.publish_date
    year_number = int(year.group(1)) if year else (published.year if published else None)
    if date and year_number:
        try:
            meta.meeting_date = dt.date(year_number, int(date.group(1)), int(date.group(2)))
            meta.evidence["meeting_date"] = evidence(text, date.start(), date.end())
        except ValueError:  # 2月30日 is no meeting date
            pass
    meeting = _MEETING.search(text)
    if meeting:
        meta.meeting_name = meeting.group(1)
        meta.evidence["meeting_name"] = evidence(text, meeting.start(1), meeting.end(1))
    period = _PERIOD.search(text)
    if period:
        meta.report_period = period.group(0)
        meta.evidence["report_period"] = evidence(text, period.start(), period.end())
    return meta
