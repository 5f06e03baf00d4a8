"""``planner batch``: plans for a whole caseload from one long table.

One of the fixed subcommand groups of :mod:`planner.cli.main`. Light at import: numpy,
pandas, pyarrow, tqdm and dask are imported only when the command runs.
"""

from __future__ import annotations

import io
import os
import sys
import time

from ..errors import InputError, Message, PlannerError, Problem, message
from ..i18n import t

#: Show a progress bar only for books at least this large (and only on a terminal).
PROGRESS_FROM = 50_000
#: Seconds to wait for a Dask scheduler (``--scheduler-timeout``); distributed's own default is 30.
SCHEDULER_TIMEOUT = 10.0


def register(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="plans for many portfolios from one table / 批量计算",
        description=(
            "Plan every portfolio of a long table (one row per debt, a portfolio_id column and a budget column), "
            "with the same results as `planner plan` on each. Writes one row per portfolio and strategy."
        ),
    )
    p.add_argument("portfolios", help="CSV or Parquet table: portfolio_id, name, balance, apr, min_payment, budget, ...")
    p.add_argument("--budget-column", default="budget", help="column with each portfolio's monthly budget (default: budget)")
    p.add_argument("--id-column", default="portfolio_id", help="column naming the portfolio (default: portfolio_id)")
    p.add_argument("--strategy", default="avalanche", help="a strategy, several comma-separated, or 'all' (default: avalanche)")
    p.add_argument("--out", required=True, help="results file: .parquet or .csv; with --engine dask also a folder (ending in /) for partitioned Parquet written by the workers")
    p.add_argument("--schedules", help="also write every month of every plan here (.parquet or .csv)")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="local (both cores) or dask (needs the batch extra)")
    p.add_argument("--scheduler", help="with --engine dask: address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--scheduler-timeout", type=_seconds, default=SCHEDULER_TIMEOUT, metavar="SECONDS",
                   help=f"with --scheduler: give up connecting after this many seconds (default {SCHEDULER_TIMEOUT:g})")
    p.add_argument("--scenario", help="TOML file of negotiation scenarios: apply one to every portfolio")
    p.add_argument("--scenario-name", help="which scenario of the file (needed when it has several)")
    p.add_argument("--horizon", type=int, default=600, help="months to simulate at most (default 600)")
    p.add_argument("--workers", type=int, help="workers planning at once (default: the usable cores on large books; threads, or processes with --scenario)")
    p.add_argument("--encoding", help="force the CSV encoding (default: UTF-8, then GB18030/GBK)")
    p.add_argument("--progress", choices=("auto", "on", "off"), default="auto", help="progress bar on stderr (auto: on a terminal, for large books)")
    p.set_defaults(func=cmd_batch)


def _seconds(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(str(message("cli.batch.seconds", text=text)))
    return value


def _connect(address: str, timeout: float):
    """A ``distributed.Client`` for the scheduler at ``address``, or a PlannerError within ``timeout`` seconds."""
    from distributed import Client

    fix_zh = "请检查地址（例如 tcp://10.0.0.5:8786）和调度器是否在运行；或去掉 --scheduler，用本机的 Dask。"
    fix_en = "Check the address (e.g. tcp://10.0.0.5:8786) and that the scheduler is running; or leave out --scheduler to use Dask on this machine."
    try:
        return Client(address, timeout=timeout)
    except MemoryError:  # something that is not a Dask scheduler answered: its bytes read as a huge message length
        zh, en = "该地址上应答的不是 Dask 调度器", "what answers at that address is not a Dask scheduler"
    except (OSError, TimeoutError) as exc:  # refused, unreachable, or no answer in time
        zh, en = f"在 {timeout:g} 秒内连接不上 Dask 调度器（{type(exc).__name__}）", f"cannot connect to the Dask scheduler within {timeout:g} s ({type(exc).__name__})"
    except (ValueError, TypeError, KeyError) as exc:  # not an address distributed can parse
        zh, en = f"不是 Dask 调度器的地址（{exc}）", f"not a Dask scheduler address ({exc})"
    raise InputError([Problem.of(
        "cli.batch.scheduler",
        None,
        None,
        address,
        text=Message(zh, en),
        fix=Message(fix_zh, fix_en),
    )], "--scheduler")


def _scenario(args):
    if not args.scenario:
        if args.scenario_name:
            raise PlannerError("cli.batch.scenario_name_needs_scenario")
        return None
    from ..io import load_scenarios

    scenarios = load_scenarios(args.scenario)
    names = [s.name for s in scenarios]
    if args.scenario_name is None:
        if len(scenarios) == 1:
            return scenarios[0]
        raise PlannerError("cli.batch.file_several_scenarios_choose", names=Message('、'.join(names), ', '.join(names)))
    for s in scenarios:
        if s.name == args.scenario_name:
            return s
    raise PlannerError(
        "cli.batch.no_scenario_named_file",
        scenario_name=args.scenario_name,
        names=Message('、'.join(names), ', '.join(names)),
    )


def _write(frame, path: str, inputs: list[str]) -> None:
    from ..io import atomic_write_bytes, excel_safe

    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        from ..batch import RESULTS_PARQUET_OPTIONS

        buffer = io.BytesIO()
        if hasattr(frame, "to_parquet"):
            frame.to_parquet(buffer, index=False, **RESULTS_PARQUET_OPTIONS)
        else:  # a pyarrow Table
            import pyarrow.parquet as pq

            pq.write_table(frame, buffer, **RESULTS_PARQUET_OPTIONS)
        atomic_write_bytes(path, buffer.getvalue(), inputs=inputs)
    elif lower.endswith(".csv"):
        safe = frame.copy()
        for column in safe.columns:
            if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
                safe[column] = safe[column].map(excel_safe, na_action="ignore")
        text = safe.to_csv(index=False, lineterminator="\r\n")
        atomic_write_bytes(path, ("\ufeff" + text).encode("utf-8"), inputs=inputs)
    else:
        raise InputError([Problem.of("cli.batch.output_file_end_parquet")], path)


def _progress_bar(args, total: int):
    if args.progress == "off" or (args.progress == "auto" and not sys.stderr.isatty()):
        return None
    if args.progress == "auto" and total < PROGRESS_FROM:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="portfolio", file=getattr(sys.stderr, "unescaped", sys.stderr), disable=False, leave=False)


