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
from ..errors import InputError, Problem


def _refuse(label: str, zh: str, en: str) -> InputError:
    return InputError([Problem(zh, en)], label)


def _limit_text(limit: int) -> tuple[str, str]:
    shown = f"{limit / 1e6:.0f} MB" if limit >= 1e6 else f"{limit} bytes"
    return shown.replace("bytes", "字节"), shown


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
    limit_zh, limit_en = _limit_text(limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise _refuse(label, "找不到文件。请检查路径。", "file not found. Check the path.") from None
    except (ValueError, TypeError):  # a NUL character in the path
        raise _refuse(label, "文件路径无效。", "the file path is not valid.") from None
    except IsADirectoryError:
        raise _refuse(label, "这是一个文件夹，不是文件。请给出其中的文件。", "this is a folder, not a file. Give a file in it.") from None
    except OSError as exc:
        raise _refuse(label, f"无法读取文件：{exc.strerror}。请检查路径和权限。", f"cannot read the file: {exc.strerror}. Check the path and permissions.") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(label, "这是一个文件夹，不是文件。请给出其中的文件。", "this is a folder, not a file. Give a file in it.")
        if not stat.S_ISREG(info.st_mode):
            zh, en = (
                ("管道", "a FIFO, a named pipe") if stat.S_ISFIFO(info.st_mode)
                else ("设备", "a device") if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else ("套接字", "a socket") if stat.S_ISSOCK(info.st_mode)
                else ("特殊文件", "a special file")
            )
            raise _refuse(label, f"不是普通文件（{zh}），无法作为输入读取。请给出普通文件。",
                          f"is not a regular file ({en}), so it cannot be read as input. Give a regular file.")
        too_big = too_large or _refuse(label, f"文件太大（上限 {limit_zh}）。", f"the file is too large (limit {limit_en}).")
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
        raise _refuse(label, f"无法读取文件：{exc.strerror}。请检查磁盘。", f"cannot read the file: {exc.strerror}. Check the disk.") from None
    finally:
        os.close(fd)


__all__ = ["read_input"]
