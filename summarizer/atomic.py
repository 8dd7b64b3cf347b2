"""Files that readers never see half-written: written beside the target, then renamed over it.

Outputs, the manifest, cache entries and recorded answers all go through here, so a run killed at
any moment leaves either the old file or the new one.

The temporary file is named ``.<target name>.<tag>.<random>.tmp`` (the target name shortened when
long, so a name near the file system's limit still gets its temporary file). A batch passes its
run id as ``tag``: only that run's files carry it, so cleaning up never touches another run's
temporary files or a user's own ``.notes.tmp``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from summarizer.redact import scrub

#: At most this many bytes of the target's name go into its temporary file's name.
_NAME_BYTES = 100


def _process_umask() -> int:
    """The umask, read the only way POSIX offers (set, then restored) once, at import."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Permissions of a written file: what ``open()`` would give it (0644 under the usual umask), not
#: mkstemp's private 0600, so that a teammate or a web server can read the outputs.
FILE_MODE = 0o666 & ~_process_umask()


def write_atomic(path: Path, text: str | Iterable[str], *, tag: str | None = None) -> str:
    """Write ``text`` (or its chunks, streamed) to a temporary file in the same folder, then rename it.

    Returns the SHA-256 of the bytes written (UTF-8). ``tag`` goes into the temporary file's name.
    The rename replaces ``path`` itself: a symbolic link there is replaced, never followed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    short = path.name.encode("utf-8", "surrogateescape")[:_NAME_BYTES].decode("utf-8", "ignore")
    prefix = f".{short}." + (f"{tag}." if tag else "")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    digest = hashlib.sha256()
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "wb") as stream:
            for chunk in [text] if isinstance(text, str) else text:
                data = scrub(chunk).encode("utf-8")  # no API key reaches a file, in any encoding
                digest.update(data)
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()