def _is_folder(path: str) -> bool:
    """``--out`` names a folder (ends in a slash, or is one): the Dask engine writes partitioned Parquet there."""
    return path.endswith(("/", os.sep)) or ("://" not in path and os.path.isdir(path))


def _settle_preload() -> None:
    if "planner.batch" in sys.modules:  # only if this run got as far as importing it
        from ..batch import settle_preload

        settle_preload()


def _rows_coming(path: str) -> int:
    """About how many debts a table holds, before reading it: Parquet says so in its footer; a CSV
    is guessed from its size (30 bytes a row or more). 0 when unknown."""
    try:
        if path.lower().endswith((".parquet", ".pq")):
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        return os.path.getsize(path) // 30
    except Exception:  # unreadable here: read_table reports it properly
        return 0


def _refuse_unused(args) -> None:
    """Options the chosen engine would not use are errors, not silently dropped."""
    if args.engine != "dask" and args.scheduler:
        raise PlannerError("cli.batch.scheduler_used_engine_dask")
    if args.engine == "dask":
        unused = [flag for flag, value in (("--workers", args.workers), ("--progress", None if args.progress == "auto" else args.progress)) if value is not None]
        if unused:
            shown = ", ".join(unused)
            raise PlannerError("cli.batch.applies_local_engine_engine", shown=shown)


