"""``make bench``: medians and ratios, all measured in this one run, printed as a table.

    python benchmarks/run.py            # the full set (about a minute)
    python benchmarks/run.py --quick    # fewer repeats, smaller scaling runs

Rows: one portfolio (``plan`` and ``compare``, 10 and 30 debts) against the
straightforward loop in ``baseline.py``; the batch engine on 100,000 portfolios
of 5 debts against the single engine run portfolio by portfolio; how the cost
grows with debts, months and portfolios; ``planner plan`` as a whole process,
cold, against ``python -c pass``; ``planner report`` on 10 to 1,000 debts, whole
process, with its peak memory (``--only report``). Targets are printed beside the figures, not
asserted: the figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import baseline  # noqa: E402
import data  # noqa: E402

ROWS: list[list[str]] = []


def timed(fn, repeat: int, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` runs of ``number`` calls."""
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t) / number)
    return statistics.median(samples)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def row(name: str, ours: float | None, base: float | None = None, base_name: str = "", target: str = "", note: str = "") -> None:
    if not base:
        ratio = ""
    elif base >= ours:
        ratio = f"{base / ours:.1f}× faster"
    else:
        ratio = f"{ours / base:.1f}× its time"
    ROWS.append([name, fmt(ours) if ours is not None else "", f"{fmt(base)} ({base_name})" if base else "", ratio, target, note])
    print(f"  {name}: {fmt(ours) if ours is not None else ''} {ratio} {note}", file=sys.stderr, flush=True)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"{platform.system()} {platform.release()}{load}"
    )


# ---------------------------------------------------------------------------


