"""Evidence files (recordings, screenshots, PDFs) kept with a case, with the fingerprint taken at intake.

:func:`store_evidence` copies a file into an evidence folder under the name of
its SHA-256 (the same file added twice is kept once), recording the original
name, the SHA-256 and the size, so that a later copy can be shown to be the
same file (:func:`same_file`) and the stored copy can be checked for
tampering (:func:`verify`). It refuses, with a bilingual message and nothing
written, a missing file, a folder, a device or pipe, and a file above the size
limit. The folder is created readable by its owner only, and so is each copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from ..conduct import Evidence
from ..errors import PlannerError, message

#: The largest evidence file kept (a long call recording or a screen video fits; a film does not).
MAX_EVIDENCE_BYTES = 100 * 1024 * 1024
_CHUNK = 1024 * 1024
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _refuse(path, key: str, /, **fields) -> PlannerError:
    """Evidence file ``path`` refused: catalogue text ``key`` (``io.evidence.*``) with ``fields``."""
    return PlannerError("io.evidence.evidence_file", path=path, text=message(key, **fields))


def _digest(handle, limit: int, path, sink=None) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    while chunk := handle.read(_CHUNK):
        size += len(chunk)
        if size > limit:  # the file grew after it was measured, or is not what stat said
            raise _refuse(path, "io.evidence.grew_past_limit", mb=limit // (1024 * 1024))
        h.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return h.hexdigest(), size


def _open_regular(path: Path, limit: int):
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse(path, "io.evidence.not_found") from None
    except OSError as exc:
        raise _refuse(path, "io.evidence.cannot_read", reason=exc.strerror) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "io.evidence.is_folder")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "io.evidence.not_regular")
    if info.st_size > limit:
        raise _refuse(path, "io.evidence.too_large", size=info.st_size, mb=limit // (1024 * 1024))
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller's with
    except OSError as exc:
        raise _refuse(path, "io.evidence.cannot_read", reason=exc.strerror) from None


def store_evidence(path, folder, *, limit: int = MAX_EVIDENCE_BYTES) -> Evidence:
    """Copy ``path`` into ``folder`` (created 0700) as ``<sha256><suffix>`` and return its :class:`Evidence`.

    The copy is written to a temporary file and renamed into place, so a
    failure leaves nothing half-written; the fingerprint is of the bytes copied.
    """
    source = Path(path)
    target_dir = Path(folder)
    try:
        target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError("io.evidence.cannot_create_evidence_folder", target_dir=target_dir, strerror=exc.strerror) from None
    with _open_regular(source, limit) as handle:
        fd, tmp = tempfile.mkstemp(prefix=".evidence.", suffix=".tmp", dir=target_dir)
        try:
            with os.fdopen(fd, "wb") as sink:
                digest, size = _digest(handle, limit, source, sink)
                sink.flush()
                os.fsync(sink.fileno())
            os.chmod(tmp, 0o600)
            suffix = _SUFFIX.search(source.name)
            os.replace(tmp, target_dir / (digest + (suffix.group(0).lower() if suffix else "")))
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise PlannerError("io.evidence.cannot_store_evidence_nothing", source=source, strerror=exc.strerror) from None
            raise
    return Evidence(source.name, digest, size)


def stored_path(evidence: Evidence, folder) -> Path:
    """Where :func:`store_evidence` kept the copy of ``evidence``."""
    suffix = _SUFFIX.search(evidence.file)
    return Path(folder) / (evidence.sha256 + (suffix.group(0).lower() if suffix else ""))


def same_file(path, evidence: Evidence, *, limit: int = MAX_EVIDENCE_BYTES) -> bool:
    """Whether the file at ``path`` has exactly the bytes fingerprinted at intake (SHA-256 and size)."""
    with _open_regular(Path(path), max(limit, evidence.size)) as handle:
        digest, size = _digest(handle, max(limit, evidence.size), path)
    return digest == evidence.sha256 and size == evidence.size


def verify(evidence: Evidence, folder) -> bool:
    """Whether the stored copy is still the file fingerprinted at intake (False when altered or missing)."""
    path = stored_path(evidence, folder)
    return path.is_file() and same_file(path, evidence)


__all__ = ["MAX_EVIDENCE_BYTES", "same_file", "store_evidence", "stored_path", "verify"]
