"""Writing files safely: never over an input, never half-written, safe in Excel.

>>> excel_safe("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> excel_safe("-12.50"), excel_safe("花呗")
('-12.50', '花呗')
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import PlannerError
from ..i18n import both

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def excel_safe(value) -> str:
    """Neutralise a text cell Excel would run as a formula (CSV injection): prefix a quote.

    Plain numbers, negative ones included, are left as they are.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _same(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether ``a`` and ``b`` name one file: the same resolved path, or (both existing) the same device and inode."""
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether ``path`` is ``folder`` or lies anywhere inside it, by resolved path or by device and inode
    of each of its existing ancestors (a bind mount or a hard-linked name cannot hide it)."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    if real == top or top in real.parents:
        return True
    try:
        info = os.stat(folder)
    except (OSError, ValueError):
        return False
    for step in (real, *real.parents):
        try:
            if os.path.samestat(os.stat(step), info):
                return True
        except (OSError, ValueError):
            continue
    return False


def refuse_inputs(path: str | os.PathLike, inputs: Sequence[str | os.PathLike]) -> None:
    """Raise :class:`PlannerError` when ``path`` is one of ``inputs`` or lies inside one that is a folder.

    The one check every writer makes before it writes: an input file, the case book with its
    journal and WAL files, the book's evidence folder. ``path`` and each input are compared
    by resolved path (symlinks, ``..``, relative names; also for a file that does not exist
    yet, such as a journal) and by device and inode (hard links).
    """
    target = Path(path)
    for source in inputs:
        if source is None or not str(source).strip():
            continue
        if os.path.isdir(source):
            if _inside(target, source):
                raise PlannerError(
                    "io.export.refusing_write_inside_folder",
                    target=target,
                    source=source,
                    file=str(target),
                )
        elif _same(target, source):
            raise PlannerError("io.export.refusing_overwrite_input_file", source=source, file=str(target))


_NOT_A_FILE = os.stat_result((stat.S_IFSOCK, 0, 0, 0, 0, 0, 0, 0, 0, 0))


def _is_std_stream(info: os.stat_result) -> bool:
    for fd in (1, 2):
        try:
            if os.path.samestat(info, os.fstat(fd)):
                return True
        except OSError:
            continue
    return False


def output_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` should replace: ``path`` itself, or what its symlinks point to.

    Raises :class:`PlannerError` for an empty name, a folder, or anything that is not a
    regular file (a device such as ``/dev/null`` or ``/dev/full``, a FIFO, a socket, or a
    symlink to one, such as ``/dev/stdout``): renaming over it would replace the node
    itself, so it is refused rather than written.
    """
    if path is None or not str(path).strip():
        raise PlannerError("io.export.output_file_name_empty", value="" if path is None else str(path))
    target = Path(path)
    try:
        info = os.stat(target)  # follows symlinks: /dev/stdout is whatever fd 1 is
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _write_error(target, exc) from None
    if os.path.islink(target):
        # Write where the link points (renaming over the link would replace the link itself).
        real = Path(os.path.realpath(target))
        if info is not None and not real.exists():  # /proc/self/fd/N of a pipe or a deleted file
            info = _NOT_A_FILE
        target = real
    if info is None:
        return target
    if stat.S_ISDIR(info.st_mode):
        raise PlannerError("io.export.output_path_folder_file", path=path, file=str(path))
    if info is not _NOT_A_FILE and stat.S_ISREG(info.st_mode) and _is_std_stream(info):
        raise PlannerError("io.export.refusing_write_programs_own", path=path, file=str(path))
    if info is _NOT_A_FILE or not stat.S_ISREG(info.st_mode):
        what = (
            "file_kind_device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "file_kind_fifo" if stat.S_ISFIFO(info.st_mode)
            else "file_kind_socket_or_pipe" if stat.S_ISSOCK(info.st_mode)
            else "file_kind_special"
        )
        raise PlannerError(
            "io.export.refusing_write_not_regular",
            path=path,
            v=both(what),
            file=str(path),
        )
    return target


class AtomicFile:
    """A file written under a temporary name in its target's folder, then flushed to disk and
    renamed into place (:meth:`commit`): nobody sees half a file, and whatever was at the
    target stays unchanged until then; :meth:`discard` removes the temporary file.

    Refuses to write over any of ``inputs`` (the files the user gave). ``temp`` is the
    temporary file's path (write it by that name or through ``fd``); :meth:`sync` flushes
    what is written so far, so that a long write need not wait for all of it at the end.
    """

    def __init__(self, path: str | os.PathLike, *, inputs: Sequence[str | os.PathLike] = ()):
        target = output_target(path)
        refuse_inputs(target, inputs)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise PlannerError("io.export.output_folder_not_exist", folder=folder, file=str(folder))
        try:
            self.fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise _write_error(target, exc) from None
        self.target, self.temp = target, Path(temp)

    def sync(self) -> None:
        """Flush what is written so far to disk."""
        try:
            os.fsync(self.fd)
        except OSError as exc:
            raise _write_error(self.target, exc) from None

    def commit(self, *, replace: bool = True, exists: PlannerError | None = None) -> Path:
        """Flush the file to disk and put it in place; returns the target's path.

        With ``replace`` False a file already at the target is never replaced: the temporary
        file is linked to the target's name, which fails when the name is taken (also by a
        writer at the same moment), and ``exists`` (or a message naming the file) is raised.
        """
        try:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = -1
            if replace:
                os.replace(self.temp, self.target)
            else:
                self._link_new(exists)
        except OSError as exc:  # disk full, permission denied: a message, not a traceback
            self.discard()
            raise _write_error(self.target, exc) from None
        except PlannerError:
            self.discard()
            raise
        return self.target

    def _link_new(self, exists: PlannerError | None) -> None:
        """The temporary file under the target's name, only if that name is free; the temporary name removed."""
        refused = exists or PlannerError("io.export.exists", target=self.target, file=str(self.target))
        try:
            os.link(self.temp, self.target)
        except FileExistsError:
            raise refused from None
        except OSError:  # a file system without hard links: the name was free a moment ago, or not
            if os.path.lexists(self.target):
                raise refused from None
            os.replace(self.temp, self.target)
            return
        os.unlink(self.temp)

    def discard(self) -> None:
        """Remove the temporary file (the target is left as it was)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        try:
            os.unlink(self.temp)
        except OSError:
            pass


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, inputs: Sequence[str | os.PathLike] = (),
                       replace: bool = True, exists: PlannerError | None = None) -> Path:
    """Write ``data`` to ``path`` through a temporary file put into place (:class:`AtomicFile`).

    Refuses to write over any of ``inputs`` (the files the user gave); with ``replace`` False,
    over any file at all (``exists`` is then the refusal: :meth:`AtomicFile.commit`).
    """
    out = AtomicFile(path, inputs=inputs)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(out.fd, view):]
    except BaseException as exc:
        out.discard()
        if isinstance(exc, OSError):  # disk full, permission denied: a message, not a traceback
            raise _write_error(out.target, exc) from None
        raise
    return out.commit(replace=replace, exists=exists)


def _write_error(target: Path, exc: OSError) -> PlannerError:
    reason = exc.strerror or type(exc).__name__
    return PlannerError("io.export.cannot_write_existing_file", target=target, reason=reason, file=str(target))


def write_csv(path, header: Sequence[str], rows: Iterable[Sequence], *, inputs: Sequence = ()) -> Path:
    """A CSV (UTF-8 with BOM, so Excel shows Chinese) with every text cell made Excel-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([excel_safe(h) for h in header])
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    return atomic_write_bytes(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"), inputs=inputs)


__all__ = [
    "AtomicFile",
    "atomic_write_bytes",
    "excel_safe",
    "output_target",
    "refuse_inputs",
    "write_csv",
]