def single_portfolio(quick: bool) -> None:
    from planner import compare, plan
    from planner.strategies import STRATEGIES

    repeat = 5 if quick else 15
    for count in (10, 30):
        debts, budget = data.debts(count, seed=count)
        p = plan(debts, budget, "avalanche", horizon=360)
        base = baseline.plan(debts, budget, list(p.priority), horizon=360)
        assert (base["months"], base["total_interest"], base["total_paid"]) == (p.months, p.total_interest, p.total_paid), "baseline differs"
        ours = timed(lambda: plan(debts, budget, "avalanche", horizon=360), repeat, 5)
        theirs = timed(lambda: baseline.plan(debts, budget, list(p.priority), horizon=360), repeat, 2)
        row(f"plan, {count} debts ({p.months} months)", ours, theirs, "baseline loop")
        ours = timed(lambda: compare(debts, budget, horizon=360), repeat, 2)
        theirs = timed(lambda: baseline.compare(debts, budget, STRATEGIES, horizon=360), repeat, 1)
        row(f"compare, {count} debts, 5 strategies", ours, theirs, "baseline loop", "< 10 ms" if count == 30 else "")
    # long plans: minimums barely above the interest, a budget just above them
    for count in (10, 30):
        debts, _ = data.debts(count, seed=count, paydown=(0.002, 0.004))
        tight = sum(d.min_payment for d in debts) + 1
        p = plan(debts, tight, "avalanche", horizon=360)
        base = baseline.plan(debts, tight, list(p.priority), horizon=360)
        assert (base["months"], base["total_interest"]) == (p.months, p.total_interest), "baseline differs"
        ours = timed(lambda: plan(debts, tight, "avalanche", horizon=360), repeat, 1)
        theirs = timed(lambda: baseline.plan(debts, tight, list(p.priority), horizon=360), max(3, repeat // 3), 1)
        months = p.months if p.months is not None else "360+"
        row(f"plan, {count} debts, long ({months} months)", ours, theirs, "baseline loop")
        ours = timed(lambda: summaries(compare(debts, tight, horizon=360)), repeat, 3)
        theirs = timed(lambda: baseline.compare(debts, tight, STRATEGIES, horizon=360), 3, 1)
        row(f"compare, {count} debts, long", ours, theirs, "baseline loop", note="summaries read")


def summaries(comparison) -> list:
    """What a person reads first from a comparison."""
    return [(p.months, p.total_interest, p.total_paid) for p in comparison]


def free_cores() -> float:
    """How many cores this run can really use: two CPU-bound processes against one."""
    spin = [sys.executable, "-c", "sum(range(2 * 10**7))"]

    def one():
        subprocess.run(spin, check=True)

    def two():
        a = subprocess.Popen(spin)
        subprocess.run(spin, check=True)
        a.wait()

    t1, t2 = timed(one, 3), timed(two, 3)
    return 2 * t1 / t2


def batch(quick: bool) -> None:
    from planner import plan
    from planner.batch import book_from_frame, run_book

    cores = free_cores()
    row("machine check: two CPU-bound processes at once", None, note=f"{cores:.1f} cores free for this run")

    portfolios = 20_000 if quick else 100_000
    book = data.book(portfolios, 5)
    sample = 300 if quick else 1000
    sample_debts = [book.debts(p) for p in range(sample)]
    sample_budgets = [Decimal(int(b)) / 100 for b in book.budget[:sample]]
    for strategy in ("avalanche", "minimum_only"):
        t_single = timed(lambda: [plan(ds, b, strategy) for ds, b in zip(sample_debts, sample_budgets)], 1) * portfolios / sample
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        two = timed(lambda: run_book(book, strategy, workers=2), 3)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        one = timed(lambda: run_book(book, strategy, workers=1), 3)
        row(
            f"batch {portfolios:,} × 5 debts, {strategy}, 2 processes", two, t_single,
            f"single engine, extrapolated from {sample:,}", "< 2 s",
            f"1 process: {fmt(one)}; the workers used {cpu / wall:.1f} cores on average",
        )
    frame = data.table(portfolios, 5)
    t_book = timed(lambda: book_from_frame(frame), 3)
    row(f"batch: read a table of {portfolios:,} × 5 (pandas → exact cents)", t_book)
    # a negotiation scenario for every portfolio: adjustments are Debt -> Debt functions (Python)
    from planner.batch import run_books
    from planner.negotiation import Scenario, cap_rate

    small = 2_000 if quick else 10_000
    frame = data.table(small, 5)
    frame["kind"] = "online_loan"
    scenario_book = book_from_frame(frame)
    scenario = Scenario("cap at 24%", (cap_rate("*", line="24"),))
    t = timed(lambda: run_books(scenario_book, ["avalanche"], scenario=scenario, workers=1), 1)
    row(f"batch {small:,} × 5 with a scenario (cap_rate 24 on every debt), 1 process", t,
        note=f"{t / small / 5 * 1e6:.0f} µs per debt, almost all in building and adjusting Debt objects")


def scaling(quick: bool) -> None:
    from planner import plan
    from planner.batch import run_book

    # debts: one plan, budget 1.3 × minimums
    for count in (5, 10, 30, 100):
        debts, budget = data.debts(count, seed=count)
        p = plan(debts, budget)
        t = timed(lambda: plan(debts, budget), 5 if quick else 9, 3)
        row(f"scaling: plan, {count} debts ({p.months} months)", t, note=f"{t / max(p.months, 1) / count * 1e6:.2f} µs per debt-month")
    # months: the same 10 debts, smaller budgets run longer
    debts, _ = data.debts(10, seed=10)
    need = sum(d.min_payment for d in debts)
    for factor in ("2.0", "1.2", "1.0"):
        budget = need * Decimal(factor)
        p = plan(debts, budget, horizon=360)
        t = timed(lambda: plan(debts, budget, horizon=360), 5 if quick else 9, 3)
        row(f"scaling: plan, 10 debts, budget {factor} × minimums ({p.months} months)", t, note=f"{t / max(p.months, 1) * 1e6:.1f} µs per month")
    # portfolios and debts in batch (one process, so the figures compare)
    sizes = [(10_000, 5), (50_000, 5), (10_000, 20)] if quick else [(10_000, 5), (100_000, 5), (300_000, 5), (100_000, 10), (100_000, 20)]
    for portfolios, debts_each in sizes:
        book = data.book(portfolios, debts_each, seed=1)
        t = timed(lambda: run_book(book, "avalanche", workers=1), 1 if portfolios >= 300_000 else 3)
        row(
            f"scaling: batch {portfolios:,} × {debts_each} debts, 1 process", t,
            note=f"{t / portfolios / debts_each * 1e9:.0f} ns per debt",
        )


def cold_start(quick: bool) -> None:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    sample = str(ROOT / "sample_data" / "debts_en.csv")
    repeat = 5 if quick else 9

    def run(args):
        def go():
            subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        return go

    empty = timed(run(["-c", "pass"]), repeat)
    plan_cli = timed(run(["-m", "planner", "plan", sample, "--budget", "6000"]), repeat)
    row("`planner plan` (whole process, cold)", plan_cli, empty, "`python -c pass`", "≤ 0.3 s", f"{fmt(plan_cli - empty)} more than an empty Python")
    compare_cli = timed(run(["-m", "planner", "compare", sample, "--budget", "6000"]), repeat)
    row("`planner compare` (whole process, cold)", compare_cli, empty, "`python -c pass`")
    numpy_import = timed(run(["-c", "import pandas"]), repeat)
    row("for scale: `python -c 'import pandas'`", numpy_import, empty, "`python -c pass`", note="what the CLI path avoids")


#: Runs one command and prints its wall time and the peak RSS of that one child (ru_maxrss is
#: a maximum over every child a process ever had, so each measured command gets its own parent).
_ONE_CHILD = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def one_child(cmd: list[str], cwd=None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB, Linux) of ``cmd`` run as a whole process."""
    out = subprocess.run([sys.executable, "-c", _ONE_CHILD, *cmd], check=True, capture_output=True, text=True, cwd=cwd)
    wall, peak = out.stdout.split()
    return float(wall), int(peak)


def report(quick: bool) -> None:
    """``planner report`` as a whole process (HTML, charts included) on 10 to 1,000 synthetic debts."""
    import csv
    import tempfile

    command = [sys.executable, "-m", "planner", "report"]
    sizes = (10, 50, 200, 1000)
    targets = {200: "≤ 3 s", 1000: "≤ 15 s, ≤ 500 MB"}
    with tempfile.TemporaryDirectory() as folder:
        runs = {}
        for n in sizes:
            debts, budget = data.debts(n, seed=n)
            path = os.path.join(folder, f"debts{n}.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["name", "balance", "apr", "min_payment"])
                w.writerows([d.name, d.balance, d.apr, d.min_payment] for d in debts)
            runs[n] = [*command, path, "--budget", str(budget), "--start", "2027-01", "--out", os.path.join(folder, f"r{n}.html")]
        repeat = 1 if quick else 3
        empty = statistics.median(one_child([sys.executable, "-c", "pass"], ROOT)[0] for _ in range(repeat))
        first = None
        for n in sizes:
            samples = [one_child(runs[n], ROOT) for _ in range(repeat)]
            wall = statistics.median(t for t, _ in samples)
            peak = max(p for _, p in samples) / 1024
            if first is None:
                first = wall
                row(f"`planner report`, {n} debts (whole process, HTML with charts)", wall, empty, "`python -c pass`",
                    note=f"peak RSS {peak:.0f} MB")
            else:
                row(f"`planner report`, {n:,} debts", wall, first, f"{sizes[0]} debts", targets.get(n, ""),
                    note=f"peak RSS {peak:.0f} MB")


def kernel(quick: bool) -> None:
    """The batch month loop (numba), one process; all strategies against one; the table build;
    the whole ``planner batch`` process."""
    from planner.batch import available, book_from_frame, kernel as k, run_book, run_books, strategy_list

    portfolios = 20_000 if quick else 100_000
    book = data.book(portfolios, 5)
    if not available():
        row("batch month loop: numba is not installed", None)
        return
    months = int(run_book(book, "avalanche", workers=1).months.clip(0).sum())  # ~ debt-months / debts
    compiled = timed(lambda: run_book(book, "avalanche", workers=1), 3)
    loop = timed(lambda: k.simulate_span(book, "avalanche", 0, book.size, 600, False), 3)
    row(f"batch {portfolios:,} × 5, avalanche, 1 process", compiled, loop, "the month loop alone",
        note=f"~{loop / (months * 5) * 1e9:.1f} ns per debt-month at most")
    everything = strategy_list("all")
    t_all = timed(lambda: run_books(book, everything, workers=1), 1)
    row(f"batch {portfolios:,} × 5, all {len(everything)} strategies, 1 process", t_all, compiled, "one strategy",
        note=f"{t_all / len(everything) / compiled:.2f}x one strategy per strategy")
    frame = data.table(portfolios, 5)
    t_book = timed(lambda: book_from_frame(frame), 3)
    row(f"batch: build the exact-cents book from a {portfolios:,} × 5 numeric table", t_book)
    # the whole command, cold, including reading and writing Parquet
    import tempfile

    big = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "book.parquet")
        data.table(big, 5).to_parquet(source)
        out = os.path.join(folder, "out.parquet")
        cmd = [sys.executable, "-m", "planner", "batch", source, "--out", out, "--progress", "off"]
        subprocess.run(cmd, check=True, capture_output=True)  # the numba cache warm

        def whole(extra, repeat):
            samples, peaks = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd, *extra], check=True, capture_output=True, text=True)
                samples.append(time.perf_counter() - t)
                peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)  # the command's own peak (MB)
            return statistics.median(samples), max(peaks)

        empty = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 3)
        # one strategy and all of them in turn, so both see the same moments of a shared machine
        ones, everys, ratios, one_peak, every_peak = [], [], [], 0.0, 0.0
        for _ in range(1 if quick else 5):
            one, peak = whole([], 1)
            every, peak_all = whole(["--strategy", "all"], 1)
            ones.append(one), everys.append(every), ratios.append(every / one)
            one_peak, every_peak = max(one_peak, peak), max(every_peak, peak_all)
        one, every = statistics.median(ones), statistics.median(everys)
        row(f"`planner batch` {big:,} × 5, avalanche, whole process (Parquet in and out)", one, empty, "`python -c pass`",
            "≤ 3 s, ≤ 1 GB", f"peak RSS of the command {one_peak:.0f} MB (threads of one process read the book where it is); "
            f"runs {', '.join(f'{x:.2f}' for x in ones)} s")
        row(f"`planner batch` {big:,} × 5, all {len(everything)} strategies, whole process", every, one, "one strategy, same run",
            "≤ 2x one strategy", f"{statistics.median(ratios):.2f}x one strategy (median of the pairs: "
            f"{', '.join(f'{x:.2f}' for x in ratios)}); peak RSS {every_peak:.0f} MB")
        # schedules: every month of every plan, streamed to Parquet; read back and checked on a sample
        sched = os.path.join(folder, "sched.parquet")
        t, peak = whole(["--schedules", sched], 1)
        import pandas as pd

        rows = pd.read_parquet(sched, columns=["portfolio_id"]).shape[0]
        checked = _check_schedules(source, sched, big)
        row(f"`planner batch --schedules` {big:,} × 5 ({rows / 1e6:.0f} million schedule rows, streamed Parquet)", t, one,
            "without schedules", "≤ 2 GB", f"peak RSS of the command {peak:.0f} MB; {checked} sampled portfolios' rows equal the single engine's")


def _check_schedules(book_path: str, sched_path: str, portfolios: int, sample: int = 50) -> int:
    """Read schedule rows back (pandas, filtered by id) and compare a sample with the single engine's schedules."""
    import numpy as np
    import pandas as pd

    from planner import load_debts, plan

    rng = np.random.default_rng(2)
    chosen = [int(p) for p in rng.choice(portfolios, size=sample, replace=False)]
    book = pd.read_parquet(book_path, filters=[("portfolio_id", "in", chosen)])
    rows = pd.read_parquet(sched_path, filters=[("portfolio_id", "in", chosen)])
    for pid in chosen:
        part = book[book["portfolio_id"] == pid]
        debts = load_debts(part.drop(columns=["portfolio_id", "budget"]).reset_index(drop=True))
        p = plan(debts, Decimal(str(part["budget"].iloc[0])))
        want = [(r.month, debts[r.debt].name, r.payment, r.closing) for r in p.schedule_rows()]
        got = rows[rows["portfolio_id"] == pid]
        have = [(int(m), str(d), round(pay * 100), round(c * 100)) for m, d, pay, c in
                zip(got["month"], got["debt"], got["payment"], got["closing_balance"])]
        assert have == want, f"portfolio {pid}: schedule rows differ from the single engine's"
    return sample


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller runs")
    parser.add_argument("--only", choices=("single", "batch", "kernel", "scaling", "cli", "report"), action="append")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"Machine: {machine()}", flush=True)
    sections = {"single": single_portfolio, "batch": batch, "kernel": kernel, "scaling": scaling, "cli": cold_start,
                "report": report}
    for name, section in sections.items():
        if args.only and name not in args.only:
            continue
        print(f"[{name}]", file=sys.stderr, flush=True)
        section(args.quick)
    print()
    print("| benchmark | median | baseline (same run) | ratio | target | note |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for r in ROWS:
        print("| " + " | ".join(r) + " |")
    print(f"\n{len(ROWS)} rows in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
