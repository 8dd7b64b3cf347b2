"""The deterministic, offline backend: cue lexicons and the document's own structure fill the schema.

It is what runs with no model and what CI measures on every change, so it only ever states what
the pre-extractor found (values come from candidates, never from its own parsing) and quotes the
cleaned text exactly. One module per stage: ``meeting`` (the meeting reported), ``bodies`` (the
organisation that held it and its city), ``meta`` (date, period, the meeting's metadata assembled),
``names`` (the words naming each number), ``figures`` (metrics), ``targets`` (goals), ``lists``
(分别 and ranked lists), ``narrative`` (achievements, problems, tasks), ``phrases`` (their wording
and de-duplication), ``backend`` (assembly); the cue lists are data, in ``lexicon.yaml`` beside
them and in ``summarizer/text/genre.yaml``.
"""

from summarizer.backends.rules.backend import RulesBackend
from summarizer.backends.rules.phrases import MAX_PHRASE

__all__ = ["MAX_PHRASE", "RulesBackend"]
