"""Batch worker processes: the book and the totals in shared memory, any start method, segments
always unlinked, as many workers as usable cores by default."""

from __future__ import annotations

import os
import random
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from planner import Debt
from planner.batch import book_from_debts
from planner.batch import run as batch_run
from planner.batch.run import run_books
from planner.batch import shared
from planner.batch.shared import PREFIX

SHM = Path("/dev/shm")


def _book(portfolios: int = 90, seed: int = 25):
    rng = random.Random(seed)
    debts = [
        [Debt(f"d{k}", rng.randint(1, 5_000_000) / 100, rng.choice([12, 18.25, 24, 35.9]), rng.randint(0, 100_000) / 100,
              **rng.choice([{}, {}, {"settle_month": 6, "settle_fraction": 0.6}]))
         for k in range(rng.randint(1, 5))]
        for _ in range(portfolios)
    ]
    debts.append([Debt("A", 10_000_000_000, 1000, 0), Debt("B", 100, 10, 10)])  # beyond int64: back through the pipe
    budgets = [rng.randint(0, 500_000) / 100 for _ in debts[:-1]] + [100]
    return book_from_debts(debts, budgets)


def _fields(result) -> dict:
    return {k: [int(x) for x in getattr(result, k)] for k in ("months", "interest", "paid", "forgiven", "remaining", "unspent", "infeasible_month", "shortfall")} | {
        "status": list(result.status), "fallback": result.fallback, "ids": list(result.ids)}


def _segments() -> set[str]:
    return {p.name for p in SHM.glob(f"{PREFIX}{os.getpid()}-*")}


def test_spawned_workers_plan_as_one_process_to_the_cent():
    book = _book()
    strategies = ["avalanche", "snowball", "minimum_only"]
    one = run_books(book, strategies, horizon=120, workers=1)
    spawned = run_books(book, strategies, horizon=120, workers=2, chunk_size=10, start_method="spawn")
    assert list(spawned) == strategies
    for s in strategies:
        assert _fields(spawned[s]) == _fields(one[s])
    assert spawned["avalanche"].remaining[-1] > 2**63


@pytest.mark.skipif(not SHM.is_dir(), reason="no /dev/shm to look into")
def test_segments_are_unlinked_after_a_run_and_after_a_failing_worker(monkeypatch):
    book = _book(40)
    before = _segments()
    result = run_books(book, ["avalanche"], horizon=60, workers=2, chunk_size=5, start_method="fork")
    assert _segments() == before
    assert int(np.asarray(result["avalanche"].paid[:-1]).sum()) > 0  # the results outlive the segments
    assert shared._lingering == []  # every segment unmapped too: no view of one was left in use

    def fails(args):
        raise RuntimeError("a worker fails")

    monkeypatch.setattr(batch_run, "_run_chunk", fails)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="a worker fails"):
        run_books(book, ["avalanche"], horizon=60, workers=2, chunk_size=5, start_method="fork")
    assert _segments() == before

    def dies(args):
        os._exit(3)

    monkeypatch.setattr(batch_run, "_run_chunk", dies)
    with pytest.raises(BrokenProcessPool):
        run_books(book, ["avalanche"], horizon=60, workers=2, chunk_size=5, start_method="fork")
    assert _segments() == before


def test_the_default_is_the_usable_cores(monkeypatch):
    assert batch_run._workers(None, 20_000) == batch_run.usable_cores()
    assert batch_run._workers(None, 19_999) == 1  # a small book: starting processes costs more than it saves
    assert batch_run._workers(8, 3) == 3
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})
        assert batch_run.usable_cores() == 3
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    assert batch_run.usable_cores() == 7


def test_threads_plan_as_one_process_to_the_cent_without_new_processes(monkeypatch):
    """Without a scenario the workers are threads of this process (the compiled loop runs without
    the GIL): the same results to the cent as one worker, and no process is started."""
    book = _book()
    strategies = ["avalanche", "snowball", "minimum_only"]
    one = run_books(book, strategies, horizon=120, workers=1)

    def no_processes(*args, **kwargs):
        raise AssertionError("a plain book is planned in threads, not processes")

    monkeypatch.setattr(batch_run, "_run_in_workers", no_processes)
    threaded = run_books(book, strategies, horizon=120, workers=2, chunk_size=10)
    assert list(threaded) == strategies
    for s in strategies:
        assert _fields(threaded[s]) == _fields(one[s])
    assert threaded["avalanche"].remaining[-1] > 2**63  # the exact fallback ran in a thread too
