"""summarizer: numerically faithful structured summaries of Chinese economic-work meeting reports.

>>> from summarizer import summarize
>>> summary = summarize("上半年,全区地区生产总值完成120.5亿元,同比增长6.2%。")  # doctest: +SKIP
>>> summary.metrics[0].value, summary.metrics[0].growth_pct  # doctest: +SKIP
(120.5, 6.2)

Heavy modules (jieba, openai, instructor) load on first use, so ``import summarizer`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "summarize": "summarizer.api",
    "summarize_many": "summarizer.api",
    "asummarize": "summarizer.api",
    "asummarize_many": "summarizer.api",
    "Outcome": "summarizer.api",
    "Summarized": "summarizer.api",
    "Failed": "summarizer.api",
    "extract_quantities": "summarizer.quantities",
    "load_document": "summarizer.document",
    "document_from_text": "summarizer.document",
    "Document": "summarizer.document",
    "load_config": "summarizer.config",
    "Config": "summarizer.config",
    "LLMSettings": "summarizer.config",
    "Summary": "summarizer.schema",
    "Quantity": "summarizer.schema",
    "Metric": "summarizer.schema",
    "Target": "summarizer.schema",
    "Item": "summarizer.schema",
    "Evidence": "summarizer.schema",
    "Meta": "summarizer.schema",
    "SummarizerError": "summarizer.errors",
    "DocumentError": "summarizer.errors",
    "ConfigError": "summarizer.errors",
    "BackendError": "summarizer.errors",
}
# Written out, not built from _EXPORTS: type checkers read a literal __all__ as the explicit exports
# (mypy --strict and pyright reject names re-exported any other way); a test keeps the two equal.
__all__ = [
    "__version__",
    "summarize",
    "summarize_many",
    "asummarize",
    "asummarize_many",
    "Outcome",
    "Summarized",
    "Failed",
    "extract_quantities",
    "load_document",
    "document_from_text",
    "Document",
    "load_config",
    "Config",
    "LLMSettings",
    "Summary",
    "Quantity",
    "Metric",
    "Target",
    "Item",
    "Evidence",
    "Meta",
    "SummarizerError",
    "DocumentError",
    "ConfigError",
    "BackendError",
]

if TYPE_CHECKING:
    from summarizer.api import Failed, Outcome, Summarized, asummarize, asummarize_many, summarize, summarize_many
    from summarizer.config import Config, LLMSettings, load_config
    from summarizer.document import Document, document_from_text, load_document
    from summarizer.errors import BackendError, ConfigError, DocumentError, SummarizerError
    from summarizer.quantities import extract_quantities
    from summarizer.schema import Evidence, Item, Meta, Metric, Quantity, Summary, Target


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
