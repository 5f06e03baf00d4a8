"""The same results over a partitioned Dask DataFrame: each partition runs the local engine."""

from __future__ import annotations

import contextlib
import os

from ..errors import InputError, PlannerError, Problem
from .run import batch_book, strategy_list
from .table import book_from_frame


def _partition(frame, budget_column, strategies, horizon, scenario, id_column):
    """One Dask partition (every row of its portfolios) through the local engine, in-process."""
    if len(frame) == 0:
        return _result_meta(frame[id_column].dtype, scenario is not None)
    try:
        book = book_from_frame(frame.reset_index(drop=True), budget_column, source="partition", id_column=id_column)
        del frame  # the partition's table, once its book is built (Arrow's pool is not released here:
        # partitions may run in threads of one process, and a release racing their reads is not worth it)
        table, _ = batch_book(book, strategies, scenario=scenario, horizon=horizon, workers=1)
    except PlannerError as exc:
        # A plain PlannerError travels back from a remote worker intact (pickled with its texts and fields).
        raise PlannerError.like(exc) from None
    return table


def batch_dask(
    data,
    budget_column: str = "budget",
    strategies="avalanche",
    *,
    scenario=None,
    horizon: int = 600,
    id_column: str = "portfolio_id",
    out_folder=None,
):
    """The same results over a partitioned Dask DataFrame (or a CSV/Parquet path or glob).

    Each portfolio must lie in one partition: when the partitions' id ranges do not
    overlap (files written portfolio by portfolio, ids in order) they are used as
    they are; otherwise the rows are shuffled on ``id_column`` first. Each
    partition then runs :func:`batch_book`. Uses the active Dask scheduler (a
    ``distributed.Client`` if one is set up). Returns a pandas DataFrame sorted by
    strategy and portfolio id; with ``out_folder``, the workers write the results
    as a partitioned Parquet folder there instead (one file a partition, never
    gathered in one process) and the folder's path is returned. Needs the
    ``batch`` extra (dask).
    """
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask is in the batch extra
        raise PlannerError("batch.dask.dask_engine_needs_dask") from None

    names = strategy_list(strategies)
    label = str(data) if isinstance(data, (str, os.PathLike)) else "dask"
    if isinstance(data, (str, os.PathLike)):
        text = str(data)
        kind, paths = dask_inputs(text)
        if kind == "parquet" and not isinstance(paths, str):
            _refuse_nested_id(paths, id_column)  # the shuffle on it would fail before any partition could say why
        try:
            if kind == "parquet":
                ddf = dd.read_parquet(paths)
            else:
                ddf = dd.read_csv(paths, dtype=str, keep_default_na=False, encoding="utf-8-sig", blocksize="64MB")
        except (UnicodeDecodeError, OSError, ValueError) as exc:
            raise InputError(
                [Problem.of("batch.dask.cannot_read_table_dask", exc=exc)],
                label,
            ) from None
    else:
        ddf = data
    if id_column not in ddf.columns:
        raise InputError([Problem.of("batch.dask.required_column_missing", id_column=id_column)], "dask")
    meta = _result_meta(ddf.dtypes[id_column], scenario is not None)
    import dask

    # Without a distributed client, the partitions run one after another in this process: Dask's
    # default thread pool around pyarrow's own threads hung intermittently in the test suite, and on
    # one machine the local engine is the faster choice anyway. A client (a cluster) is used as is.
    # The shuffle then moves rows by tasks in this process: Dask picks its P2P shuffle whenever a
    # default client exists, even one left behind stopped, and P2P needs live workers.
    local = (dask.config.set({"scheduler": "synchronous", "dataframe.shuffle.method": "tasks"}) if _no_client()
             else contextlib.nullcontext())
    with local:
        return _run(ddf, names, budget_column, horizon, scenario, id_column, meta, out_folder, label)


def _no_client() -> bool:
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - distributed is in the batch extra
        return True
    try:
        client = get_client()
    except ValueError:  # no client in this process
        return True
    return client.status != "running"  # one left behind by a failed connection does not count


def _run(ddf, names, budget_column, horizon, scenario, id_column, meta, out_folder, label):
    try:
        if ddf.npartitions > 1 and not _aligned(ddf, id_column):
            ddf = ddf.shuffle(on=id_column)
        results = ddf.map_partitions(_partition, budget_column, names, horizon, scenario, id_column, meta=meta)
        if out_folder is not None:
            return _write_folder(results, out_folder)
        out = results.compute()
    except PlannerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file that fails only when read: pyarrow's errors, decoding, I/O
        if not isinstance(exc, (UnicodeDecodeError, OSError)) and not type(exc).__module__.startswith("pyarrow"):
            raise
        raise InputError(
            [Problem.of("batch.dask.cannot_read_table_dask", exc=exc)],
            label,
        ) from None
    out = out.sort_values(["strategy", "portfolio_id"], kind="stable").reset_index(drop=True)
    return out


