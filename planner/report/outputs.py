"""Where a written document goes: named by client, what it is and the date, never over an earlier file.

A widget (the session report button, the follow-up widget's letters, complaint packs and
reports) writes into the reports folder with a name a counsellor can find again:
``王小明-申请书-借呗-2026-12-06.pdf``. With ``anonymise`` the client's name and every phone
number leave the file name too (the same scrubbing as the documents and the CLI,
:func:`planner.privacy.scrub_file_stem`). A name already taken gets ``-2``, ``-3`` ...:
the second client's report never replaces the first.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> first = document_path(folder, "王小明", ["申请书", "借呗"], ".html", on="2026-12-06")
>>> first.name
'王小明-申请书-借呗-2026-12-06.html'
>>> document_path(folder, "王小明", ["申请书", "借呗"], ".html", on="2026-12-06").name
'王小明-申请书-借呗-2026-12-06-2.html'
>>> document_path(folder, "王小明", ["letter", "13812345678"], ".pdf", anonymise=True, on="2026-12-06").name
'client-letter-phone-2026-12-06.pdf'
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..errors import PlannerError

#: Characters no file name may hold on Windows, macOS or Linux (and control characters).
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", str(part)).strip(" ._")


def document_path(folder, client: str | None, what: Sequence[str], suffix: str, *, anonymise: bool = False,
                  on: str | date | None = None) -> Path:
    """A free path in ``folder`` (made if missing) for a document about ``client``.

    The name is ``<client>-<what...>-<date><suffix>``; ``anonymise`` puts ``client`` in place
    of the client's name and phone numbers. The path is reserved (an empty file made
    exclusively), so two writers never get the same one; the writer replaces it.
    """
    from ..privacy import scrub_file_stem

    suffix = suffix if suffix.startswith(".") else "." + suffix
    day = (on if isinstance(on, str) else (on or date.today()).isoformat())
    who = (client or "").strip()
    parts = [who, *what, day]
    if anonymise:  # each part scrubbed before it is made a safe name, so the name is found as typed
        parts = [scrub_file_stem(str(p), (who,) if who else ()) for p in parts]
    stem = "-".join(_safe(p) for p in parts if p and _safe(p)) or "document"
    target = Path(folder).expanduser()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError(
            "report.outputs.cannot_make_folder",
            target=target,
            v=exc.strerror or exc,
            file=str(target),
        ) from None
    for n in range(1, 10_000):
        path = target / (stem + ("" if n == 1 else f"-{n}") + suffix)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise PlannerError("report.outputs.cannot_write", path=path, v=exc.strerror or exc, file=str(path)) from None
        os.close(fd)
        return path
    raise PlannerError("report.outputs.too_many_files_name", target=target, file=str(target))


__all__ = ["document_path"]
