"""The rules backend: each article's meta, figures and narrative, assembled into one Summary."""

from __future__ import annotations

import bisect

from summarizer.backends.rules.figures import extract_metrics, period_marks
from summarizer.backends.rules.lexicon import Lexicon, evidence_of, inside_any, lexicon
from summarizer.backends.rules.meta import extract_meta
from summarizer.backends.rules.names import listings
from summarizer.backends.rules.narrative import extract_narrative
from summarizer.backends.rules.targets import extract_targets
from summarizer.collector import collector_paused
from summarizer.document import Document
from summarizer.schema import ArticleInfo, Diagnostics, Item, Meta, Metric, Quantity, Summary, Target
from summarizer.text.sentences import segment

SECTIONS = ("achievements", "problems", "tasks")


class RulesBackend:
    """Summaries from cue lexicons and document structure: deterministic, offline, stateless."""

    name = "rules"
    #: All its work is computation (no model to wait for): see ``summarizer.api.summarize_document``.
    cpu_bound = True

    def __init__(self, lex: Lexicon | None = None) -> None:
        self._lexicon = lex

    def summarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        """Every article of the page summarised on its own, then merged into one Summary.

        Numbers come only from ``quantities`` (the pre-extractor's candidates) and every evidence
        quotes ``document.text`` exactly, so grounding has nothing to drop.
        """
        with collector_paused(document.text):  # all CPU: see summarizer.collector
            return self._summarize(document, quantities)

    def _summarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        lex = self._lexicon or lexicon()
        text = document.text
        spans = [(a.start, a.end, a.title) for a in document.articles] or [(0, len(text), document.meta.title)]
        metrics: list[Metric] = []
        targets: list[Target] = []
        lists: dict[str, list[Item]] = {section: [] for section in SECTIONS}
        articles: list[ArticleInfo] = []
        metas: list[Meta] = []
        ordered = sorted(quantities, key=lambda q: q.start)
        starts = [q.start for q in ordered]
        for index, (start, end, title) in enumerate(spans):
            meta = extract_meta(
                text, start, end, title or document.meta.title, document.meta.publish_date, lex, document.meta.source
            )
            metas.append(meta)
            discourse = segment(text, start, end, title=title or document.meta.title)
            # An instruction addressed to a model inside the document is no source: none of its numbers
            # may become a metric, a target or part of an item.
            inside = [
                q
                for q in ordered[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
                if not inside_any(q.start, discourse.instructions)
            ]
            narrative = extract_narrative(discourse, inside, lex)
            silent = sorted(narrative.silent)
            listed = listings(text, inside)
            metrics += extract_metrics(text, inside, period_marks(text, inside, silent, lex), silent, lex, listed)
            targets += extract_targets(text, inside, lex, listed)
            for phrase in narrative.phrases:
                lists[phrase.section].append(Item(text=phrase.text, evidence=evidence_of(text, phrase.start, phrase.end)))
            if len(spans) > 1:
                articles.append(ArticleInfo(index=index, title=title, start=start, end=end, meta=meta))
        # The page's meta is its meeting report's: the first article that names a meeting.
        page_meta = next((m for m in metas if m.meeting_name), metas[0])
        page_meta = page_meta.model_copy(update={"source": document.meta.source, "title": document.meta.title})
        return Summary(
            source=document.source_info(),
            meta=page_meta,
            metrics=metrics,
            targets=targets,
            achievements=lists["achievements"],
            problems=lists["problems"],
            tasks=lists["tasks"],
            articles=articles,
            diagnostics=Diagnostics(backend="rules"),
            text=text,
        )
