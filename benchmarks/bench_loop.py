"""CPU per portfolio of the compiled month loop (``planner.batch.compiled.plan_span``), per strategy.

    python benchmarks/bench_loop.py                  # 1,000,000 five-debt portfolios
    python benchmarks/bench_loop.py --portfolios 200000 --schedules

For each strategy the batch engine runs, plans the book of ``benchmarks/data.py``
(``book(portfolios, 5)``) through ``kernel.simulate_span`` twice: with a horizon of 1
month (about the per-portfolio setup: the order and the gather of each debt's values)
and of 600 months (every plan to its end). Prints the CPU time of each
(``time.process_time``, best of ``--repeat``, after a warm-up call), the setup in ns a
portfolio, and the rest (months 2 onwards) in ns a portfolio-month and a debt-month (months
and debt-months counted from the plans of the first 100,000 portfolios). With
``--schedules`` the schedule rows are written too (about 65 rows a portfolio: mind the
memory at a million portfolios).

Figures from this run only, not asserted: they depend on the machine and on what else
it is doing (on a shared machine compare two versions in the same run).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.data import book as make_book  # noqa: E402
from planner.batch import kernel  # noqa: E402


#: Portfolios whose schedules count the months and debt-months of the plans.
SAMPLE = 100_000


def best(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--schedules", action="store_true", help="write the schedule rows too")
    args = parser.parse_args(argv)

    if not kernel.available():
        sys.exit("numba is not installed: nothing to measure")
    loop = kernel.compiled_loop()
    book = make_book(args.portfolios, 5)
    P = book.size
    want = args.schedules
    kernel.simulate_span(book, "avalanche", 0, min(P, 1000), 600, want, loop=loop)  # warm-up
    print(f"{P:,} five-debt portfolios, schedules: {'yes' if want else 'no'}; process_time, best of {args.repeat}")
    print(f"{'strategy':22} {'h=1 s':>7} {'h=600 s':>8} {'setup ns/pf':>12} {'months/pf':>10} "
          f"{'ns/pf-month':>12} {'ns/debt-month':>14}")
    for strategy in kernel.batch_strategies():
        one = best(lambda: kernel.simulate_span(book, strategy, 0, P, 1, want, loop=loop), args.repeat)
        full = best(lambda: kernel.simulate_span(book, strategy, 0, P, 600, want, loop=loop), args.repeat)
        # months and debt-months (schedule rows) of the plans, counted on a sample of the book
        sample = min(P, SAMPLE)
        out = kernel.simulate_span(book, strategy, 0, sample, 600, True, loop=loop)
        months = float(out["months"].clip(min=0).sum()) / sample
        debt_months = len(out["schedule"]["month"]) / sample
        first = float((out["schedule"]["month"] == 1).sum()) / sample
        extra = (full - one) / P * 1e9  # months 2 onwards
        print(f"{strategy:22} {one:7.3f} {full:8.3f} {one / P * 1e9:12.0f} {months:10.1f} "
              f"{extra / max(months - 1, 1):12.1f} {extra / max(debt_months - first, 1):14.2f}")


if __name__ == "__main__":
    main()
