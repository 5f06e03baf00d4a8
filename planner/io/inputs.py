"""Reading an input file: a regular file of bounded size, or a message (never a hang).

Every reader of a file the user names (debts, payments, scenarios, a case import) goes
through :func:`read_input`. It opens without blocking, so a FIFO given as input is refused
at once instead of waiting forever for a writer; a device (``/dev/zero``, a terminal), a
socket or a folder is refused from its file type; a file above the limit is refused from
its size, and at most one byte past the limit is ever read (a file that grows while it is
read cannot fill memory).
"""

from __future__ import annotations

import os
import stat
from ..errors import InputError, Message, Problem
from ..i18n import both


def _limit_text(limit: int) -> Message:
    shown = f"{limit / 1e6:.0f} MB" if limit >= 1e6 else f"{limit} bytes"
    return Message(shown.replace("bytes", "字节"), shown)


def read_input(path: str | os.PathLike, *, limit: int, label: str | None = None, too_large: InputError | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` bytes), or :class:`InputError`.

    ``label`` names the file in messages (default: the path); ``too_large`` replaces the
    default message for a file above the limit (a reader with its own advice).

    >>> try:
    ...     read_input("/dev/zero", limit=10)
    ... except InputError as error:
    ...     print(error.problems[0].en)
    is not a regular file (a device), so it cannot be read as input. Give a regular file.
    """
    label = str(path).replace("\x00", "") if label is None else label
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError([Problem.of("io.inputs.not_found")], label) from None
    except (ValueError, TypeError):  # a NUL character in the path
        raise InputError([Problem.of("io.inputs.bad_path")], label) from None
    except IsADirectoryError:
        raise InputError([Problem.of("io.inputs.folder")], label) from None
    except OSError as exc:
        raise InputError([Problem.of("io.inputs.cannot_open", reason=exc.strerror)], label) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem.of("io.inputs.folder")], label)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "file_kind_fifo" if stat.S_ISFIFO(info.st_mode)
                else "file_kind_device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "file_kind_socket" if stat.S_ISSOCK(info.st_mode)
                else "file_kind_special"
            )
            raise InputError([Problem.of("io.inputs.not_regular", kind=both(kind))], label)
        too_big = too_large or InputError([Problem.of("io.inputs.too_large", limit=_limit_text(limit))], label)
        if info.st_size > limit:
            raise too_big
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while it was read
            raise too_big
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([Problem.of("io.inputs.cannot_read", reason=exc.strerror)], label) from None
    finally:
        os.close(fd)


__all__ = ["read_input"]
