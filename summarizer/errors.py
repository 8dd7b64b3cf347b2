"""One exception type per failure a user can act on; each message names the input and the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.schema import Usage


class SummarizerError(Exception):
    """Base of every error summarizer raises on purpose."""


class DocumentError(SummarizerError):
    """An input file cannot be used: missing, empty, binary, undecodable, too large, unreadable."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(SummarizerError):
    """The configuration is unusable (unknown provider, missing model, bad value)."""


class BackendError(SummarizerError):
    """A backend could not produce a summary for one document (timeouts, 429s, invalid answers).

    ``usage`` is what the failed document spent anyway, so a run's totals stay exact.
    """

    usage: Usage | None = None


class ModelResponseError(BackendError):
    """The model answered, but not with something usable, after every re-ask."""


class EndpointUnreachable(BackendError, ConfigError):
    """The model server cannot be reached at all (connection refused, unknown host) several times in a row.

    Raised for every request once that happened, so a batch stops instead of failing each document
    in turn; it is a ``ConfigError`` too (a wrong URL or a server not started), so the command exits 2.
    """

    def __init__(self, url: str, reason: str, failures: int) -> None:
        super().__init__(
            f"cannot reach the model server at {url}: {reason}, {failures} times in a row; "
            "stopped: the documents not attempted are marked not_attempted in the manifest (--resume runs them)"
        )
        self.url = url
        self.reason = reason
        self.failures = failures
