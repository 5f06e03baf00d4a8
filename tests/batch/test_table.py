"""Reading a long table into a book: Parquet as pyarrow columns, CSV and DataFrames converted to them.

The loader's rules are the oracle: a CSV's text and the same values stored as
numbers in Parquet must give the same exact book; the errors name the same rows.
Debts and people here are invented.
"""

from __future__ import annotations

import json
from decimal import Decimal
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from planner.batch import book_from_frame, plan_batch, read_table
from planner.batch.arrays import array_numpy, arrow_array, arrow_strings, column_numpy
from planner.errors import InputError
from planner import Debt


def _debts_by_name(book):
    """Each debt of a book as (portfolio id, name, balance, minimum, rate, budget): what a plan reads."""
    out = []
    for p in range(book.size):
        for r in range(book.start[p], book.start[p + 1]):
            out.append((book.ids[p], book.names[book.name_code[r]], int(book.balance[r]), int(book.minimum[r]),
                        book.rates[book.rate_code[r]], int(book.budget[p]), int(book.fees[r])))
    return out


def test_a_parquet_book_reads_the_same_as_its_csv_text(tmp_path):
    # The CSV as a spreadsheet exports it (Chinese headers, "￥12,000", "18%"); the Parquet file
    # holds the same values as numbers. 0.125 yuan sits on a half cent: half-up gives 13 cents.
    csv = pd.DataFrame({
        "portfolio_id": ["7", "7", "9"], "名称": ["招行信用卡", "借呗", "招行信用卡"],
        "余额": ["￥12,000", "0.125", "3,000.50"], "年利率": ["18%", "24", "7.3%"],
        "最低还款": ["600", "50.5", "100"], "budget": ["2000", "2000", "500"], "fees_owed": ["", "12", " "],
    })
    numbers = pd.DataFrame({
        "portfolio_id": [7, 7, 9], "名称": ["招行信用卡", "借呗", "招行信用卡"],
        "余额": [12000.0, 0.125, 3000.5], "年利率": [18.0, 24.0, 7.3],
        "最低还款": [600.0, 50.5, 100.0], "budget": [2000.0, 2000.0, 500.0], "fees_owed": [None, 12.0, None],
    })
    csv.to_csv(tmp_path / "book.csv", index=False)
    numbers.to_parquet(tmp_path / "book.parquet", index=False)
    from_csv = book_from_frame(read_table(tmp_path / "book.csv"), source="book.csv")
    table = read_table(tmp_path / "book.parquet")
    assert isinstance(table, pa.Table) and pa.types.is_dictionary(table.schema.field("名称").type)
    from_parquet = book_from_frame(table, source="book.parquet")
    expected = [("7", "招行信用卡", 1200000, 60000, Decimal("18"), 200000, 0), ("7", "借呗", 13, 5050, Decimal("24"), 200000, 1200),
                ("9", "招行信用卡", 300050, 10000, Decimal("7.3"), 50000, 0)]
    assert _debts_by_name(from_csv) == expected
    assert [(str(row[0]),) + row[1:] for row in _debts_by_name(from_parquet)] == expected


def test_names_stored_as_parquet_dictionaries_are_checked_across_row_groups(tmp_path):
    # Two rows per row group, so each group has its own dictionary of names: portfolio 2 spans
    # groups, and its third debt repeats its first ("b"), found at spreadsheet row 7.
    frame = pd.DataFrame({"portfolio_id": [1, 1, 2, 2, 2, 3], "name": ["a", "b", "b", "c", "b", "z"],
                          "balance": 100.0, "apr": 12.0, "min_payment": 10.0, "budget": 500.0})
    path = tmp_path / "book.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=2)
    with pytest.raises(InputError) as caught:
        book_from_frame(read_table(path), source="book.parquet")
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(6, "name", "b")]
    frame.loc[4, "name"] = "   "  # now a blank name: a missing value, at the same row
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=2)
    with pytest.raises(InputError, match="required value is missing") as caught:
        book_from_frame(read_table(path), source="book.parquet")
    assert [p.row for p in caught.value.problems] == [6]
    frame.loc[4, "name"] = "d"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=2)
    book = book_from_frame(read_table(path), source="book.parquet")
    assert [[book.names[book.name_code[r]] for r in range(book.start[p], book.start[p + 1])] for p in range(3)] == [
        ["a", "b"], ["b", "c", "d"], ["z"]]


