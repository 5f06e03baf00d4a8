"""``planner batch --engine dask`` on a LocalCluster of this machine: time and peak memory (on demand).

    python benchmarks/bench_dask.py                        # 10,000,000 five-debt portfolios (~3 min, ~1 GB of disk)
    python benchmarks/bench_dask.py --portfolios 1000000   # a quicker look

Writes the book as partitioned Parquet (one file per 500,000 portfolios, written
portfolio by portfolio as an export would be, so no shuffle is needed), starts a
LocalCluster (2 worker processes, one thread each), runs the command with
``--scheduler`` and a folder as ``--out`` (partitioned Parquet written by the
workers), and samples every 0.2 s the resident memory of all the processes
involved: this one (the scheduler), the workers, the command and its children.
The peak of that sum is the figure to compare with the 4 GB goal. Then it checks
the output: one row per portfolio, and a sample of portfolios equal to the
single engine's plans to the cent. Not part of CI (it takes minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import data  # noqa: E402

PER_FILE = 500_000


def tree_rss(pids: list[int]) -> int:
    """Resident bytes of these processes and all their descendants (each counted once)."""
    import psutil

    seen, total = set(), 0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                if p.pid not in seen:
                    seen.add(p.pid)
                    total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=10_000_000)
    parser.add_argument("--folder", help="where to write the book and results (default: a temporary folder, removed after)")
    parser.add_argument("--sample", type=int, default=200, help="portfolios checked against the single engine")
    args = parser.parse_args(argv)
    import numpy as np
    import pandas as pd
    from distributed import LocalCluster

    folder = Path(args.folder or tempfile.mkdtemp(prefix="planner-dask-"))
    book = folder / "book"
    book.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = -(-args.portfolios // PER_FILE)
    for k in range(files):
        count = min(PER_FILE, args.portfolios - k * PER_FILE)
        frame = data.table(count, 5, seed=k)
        frame["portfolio_id"] += k * PER_FILE
        frame.to_parquet(book / f"part{k:04d}.parquet", index=False)
    print(f"book: {args.portfolios:,} portfolios × 5 debts in {files} files, written in {time.perf_counter() - started:.0f} s", flush=True)
    out = folder / "results"
    peak = [0]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="1.8GiB") as cluster:
        workers = [w.pid for w in cluster.workers.values() if getattr(w, "pid", None)]
        cmd = [sys.executable, "-m", "planner", "batch", str(book), "--engine", "dask", "--scheduler", cluster.scheduler_address,
               "--out", str(out) + "/"]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss([os.getpid(), proc.pid, *workers]))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t
        done.set()
        sampler.join()
    if proc.returncode != 0:
        print(stderr[-3000:], file=sys.stderr)
        return 1
    print(stdout.strip())
    result = pd.read_parquet(out, columns=["portfolio_id", "status", "months", "total_interest", "total_paid"])
    assert len(result) == args.portfolios and result["portfolio_id"].is_unique, "one row per portfolio"
    # a sample against the single engine
    from planner import plan
    from planner.errors import InfeasibleBudgetError

    rng = np.random.default_rng(1)
    chosen = rng.choice(args.portfolios, size=min(args.sample, args.portfolios), replace=False)
    by_id = result.set_index("portfolio_id")
    for pid in chosen:
        k, local = divmod(int(pid), PER_FILE)
        part = pd.read_parquet(book / f"part{k:04d}.parquet", filters=[("portfolio_id", "==", int(pid))])
        from planner import load_debts

        debts = load_debts(part.drop(columns=["portfolio_id", "budget"]).reset_index(drop=True))
        row = by_id.loc[int(pid)]
        try:
            p = plan(debts, Decimal(str(part["budget"].iloc[0])), "avalanche")
        except InfeasibleBudgetError:
            assert row["status"] == "infeasible", pid
            continue
        assert row["months"] == p.months and round(row["total_interest"] * 100) == int(p.total_interest * 100), pid
    print(
        f"`planner batch --engine dask` {args.portfolios:,} × 5 on a LocalCluster (2 processes): {wall:.1f} s, "
        f"peak memory of every process involved {peak[0] / 2**30:.2f} GB (goal < 4 GB); "
        f"{len(chosen)} sampled portfolios equal the single engine"
    )
    if not args.folder:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
