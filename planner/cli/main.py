"""The ``planner`` command line: the same plans as the notebooks, for scripts.

Exit codes: 0 done, 2 bad input (a bilingual message, never a traceback),
1 an unexpected internal error (one line; set ``PLANNER_DEBUG=1`` for the
traceback). Nothing heavy (numpy, pandas, matplotlib) is imported on this
path: the batch and report commands import them when they run.

The subcommands are a fixed list, one module per group: :mod:`.plan`
(check, plan, compare), :mod:`.negotiate` (negotiate, apr), :mod:`.offer`, :mod:`.report`, :mod:`.calendar`,
:mod:`.batch`, :mod:`.case` (the case book). Each module has ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from ..errors import InfeasibleBudgetError, PlannerError, message
from ..i18n import t
from . import batch, calendar, case, negotiate, offer, plan, report
from .common import safe_terminal

#: The subcommand groups, in the order ``planner --help`` lists them.
GROUPS = (plan, negotiate, offer, report, calendar, batch, case)


#: argparse's own messages (English) and their Chinese, for :class:`BilingualParser`.
_ARGPARSE_ZH = (
    (r"argument (?P<arg>[^:]+): invalid (?P<type>int|float) value: (?P<value>.+)", "参数 {arg}：{value} 不是{kind}"),
    (r"argument (?P<arg>[^:]+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", "参数 {arg}：{value} 不是可选的值；可选：{choices}"),
    (r"the following arguments are required: (?P<arg>.+)", "缺少必需的参数：{arg}"),
    (r"unrecognized arguments: (?P<arg>.+)", "无法识别的参数：{arg}"),
    (r"argument (?P<arg>[^:]+): expected one argument", "参数 {arg} 后面需要一个值"),
    (r"argument (?P<arg>[^:]+): not allowed with argument (?P<other>.+)", "参数 {arg} 不能与 {other} 一起使用"),
    (r"argument (?P<arg>[^:]+): ambiguous option: (?P<value>.+)", "参数 {arg} 有歧义：{value}"),
)


def bilingual_argparse_message(message: str) -> str:
    """argparse's English message with its Chinese first (``zh / en``); a message a type function
    raised is already bilingual and kept as it is.

    >>> bilingual_argparse_message("argument --months: invalid int value: 'abc'")
    "参数 --months：'abc' 不是整数 / argument --months: invalid int value: 'abc'"
    """
    import re

    if " / " in message:
        return message
    for pattern, zh in _ARGPARSE_ZH:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m:
            fields = m.groupdict()
            kind = {"int": "整数", "float": "数字"}.get(fields.get("type") or "", "")
            return f"{zh.format(kind=kind, **fields)} / {message}"
    return f"命令行参数有误：{message} / {message}"


class BilingualParser(argparse.ArgumentParser):
    """An argument parser whose errors are bilingual (``--months abc``, ``--channel fax``); exit 2 as before."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {bilingual_argparse_message(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = BilingualParser(
        prog="planner",
        description="Debt repayment and negotiation planner / 债务还款与协商规划",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``planner`` command; terminal control characters in anything printed are shown escaped."""
    with safe_terminal():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PlannerError as exc:
        print(str(exc), file=sys.stderr)
        if isinstance(exc, InfeasibleBudgetError) and args.command in ("plan", "compare"):
            # Whom to call and what to ask for, so the payments fit: the report handles such a budget.
            print(f"{t('cli_infeasible_hint', 'zh')}\n{t('cli_infeasible_hint', 'en')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("PLANNER_DEBUG"):
            raise
        print(message("cli.main.internal_error", kind=type(exc).__name__, exc=exc), file=sys.stderr)
        return 1


def run() -> None:
    """The ``planner`` program: :func:`main`, then exit without a last garbage collection.

    The process ends here, so collecting its objects one by one buys nothing; after a
    batch run (numba's compiler objects, hundreds of MB of arrays) it took 0.3-0.4 s of
    the run. ``gc.freeze`` moves every live object out of the collector's reach;
    buffers are still flushed and atexit handlers still run.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()


__all__ = [
    "GROUPS",
    "BilingualParser",
    "bilingual_argparse_message",
    "build_parser",
    "main",
]
