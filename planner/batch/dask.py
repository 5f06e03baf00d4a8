"""The same results over a partitioned Dask DataFrame: each partition runs the local engine."""

from __future__ import annotations

import os

from ..errors import InputError, PlannerError, Problem
from .run import batch_frame, strategy_list


def _partition(frame, budget_column, strategies, horizon, scenario, id_column):
    """One Dask partition (every row of its portfolios) through the local engine, in-process."""
    if len(frame) == 0:
        return _result_meta(frame[id_column].dtype, scenario is not None)
    try:
        table, _ = batch_frame(
            frame.reset_index(drop=True), budget_column, strategies, scenario=scenario, horizon=horizon,
            workers=1, source="partition", id_column=id_column,
        )
    except PlannerError as exc:
        # A plain PlannerError travels back from a remote worker intact (pickled by its message).
        raise PlannerError(str(exc)) from None
    return table


def batch_dask(
    data,
    budget_column: str = "budget",
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    id_column: str = "portfolio_id",
):
    """The same results over a partitioned Dask DataFrame (or a CSV/Parquet path or glob).

    Rows are shuffled on ``id_column`` so each portfolio lies in one partition;
    each partition then runs :func:`batch_frame`. Uses the active Dask scheduler
    (a ``distributed.Client`` if one is set up). Returns a pandas DataFrame
    sorted by strategy and portfolio id. Needs the ``batch`` extra (dask).
    """
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask is in the batch extra
        raise PlannerError("需要安装 dask：pip install 'debt-planner[batch]' / the dask engine needs dask: pip install 'debt-planner[batch]'") from None

    names = strategy_list(strategies)
    label = str(data) if isinstance(data, (str, os.PathLike)) else "dask"
    if isinstance(data, (str, os.PathLike)):
        text = str(data)
        try:
            if text.lower().endswith((".parquet", ".pq")) or os.path.isdir(text):
                ddf = dd.read_parquet(text)
            else:
                ddf = dd.read_csv(text, dtype=str, keep_default_na=False, encoding="utf-8-sig", blocksize="64MB")
        except (UnicodeDecodeError, OSError, ValueError) as exc:
            raise InputError(
                [Problem(f"无法读取表格：{exc}。Dask 引擎读取 UTF-8 CSV 或 Parquet。", f"cannot read the table: {exc}. The Dask engine reads UTF-8 CSV or Parquet.")],
                label,
            ) from None
    else:
        ddf = data
    if id_column not in ddf.columns:
        raise InputError([Problem(f"缺少必需的列：{id_column}。", f"the required column {id_column} is missing.")], "dask")
    if ddf.npartitions > 1:
        ddf = ddf.shuffle(on=id_column)
    sample = ddf._meta if hasattr(ddf, "_meta") else ddf.head(0)
    meta = _result_meta(sample[id_column].dtype, scenario is not None)
    try:
        out = ddf.map_partitions(_partition, budget_column, names, horizon, scenario, id_column, meta=meta).compute()
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(
            [Problem(f"无法读取表格：{exc}。Dask 引擎读取 UTF-8 CSV 或 Parquet。", f"cannot read the table: {exc}. The Dask engine reads UTF-8 CSV or Parquet.")],
            label,
        ) from None
    out = out.sort_values(["strategy", "portfolio_id"], kind="stable").reset_index(drop=True)
    return out


def _result_meta(id_dtype, with_scenario: bool):
    import pandas as pd

    columns = {
        "portfolio_id": pd.Series([], dtype=id_dtype),
        "strategy": pd.Series([], dtype="string"),
        "status": pd.Series([], dtype="string"),
        "months": pd.Series([], dtype="Int64"),
        "total_interest": pd.Series([], dtype="float64"),
        "total_paid": pd.Series([], dtype="float64"),
        "total_forgiven": pd.Series([], dtype="float64"),
        "remaining": pd.Series([], dtype="float64"),
        "unspent": pd.Series([], dtype="float64"),
        "infeasible_month": pd.Series([], dtype="Int64"),
        "shortfall": pd.Series([], dtype="float64"),
    }
    if with_scenario:
        columns = dict(list(columns.items())[:2] + [("scenario", pd.Series([], dtype="string"))] + list(columns.items())[2:])
    return pd.DataFrame(columns)


__all__ = [
    "batch_dask",
]
