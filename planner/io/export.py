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
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import PlannerError

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


def refuse_inputs(path: str | os.PathLike, inputs: Sequence[str | os.PathLike]) -> None:
    """Raise :class:`PlannerError` when ``path`` is one of ``inputs`` (same file, by any name or link)."""
    target = Path(path)
    for source in inputs:
        try:
            same = Path(source).exists() and target.exists() and os.path.samefile(source, target)
        except OSError:
            continue
        if same:
            raise PlannerError(
                f"不会覆盖输入文件 {source}，请换一个输出文件名。/ refusing to overwrite the input file {source}; "
                "choose another output name.", file=str(target),
            )


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place.

    Refuses to write over any of ``inputs`` (the files the user gave).
    """
    target = Path(path)
    refuse_inputs(target, inputs)
    if target.is_dir():
        raise PlannerError("输出路径是文件夹", f"the output path is a folder: {target}", file=str(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise PlannerError("输出文件夹不存在", f"the output folder does not exist: {folder}", file=str(folder))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # disk full, permission denied: a message, not a traceback
            raise _write_error(target, exc) from None
        raise
    return target


def _write_error(target: Path, exc: OSError) -> PlannerError:
    reason = exc.strerror or type(exc).__name__
    return PlannerError(
        f"无法写入 {target}：{reason}。原有文件（如果有）没有改动。请检查磁盘空间和权限，或换一个位置。/ "
        f"cannot write {target}: {reason}. Any existing file there is unchanged. Check the disk space and "
        "permissions, or choose another place.", file=str(target),
    )


def write_csv(path, header: Sequence[str], rows: Iterable[Sequence], *, inputs: Sequence = ()) -> Path:
    """A CSV (UTF-8 with BOM, so Excel shows Chinese) with every text cell made Excel-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([excel_safe(h) for h in header])
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    return atomic_write_bytes(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"), inputs=inputs)


__all__ = [
    "atomic_write_bytes",
    "excel_safe",
    "refuse_inputs",
    "write_csv",
]