def test_a_column_of_numbers_mixed_with_text_is_read_as_the_text_of_each_cell():
    # pandas keeps such a column as objects, which Arrow cannot type: each cell is read as its
    # text, as a CSV gives it; a list in a cell is a problem naming its row.
    frame = pd.DataFrame({"portfolio_id": [1, 1], "name": ["a", "b"], "balance": [12000, "￥3,000"],
                          "apr": [18, "18%"], "min_payment": [600.0, None], "budget": [1000, 1000]})
    with pytest.raises(InputError, match="required value is missing") as caught:
        book_from_frame(frame)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "min_payment")]
    frame["min_payment"] = [600.0, 100]
    book = book_from_frame(frame)
    assert book.balance.tolist() == [1200000, 300000] and [str(book.rates[c]) for c in book.rate_code] == ["18", "18"]
    frame["balance"] = pd.Series([[1, 2], "3000"], dtype=object)
    with pytest.raises(InputError, match="several values") as caught:
        book_from_frame(frame)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "balance")]


def test_categorical_and_pyarrow_backed_columns_read_like_plain_ones():
    plain = pd.DataFrame({"portfolio_id": ["x", "x", "y"], "name": ["a", "b", "a"], "balance": ["100", "200.5", "300"],
                          "apr": ["12", "24", "12"], "min_payment": ["10", "20", "30"], "budget": ["100", "100", "50"]})
    typed = plain.astype({"name": "category", "apr": "category", "balance": "string[pyarrow]", "portfolio_id": "category"})
    assert _debts_by_name(book_from_frame(typed)) == _debts_by_name(book_from_frame(plain))


def test_results_carry_pandas_metadata_built_without_pandas():
    # The hand-built metadata equals what pyarrow writes from the pandas frame, so pd.read_parquet
    # gives to_frame's dtypes back (nullable months, infeasible month only where infeasible).
    r = plan_batch([[Debt("A", 1000, 12, 100)], [Debt("B", 1000, 12, 1)], [Debt("C", 1000, 12, 100)]], [600, 5, 50],
                   ids=[11, 12, 13])
    r.ids = np.asarray(r.ids, dtype=np.int64)
    table = r.to_arrow()
    frame = r.to_frame()
    reference = pa.Schema.from_pandas(frame, preserve_index=False)
    assert table.schema.equals(reference, check_metadata=True)
    assert json.loads(table.schema.metadata[b"pandas"]) == json.loads(reference.metadata[b"pandas"])
    assert r.status == ["ok", "never_paid", "infeasible"]
    pd.testing.assert_frame_equal(table.to_pandas(), frame)


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(st.sampled_from([np.bool_, np.int8, np.int32, np.int64, np.float64]), st.integers(0, 70)),
    data=st.data(),
)
def test_arrow_arrays_from_buffers_equal_pyarrows_own_conversion(values, data):
    step = data.draw(st.sampled_from([1, 2]))
    values = values[::step]
    valid = data.draw(hnp.arrays(np.bool_, len(values))) if data.draw(st.booleans()) else None
    ours = arrow_array(values, valid)
    theirs = pa.array(values, mask=None if valid is None else ~valid)
    assert ours.type == theirs.type and ours.is_null().equals(theirs.is_null())
    np.testing.assert_array_equal(ours.to_numpy(zero_copy_only=False), theirs.to_numpy(zero_copy_only=False))  # NaN equal to NaN
    assert ours.null_count == (0 if valid is None else int((~valid).sum()))


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(st.sampled_from([np.bool_, np.int32, np.int64, np.float64, np.uint8]), st.integers(0, 70)),
    data=st.data(),
)
def test_numpy_from_arrow_buffers_equals_pyarrows_own_conversion(values, data):
    # Offsets (slices) and null bitmaps included; pyarrow's to_numpy is the oracle.
    valid = data.draw(hnp.arrays(np.bool_, len(values))) if values.dtype != np.bool_ and data.draw(st.booleans()) else None
    arr = pa.array(values, mask=None if valid is None else ~valid)
    start = data.draw(st.integers(0, len(values)))
    part = arr.slice(start, data.draw(st.integers(0, len(values) - start)))
    np.testing.assert_array_equal(array_numpy(part), part.to_numpy(zero_copy_only=False))
    assert array_numpy(part).dtype == part.to_numpy(zero_copy_only=False).dtype
    pieces = pa.chunked_array([arr.slice(0, start), arr.slice(start)], type=arr.type)
    np.testing.assert_array_equal(column_numpy(pieces), arr.to_numpy(zero_copy_only=False))


def test_arrow_strings_keep_chinese_text():
    assert arrow_strings(["ok", "已结清", ""]).to_pylist() == ["ok", "已结清", ""]