def _aligned(ddf, id_column: str) -> bool:
    """Whether no portfolio can span two partitions: their id ranges, read from the id column
    alone, do not overlap. Then the shuffle (every row moved between workers) is not needed."""
    import pandas as pd

    def span(ids):
        if len(ids) == 0:
            return pd.DataFrame({"lo": [], "hi": []}, dtype=object)
        return pd.DataFrame({"lo": [ids.min()], "hi": [ids.max()]}, dtype=object)

    try:
        spans = ddf[id_column].map_partitions(span, meta={"lo": object, "hi": object}).compute()
        spans = spans.dropna().sort_values("lo", kind="stable")
        lo, hi = spans["lo"].tolist(), spans["hi"].tolist()
        return all(h < l for h, l in zip(hi[:-1], lo[1:]))
    except TypeError:  # ids of mixed types do not order: shuffle
        return False


def _write_folder(results, folder) -> str:
    """Each partition's results written by its worker into ``folder`` (partitioned Parquet), renamed into place."""
    import shutil
    import tempfile

    folder = os.fspath(folder)
    if "://" in folder:  # object storage (s3://, gs://...): the workers write there directly, no staging
        results.to_parquet(folder, write_index=False)
        return folder
    folder = os.path.abspath(folder)
    parent = os.path.dirname(folder)
    if os.path.exists(folder) and not (os.path.isdir(folder) and not os.listdir(folder)):
        raise PlannerError("batch.dask.exists_not_empty_folder", folder=folder)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", dir=parent)
    try:
        results.to_parquet(staging, write_index=False)
        if os.path.isdir(folder):
            os.rmdir(folder)  # empty: checked above
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


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


_PARQUET_MAGIC = b"PAR1"


def dask_inputs(text: str) -> tuple[str, str | list[str]]:
    """What ``--engine dask`` reads from a path, folder or glob: ``("parquet" | "csv", paths)``.

    A folder or glob is listed (hidden files and ``_SUCCESS``-style markers aside) and
    every file classified, Parquet by its suffix or its ``PAR1`` signature, CSV by its
    suffix. A mix of the two is refused (Dask would read only one kind and drop the
    other's portfolios silently), as is any other file, and a Parquet file whose footer
    cannot be read is named as damaged. A remote URL (``s3://...``) is passed on as is.
    """
    if "://" in text:
        return ("parquet" if text.lower().endswith((".parquet", ".pq")) else "csv"), text
    if os.path.isdir(text):
        files = sorted(os.path.join(text, f) for f in os.listdir(text) if not f.startswith((".", "_")))
        files = [f for f in files if os.path.isfile(f)]
    elif any(ch in text for ch in "*?["):
        import glob

        files = sorted(f for f in glob.glob(text) if os.path.isfile(f) and not os.path.basename(f).startswith((".", "_")))
    else:
        return ("parquet" if text.lower().endswith((".parquet", ".pq")) else "csv"), text
    if not files:
        raise InputError([Problem.of("batch.dask.no_files_found_check")], text)
    parquet, csv_files, other = [], [], []
    for f in files:
        lower = f.lower()
        if lower.endswith((".parquet", ".pq")) or _starts_with(f, _PARQUET_MAGIC):
            parquet.append(f)
        elif lower.endswith(".csv"):
            csv_files.append(f)
        else:
            other.append(f)
    if other:
        shown = ", ".join(os.path.basename(f) for f in other[:5])
        raise InputError(
            [Problem.of("batch.dask.folder_holds_files_neither", shown=shown)],
            text,
        )
    if parquet and csv_files:
        raise InputError(
            [
                Problem.of(
                    "batch.dask.folder_holds_parquet_csv",
                    parquet=len(parquet),
                    csv_files=len(csv_files),
                    csv_files_2=os.path.basename(csv_files[0]),
                )
            ],
            text,
        )
    if parquet:
        import pyarrow.parquet as pq

        for f in parquet:
            try:
                pq.read_metadata(f)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError...: all mean a damaged file
                raise InputError(
                    [Problem.of("batch.dask.parquet_file_damaged_cannot", None, None, os.path.basename(f), exc=exc)],
                    f,
                ) from None
        return "parquet", parquet
    _same_csv_header(csv_files, text)
    return "csv", csv_files


def _first_line(path: str) -> bytes:
    with open(path, "rb") as handle:
        line = handle.readline(64 * 1024)
    return line.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n")


def _same_csv_header(files: list[str], label: str) -> None:
    """Refuse CSV files whose header lines differ: Dask reads every file with the first one's
    columns, so a file with other columns, or the same ones in another order, would be misread."""
    first = _first_line(files[0])
    for f in files[1:]:
        if _first_line(f) != first:
            raise InputError(
                [
                    Problem.of(
                        "batch.dask.header_differs_dask_reads",
                        None,
                        None,
                        _first_line(f).decode("utf-8", errors="replace")[:60],
                        f=os.path.basename(f),
                        files=os.path.basename(files[0]),
                    )
                ],
                label,
            )


def _refuse_nested_id(paths: list[str], id_column: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for f in paths:
        schema = pq.read_schema(f)
        if id_column in schema.names:
            kind = schema.field(id_column).type
            if pa.types.is_nested(kind):
                raise InputError(
                    [
                        Problem.of(
                            "batch.dask.portfolio_id_column_nested",
                            None,
                            id_column,
                            id_column=id_column,
                            kind=kind,
                        )
                    ],
                    f,
                )


def _starts_with(path: str, signature: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(signature)) == signature
    except OSError:
        return False


__all__ = [
    "batch_dask",
    "dask_inputs",
]
