"""The case book's figures: ``case show`` on a long case, and the caseload of a large book.

    python benchmarks/bench_cases.py            # 10,000 cases
    python benchmarks/bench_cases.py --quick    # 1,000 cases, fewer repeats

Prints medians and ratios measured in this run (not asserted: they depend on the
machine and on what else it is doing):

* ``case show`` (status + its JSON) on a case with 5 years (60 months) of recorded
  payments, a statement balance a year, two agreements and a re-plan each year:
  in-process, and as a whole ``planner case show --format json`` process;
* the caseload of a book of 10,000 cases (12 recorded months each, random short
  payments), re-planning every case from its actual balances: through the batch
  engine (``plan_batch``) against the single engine case by case;
* bulk import of the book (one transaction) for scale.

The book lives in a temporary directory and holds invented data only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from planner import Debt, plan  # noqa: E402
from planner.cases import CaseBook  # noqa: E402
from planner.cases.months import month_index, month_name  # noqa: E402

RATES = ("18.25", "14.6", "23.9", "35.9", "24", "12")


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def long_case(book: CaseBook) -> str:
    """A case with 60 recorded months: 6 debts, minimums-heavy budget, yearly re-plans."""
    from planner import required_budget

    debts = [Debt(f"debt{k}", 30000 + 9000 * k, RATES[k], 600 + 150 * k) for k in range(6)]
    budget = required_budget(debts, 66)  # the smallest budget that clears them in 5½ years
    case = book.new("five years", debts, budget, start="2021-01")
    case = case.agree("debt3", "cap_rate", "2021-06", line="24", confirmed=True)
    case = case.agree("debt5", "freeze_interest", "2022-03", months=60)
    for k in range(60):
        month = month_name(month_index("2021-01") + k)
        p = case.plan()
        first = month_index(p.calendar_month(1))
        due = {r["debt"]: r["payment"] for r in p.month_rows(month_index(month) - first + 1)}
        if not due:
            break
        if k % 7 == 3:  # now and then a short month
            name = next(iter(due))
            due[name] = max(Decimal(0), due[name] - 100)
        case = case.pay(month, due)
        if k % 12 == 11:
            case = case.replan(reason=f"review {k // 12 + 1}")
    return case.name


def bulk_cases(n: int) -> list[dict]:
    """``n`` cases of 3-6 debts with 12 recorded months each, as ``case export`` writes them."""
    import random

    rng = random.Random(0)
    items = []
    for c in range(n):
        debts = []
        for k in range(rng.randint(3, 6)):
            balance = rng.randint(1000_00, 60000_00)
            apr = RATES[rng.randrange(len(RATES))]
            minimum = balance * int(Decimal(apr) * 100) // 120000 + balance * rng.randint(2, 5) // 100
            debts.append(Debt(f"d{k}", Decimal(balance) / 100, apr, Decimal(minimum) / 100))
        budget = int(sum(d.min_payment for d in debts) * Decimal(rng.uniform(1.1, 1.6)))
        p = plan(debts, budget, start="2030-01")
        payments = []
        for k in range(1, 13):
            for r in p.month_rows(k):
                cents = int(r["payment"] * 100)
                if rng.random() < 0.1:
                    cents = cents * rng.randint(50, 99) // 100
                payments.append({"month": month_name(month_index("2030-01") + k - 1), "debt": r["debt"], "amount": cents})
        from planner.cases.book import debt_to_dict

        items.append(
            {
                "format": 1, "name": f"client {c:05d}", "start": "2030-01", "strategy": "avalanche", "order": None,
                "source_name": None, "source_sha256": None, "created_at": "2030-01-01T00:00:00Z", "updated_at": "2030-12-31T00:00:00Z",
                "debts": [debt_to_dict(d) for d in debts], "budgets": [{"month": "2030-01", "amount": budget * 100}],
                "agreements": [], "payments": payments, "statements": [], "replans": [],
            }
        )
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 1_000 if args.quick else 10_000
    repeat = 3 if args.quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        book = CaseBook(path, today="2031-12")
        t = time.perf_counter()
        name = long_case(book)
        build_long = time.perf_counter() - t
        months = len({m for m, _ in book.case(name).data.payments})
        show = timed(lambda: book.status(name).to_dict(), repeat)
        cli = timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "planner", "case", "show", name, "--book", str(path), "--format", "json"],
                check=True, capture_output=True, cwd=ROOT,
            ),
            max(3, repeat // 2),
        )
        plan_cli = timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "planner", "plan", "sample_data/debts_zh.csv", "--budget", "6000", "--format", "json"],
                check=True, capture_output=True, cwd=ROOT,
            ),
            max(3, repeat // 2),
        )
        print(f"case with {months} recorded months (built in {build_long:.1f} s)")
        print(f"  case show, in process (status + JSON)       {fmt(show):>10}")
        print(f"  planner case show --format json (process)   {fmt(cli):>10}   ({cli / plan_cli:.2f}x planner plan as a process, {fmt(plan_cli)})")

        big = CaseBook(Path(tmp) / "big.sqlite", today="2031-12")
        items = bulk_cases(n)
        t = time.perf_counter()
        big.import_(items)
        imported = time.perf_counter() - t
        t = time.perf_counter()
        cases = big.cases()
        load = time.perf_counter() - t
        t = time.perf_counter()
        batched = big.caseload(batch=True)
        batch_time = time.perf_counter() - t
        t = time.perf_counter()
        single = big.caseload(batch=False)
        single_time = time.perf_counter() - t
        assert batched.to_list() == single.to_list()
        size = path.stat().st_size + (Path(tmp) / "big.sqlite").stat().st_size
        print(f"book of {len(cases):,} cases, 12 recorded months each ({size / 1e6:.1f} MB on disk; imported in one transaction in {imported:.1f} s)")
        print(f"  read every case (a few queries)             {fmt(load):>10}")
        print(f"  caseload, batch engine (plan_batch)         {fmt(batch_time):>10}   ({batch_time / len(cases) * 1e3:.2f} ms a case)")
        print(f"  caseload, single engine case by case        {fmt(single_time):>10}   (batch is {single_time / batch_time:.2f}x faster; same answers)")
        big.close()
        book.close()


if __name__ == "__main__":
    main()