def test_planner_batch_on_parquet_does_not_import_pandas(tmp_path):
    # pandas costs 0.3-0.4 s to import; from a Parquet book to Parquet results nothing needs it.
    frame = pd.DataFrame({"portfolio_id": [1, 1, 2], "name": ["a", "b", "a"], "balance": [100.0, 200.0, 300.0],
                          "apr": [12.0, 24.0, 0.18], "min_payment": [10.0, 20.0, 30.0], "budget": [100.0, 100.0, 50.0]})
    frame.to_parquet(tmp_path / "book.parquet", index=False)
    script = (
        "import sys\n"
        "from planner.cli import main\n"
        f"code = main(['batch', {str(tmp_path / 'book.parquet')!r}, '--out', {str(tmp_path / 'r.parquet')!r}, '--strategy', 'all'])\n"
        "print(code, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.splitlines()[-1] == "0 False", out.stdout + out.stderr
    assert "0.18" in out.stderr  # the rate-below-1 warning still reaches the person
    back = pd.read_parquet(tmp_path / "r.parquet")
    assert len(back) == 10 and str(back["months"].dtype) == "Int64"


@pytest.mark.parametrize("strategies", [["avalanche", "snowball"], ["avalanche", "minimum_only", "snowball"]],
                         ids=["cascades", "with-minimums"])
def test_results_handed_over_strategy_by_strategy_equal_the_results_kept(strategies):
    # 301 invented portfolios of 1-4 debts in chunks of 37 on two workers: the workers plan one
    # strategy after another (one progress call per chunk and strategy). Each strategy's result
    # reaches on_result complete, in order, equal to the results run_books keeps; and the Parquet
    # written from them as they come equals the table of the kept results.
    from planner.batch import ResultsParquet, results_arrow, run_books

    rng = np.random.default_rng(7)
    rows = []
    for p in range(301):
        for d in range(int(rng.integers(1, 5))):
            rows.append({"portfolio_id": p, "name": f"债{d}", "balance": int(rng.integers(100, 50_000)),
                         "apr": float(rng.choice([0.0, 7.3, 18.25, 35.9])), "min_payment": int(rng.integers(1, 900)),
                         "budget": 400 + 10 * p})
    book = book_from_frame(pd.DataFrame(rows))
    kept = run_books(book, strategies, workers=2, chunk_size=37)
    handed, calls = [], []
    writer = ResultsParquet()
    pieces = []
    assert run_books(book, strategies, workers=2, chunk_size=37, progress=calls.append,
                     on_result=lambda s, r: (handed.append((s, r)), writer.add(r)),
                     on_rows=lambda s, part: (pieces.append((s, part)), writer.add_rows(part))) == {}
    chunks = -(-301 // 37) + (-(-301 // 37)) % 2  # a multiple of the two workers
    assert len(calls) == chunks * len(strategies) and sum(calls) == 301 * len(strategies)
    assert [s for s, _ in handed] == strategies
    assert pieces == []  # planned strategy by strategy: nothing handed over in pieces
    for s, r in handed:
        for field in ("months", "interest", "paid", "remaining", "unspent", "status_code", "infeasible_month", "shortfall"):
            assert np.array_equal(getattr(r, field), getattr(kept[s], field)), (s, field)
    import io

    written = pq.read_table(io.BytesIO(writer.finish()))
    assert written.equals(results_arrow(kept, strategies))


def test_results_written_to_a_file_as_they_come_equal_the_bytes_and_a_failed_run_leaves_nothing(tmp_path):
    # The command's way: results streamed into a temporary file beside the target, flushed strategy
    # by strategy and renamed into place; the same bytes as ResultsParquet without a path. A run
    # that fails (abandon) leaves the old file where it was and no temporary file behind.
    from planner.batch import ResultsParquet, batch_results, results_arrow

    rows = [{"portfolio_id": p, "name": f"债{d}", "balance": 1000 + 300 * p + 70 * d, "apr": 18.25 - 2 * d,
             "min_payment": 60, "budget": 400 + 20 * p} for p in range(40) for d in range(3)]
    book = book_from_frame(pd.DataFrame(rows))
    strategies = ["avalanche", "minimum_only", "snowball"]
    runs = batch_results(book, strategies, workers=1)
    target = tmp_path / "results.parquet"
    target.write_bytes(b"old")
    in_memory, on_disk = ResultsParquet(), ResultsParquet(target, inputs=[tmp_path / "book.parquet"])
    first = runs["avalanche"]
    halves = [first.rows(0, 17), first.rows(17, 40)]
    for writer in (in_memory, on_disk):
        for half in halves:
            writer.add_rows(half)  # the first strategy in pieces...
        writer.add(first)  # ... is not written again whole
        writer.add(runs["minimum_only"])
        writer.add(runs["snowball"])
    assert target.read_bytes() == b"old"  # not in place before finish
    assert on_disk.finish() == target
    assert target.read_bytes() == in_memory.finish()
    assert pq.read_table(target).equals(results_arrow(runs, strategies))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet"]
    failed = ResultsParquet(target)
    failed.add(runs["snowball"])
    failed.abandon()
    assert target.read_bytes() == in_memory.sink.getvalue() and sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet"]


@pytest.mark.parametrize("ids", [list(range(30)), [f"客户{k}" for k in range(30)]], ids=["whole-number", "text"])
def test_results_parquet_reads_back_as_a_file_written_from_the_plain_table(ids):
    # ResultsParquet writes the plain tables with pyarrow's own stored schema (and delta-encodes
    # whole-number ids): pyarrow and pandas read the file back exactly as one pq.write_table
    # wrote from results_arrow, metadata included, with the dtypes results_frame has.
    import io

    from planner.batch import RESULTS_PARQUET_OPTIONS, ResultsParquet, batch_results, results_arrow

    rows = [{"portfolio_id": p, "name": f"d{d}", "balance": 1000 + 100 * i + d, "apr": 18.0, "min_payment": 50,
             "budget": 200 + 7 * i} for i, p in enumerate(ids) for d in range(2)]
    strategies = ["avalanche", "minimum_only"]
    runs = batch_results(book_from_frame(pd.DataFrame(rows)), strategies, workers=1)
    writer = ResultsParquet()
    for s in strategies:
        writer.add(runs[s])
    ours = io.BytesIO(writer.finish())
    plain = io.BytesIO()
    pq.write_table(results_arrow(runs, strategies), plain, **RESULTS_PARQUET_OPTIONS)
    a, b = pq.read_table(ours), pq.read_table(plain)
    assert a.equals(b) and a.schema.equals(b.schema, check_metadata=True)
    assert pd.read_parquet(ours).equals(pd.read_parquet(plain))
    assert pd.read_parquet(ours).dtypes.equals(pd.read_parquet(plain).dtypes)
    # what a person reading the file sees: text labels (large_string in Arrow, not dictionaries),
    # nullable whole months, float yuan; the frame results_frame gives
    assert a.schema.field("strategy").type == pa.large_string() and a.schema.field("status").type == pa.large_string()
    back = pd.read_parquet(ours)
    assert str(back["months"].dtype) == "Int64" and str(back["infeasible_month"].dtype) == "Int64"
    assert back["total_paid"].dtype == np.float64 and isinstance(back["strategy"].dtype, pd.StringDtype)
    expected = pd.concat([runs[s].to_frame() for s in strategies], ignore_index=True)
    pd.testing.assert_frame_equal(back, expected)
    # how it stores them: the near-unique amounts uncompressed, the rest Snappy; whole-number ids delta-encoded
    group = pq.ParquetFile(ours).metadata.row_group(0)
    chunks = {group.column(k).path_in_schema: group.column(k) for k in range(group.num_columns)}
    assert {name for name, c in chunks.items() if c.compression == "UNCOMPRESSED"} == {"total_interest", "total_paid",
                                                                                     "unspent"}
    assert {c.compression for c in chunks.values()} == {"UNCOMPRESSED", "SNAPPY"}
    assert ("DELTA_BINARY_PACKED" in chunks["portfolio_id"].encodings) == isinstance(ids[0], int)


def test_pieces_gather_into_row_groups_of_the_size_set(monkeypatch):
    # 40 portfolios handed over 7 at a time, gathered into row groups of at least 15 rows:
    # 21, 21 (closed when the next strategy comes)... the file reads back as the whole results.
    import io

    from planner.batch import ResultsParquet, batch_results, results_arrow

    rows = [{"portfolio_id": p, "name": f"d{d}", "balance": 900 + 50 * p + d, "apr": 24.0, "min_payment": 45,
             "budget": 160 + p} for p in range(40) for d in range(2)]
    strategies = ["avalanche", "minimum_only"]
    runs = batch_results(book_from_frame(pd.DataFrame(rows)), strategies, workers=1)
    first = runs["avalanche"]
    monkeypatch.setattr(ResultsParquet, "ROW_GROUP", 15)
    writer = ResultsParquet()
    for lo in range(0, 40, 7):
        writer.add_rows(first.rows(lo, lo + 7))
    writer.add(first)  # written in pieces already
    writer.add(runs["minimum_only"])
    data = io.BytesIO(writer.finish())
    meta = pq.ParquetFile(data).metadata
    assert [meta.row_group(k).num_rows for k in range(meta.num_row_groups)] == [21, 19, 40]
    assert pq.read_table(data).equals(results_arrow(runs, strategies))