def cmd_batch(args) -> int:
    import warnings

    from ..errors import PlannerWarning

    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PlannerWarning)
            try:
                return _run_batch(args)
            finally:
                _settle_preload()
    finally:
        # Shown once the recording has stopped: shown inside it, each warning would be recorded
        # again and the loop over them would never end (issue 24, item 14: a budget of inf).
        planner_warnings = [w for w in caught if issubclass(w.category, PlannerWarning)]
        if planner_warnings:
            print(f"{t('cli_warnings', 'zh')} / {t('cli_warnings', 'en')}", file=sys.stderr)
            for w in planner_warnings:
                print(f"  ! {w.message}", file=sys.stderr)
        for w in caught:
            if not issubclass(w.category, PlannerWarning):
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _run_batch(args) -> int:
    from ..batch import (
        ResultsParquet, ScheduleWriter, batch_dask, batch_results, book_from_frame, prepare, read_table, release_memory,
        require_numba, results_frame, strategy_list,
    )

    require_numba()  # before any table is read: without the batch extra, say what to install
    folder_out = args.engine == "dask" and _is_folder(args.out)
    for path in (args.out if not folder_out else None, args.schedules):
        if path and not path.lower().endswith((".parquet", ".pq", ".csv")):
            raise InputError([Problem.of("cli.batch.output_file_end_parquet")], path)
    if args.schedules and args.out and os.path.abspath(args.schedules) == os.path.abspath(args.out):
        raise PlannerError("cli.batch.schedules_out_different_files")
    if args.engine == "dask" and args.schedules:
        raise PlannerError("cli.batch.schedules_works_local_engine")
    _refuse_unused(args)
    strategies = strategy_list(args.strategy)
    scenario = _scenario(args)
    started = time.perf_counter()
    if args.engine == "dask":
        client = _connect(args.scheduler, args.scheduler_timeout) if args.scheduler else None
        try:
            table = batch_dask(args.portfolios, args.budget_column, strategies, scenario=scenario, horizon=args.horizon,
                               id_column=args.id_column, out_folder=args.out if folder_out else None)
            if folder_out:  # written by the workers; the summary reads back only the columns it shows
                import pandas as pd

                table = pd.read_parquet(table, columns=["strategy", "status", "months", "total_interest"])
        finally:
            if client is not None:
                client.close()
    else:
        # a large book: load the compiled loop while the table is read (this process only runs the batch: no BLAS)
        prepare(_rows_coming(args.portfolios), bool(args.schedules), strategies=strategies)
        frame = read_table(args.portfolios, encoding=args.encoding)
        book = book_from_frame(frame, args.budget_column, source=args.portfolios, id_column=args.id_column)
        del frame  # the book holds what is needed, in exact integers
        release_memory()
        bar = _progress_bar(args, book.size * len(strategies))
        writer = ScheduleWriter(args.schedules, strategies, inputs=[args.portfolios, args.out]) if args.schedules else None
        # Parquet results without a scenario (millions of rows): each strategy's written from Arrow
        # as soon as it is planned, while the next is planned, and summarised from the integer
        # results (no pandas table, nothing kept)
        streamed = scenario is None and args.out.lower().endswith((".parquet", ".pq"))
        summary: list = []
        results = None

        def take(name, result):
            summary.extend(_summary_rows_of({name: result}, [name]))
            results.add(result)

        try:
            # written as it goes into a file beside the target (its threads start at the first
            # result, after the workers have forked), renamed into place at the end
            results = ResultsParquet(args.out, inputs=[args.portfolios]) if streamed else None
            # schedules stream to their file as chunks finish (renamed into place at the end)
            runs = batch_results(
                book, strategies, scenario=scenario, horizon=args.horizon, schedules=bool(args.schedules),
                workers=args.workers, progress=bar.update if bar else None, schedule_writer=writer,
                on_result=take if streamed else None,
                on_rows=(lambda _strategy, part: results.add_rows(part)) if streamed else None,
            )
            del book
            if streamed:
                done, results = results, None
                done.finish()
                table = None
            else:
                table = results_frame(runs, strategies, scenario)
                _write(table, args.out, [args.portfolios])
            if writer is not None:
                writer.close()
                writer = None
        finally:
            if bar is not None:
                bar.close()
            if writer is not None:
                writer.__exit__(RuntimeError, None, None)
            if results is not None:  # an error before the file was written: stop the thread
                results.abandon()
    if args.engine == "dask" and not folder_out:
        _write(table, args.out, [args.portfolios])
    elapsed = time.perf_counter() - started
    _summary(_summary_rows(table) if table is not None else summary, elapsed)
    return 0


def _summary_rows(table) -> list[list[str]]:
    """One summary row per strategy from a results table (the Dask engine's, or one with a scenario)."""
    from ..money import format_yuan

    rows = []
    for name, group in table.groupby("strategy", sort=False):
        counts = group["status"].value_counts()
        rows.append(
            [
                str(name),
                str(len(group)),
                str(int(counts.get("ok", 0))),
                str(int(counts.get("never_paid", 0))),
                str(int(counts.get("infeasible", 0))),
                f"{group['months'].median():.0f}" if group["months"].notna().any() else "",
                format_yuan(round(float(group["total_interest"].sum()), 2)),
            ]
        )
    return rows


def _summary_rows_of(runs: dict, strategies: list[str]) -> list[list[str]]:
    """The same rows from the integer results, with no table (the same median and float sum)."""
    import numpy as np

    from ..money import format_yuan

    rows = []
    for name in strategies:
        r = runs[name]
        code = np.asarray(r.status_code)
        ok = code == 0
        months = np.asarray(r.months)[ok]
        rows.append(
            [
                name, str(len(code)), str(int(ok.sum())), str(int((code == 1).sum())), str(int((code == 2).sum())),
                f"{float(np.median(months.astype(np.int64))):.0f}" if len(months) else "",
                format_yuan(round(float(np.asarray(r.interest / 100, dtype=np.float64).sum()), 2)),
            ]
        )
    return rows


def _summary(rows: list[list[str]], elapsed: float) -> None:
    from .common import render_table

    headers = ["strategy / 策略", "portfolios", "ok", "never paid", "infeasible", "median months", "total interest"]
    print(render_table(headers, rows, "lrrrrrr"))
    print(f"{sum(int(row[1]) for row in rows)} rows in {elapsed:.2f} s")


__all__ = [
    "PROGRESS_FROM",
    "cmd_batch",
    "register",
]
