"""The due_day column (还款日): read as people write it, every bad value reported at once."""

from __future__ import annotations

import pytest

from planner import InputError, load_debts

HEADER = "平台,剩余本金,年化利率,最低还款,还款日\n"


def test_due_days_as_people_write_them():
    text = HEADER + "A,100,12,10,31\nB,100,12,10,15日\nC,100,12,10,每月5号\nD,100,12,10,2027-05-20\nE,100,12,10,\nF,100,12,10,28.0\n"
    assert [d.due_day for d in load_debts(text)] == [31, 15, 5, 20, None, 28]


@pytest.mark.parametrize("header", ["due_day", "还款日", "每月还款日", "最后还款日", "Due_Day"])
def test_header_aliases(header):
    (debt,) = load_debts(f"name,balance,apr,min_payment,{header}\nA,100,12,10,9\n")
    assert debt.due_day == 9


def test_every_bad_due_day_is_reported_with_row_column_value_and_fix():
    text = HEADER + "A,100,12,10,32\nB,100,12,10,0\nC,100,12,10,下旬\nD,100,12,10,15.5\nE,100,12,10,2027-02-30\n"
    with pytest.raises(InputError) as caught:
        load_debts(text)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "还款日", "32"), (3, "还款日", "0"), (4, "还款日", "下旬"), (5, "还款日", "15.5"), (6, "还款日", "2027-02-30"),
    ]
    for p in problems:
        assert "1 到 31" in p.zh and "from 1 to 31" in p.en
        assert "last day" in p.en and "最后一天" in p.zh  # the rule for short months is stated


def test_the_batch_table_ignores_the_column(tmp_path):
    pytest.importorskip("pyarrow")
    from planner.batch.table import book_from_frame, read_table

    path = tmp_path / "book.csv"
    path.write_text("portfolio_id,budget,name,balance,apr,min_payment,还款日\n1,500,A,1000,12,100,31\n1,500,B,500,0,50,15\n", encoding="utf-8")
    assert book_from_frame(read_table(path)) is not None  # loading does not fail on the extra column
