"""Exports are safe: no formula runs when a file is opened in Excel, a write is
all-or-nothing (temporary file renamed into place), and the user's input is never
overwritten.

CSV formula injection: a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run by Excel/LibreOffice as a formula (OWASP, "CSV Injection").
The export prefixes such a text cell with ``'``; plain numbers are left alone.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner import PlannerError
from planner.cli import main
from planner.io.export import AtomicFile, atomic_write_bytes, excel_safe, write_csv
import stat
from planner.io.export import output_target
from tests.cli_helpers import START_ARGS, ZH, bilingual, cli, needs_root, run

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = Path(__file__).resolve().parents[1] / "bad_inputs" / "name_formula.csv"
SAMPLE = ROOT / "sample_data" / "debts_en.csv"
_DANGER = ("=", "+", "-", "@", "\t", "\r")


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _assert_excel_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(_DANGER):
                # only a plain number may start with a sign: Excel reads it as a number
                assert cell.lstrip("+-").replace(".", "", 1).isdigit(), f"unsafe cell {cell!r}"


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a negative number stays a number
        ("+5", "+5"),
        ("花呗", "花呗"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (None, ""),
    ],
)
def test_excel_safe(written, expected):
    assert excel_safe(written) == expected


def test_schedule_export_neutralises_formula_names(tmp_path):
    out = tmp_path / "schedule.csv"
    result = _cli("plan", FORMULAS, "--budget", "3000", "--start", "2027-01", "--schedule", out)
    assert result.returncode == 0, result.stderr
    rows = _cells(out)
    _assert_excel_safe(rows)
    names = {row[rows[0].index("debt")] for row in rows[1:]}
    # the three hostile names of the corpus file, each defused with a leading quote
    assert names == {"'=HYPERLINK(\"http://evil.example\",\"click\")", "'+cmd|' /C calc'!A0", "'@SUM(A1)"}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Chinese


def _input_copy(tmp_path: Path) -> Path:
    path = tmp_path / "debts.csv"
    shutil.copyfile(SAMPLE, path)
    return path


@pytest.mark.parametrize("spelling", ["same", "dot", "symlink", "hardlink"])
def test_schedule_never_overwrites_the_input(tmp_path, spelling, monkeypatch):
    debts = _input_copy(tmp_path)
    before = debts.read_bytes()
    target = {
        "same": debts,
        "dot": Path("./debts.csv"),
        "symlink": tmp_path / "link.csv",
        "hardlink": tmp_path / "hard.csv",
    }[spelling]
    if spelling == "symlink":
        target.symlink_to(debts)
    if spelling == "hardlink":
        os.link(debts, target)
    monkeypatch.chdir(tmp_path)
    code = main(["plan", str(debts), "--budget", "8000", "--schedule", str(target)])
    assert code == 2
    assert debts.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_schedule_over_the_input_through_the_cli(tmp_path):
    debts = _input_copy(tmp_path)
    before = debts.read_bytes()
    result = _cli("plan", debts, "--budget", "8000", "--schedule", debts)
    assert result.returncode == 2
    assert "refusing to overwrite the input file" in result.stderr and "不会覆盖输入文件" in result.stderr
    assert "Traceback" not in result.stderr
    assert debts.read_bytes() == before


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "schedule.csv"
    target.write_bytes(b"the previous schedule")

    def fail(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)  # the disk fills up half way
    with pytest.raises(PlannerError, match="No space left on device") as info:
        write_csv(target, ["a"], [["1"]])
    assert "原有文件" in str(info.value) and "unchanged" in str(info.value)
    assert target.read_bytes() == b"the previous schedule"
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.csv"]  # the temporary file is gone


def test_a_failed_write_through_the_cli_is_exit_2(tmp_path, monkeypatch, capsys):
    # before the fix an OSError while writing was an "internal error" (exit 1)
    import tempfile

    def fail(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", fail)
    code = main(["plan", str(SAMPLE), "--budget", "8000", "--schedule", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "Permission denied" in err and "无法写入" in err


def test_writes_go_through_a_temporary_file_renamed_into_place(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        # at the moment of the rename the new content is complete in the temporary
        # file, in the same folder, and the old file is still untouched
        seen.append((Path(src).parent, Path(src).read_bytes(), Path(dst).read_bytes()))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write_bytes(target, b"new content")
    assert seen == [(tmp_path, b"new content", b"old")]
    assert target.read_bytes() == b"new content"


def test_an_atomic_file_leaves_the_target_alone_until_it_is_committed(tmp_path):
    target = tmp_path / "out.parquet"
    target.write_bytes(b"old")
    out = AtomicFile(target)
    assert out.temp.parent == tmp_path and out.temp != target
    out.temp.write_bytes(b"half")
    out.sync()
    assert target.read_bytes() == b"old"  # written and flushed, not yet in place
    out.temp.write_bytes(b"whole")
    assert out.commit() == target and target.read_bytes() == b"whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]
    gone = AtomicFile(target)
    gone.temp.write_bytes(b"never")
    gone.discard()
    assert target.read_bytes() == b"whole" and sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]


def test_an_atomic_file_refuses_an_input(tmp_path):
    source = tmp_path / "book.csv"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(PlannerError, match="refusing to overwrite the input"):
        AtomicFile(source, inputs=[source])
    assert source.read_text(encoding="utf-8") == "x" and len(list(tmp_path.iterdir())) == 1


# ---------------------------------------------------------------------------
# batch results and reports


def _batch_table(tmp_path: Path) -> Path:
    path = tmp_path / "caseload.csv"
    path.write_text(
        "portfolio_id,name,balance,apr,min_payment,budget\n"
        "=1+1,=HYPERLINK(\"http://evil.example\"),5000,18,500,2000\n"
        "=1+1,@SUM(A1),3000,24,300,2000\n"
        "client-2,-cmd,4000,12,400,1500\n",
        encoding="utf-8",
    )
    return path


def test_batch_results_and_schedules_are_excel_safe(tmp_path, capsys):
    pytest.importorskip("planner.cli.batch")
    table = _batch_table(tmp_path)
    out, schedules = tmp_path / "results.csv", tmp_path / "schedules.csv"
    code = main(["batch", str(table), "--out", str(out), "--schedules", str(schedules), "--workers", "1"])
    assert code == 0, capsys.readouterr().err
    for path in (out, schedules):
        rows = _cells(path)
        assert len(rows) > 1
        _assert_excel_safe(rows)
    ids = {row[0] for row in _cells(out)[1:]}
    assert "'=1+1" in ids and "client-2" in ids


@pytest.mark.parametrize("flag", ["--out", "--schedules"])
def test_batch_never_overwrites_its_input(tmp_path, flag, capsys):
    pytest.importorskip("planner.cli.batch")
    table = _batch_table(tmp_path)
    before = table.read_bytes()
    args = ["batch", str(table), "--out", str(tmp_path / "r.csv"), "--workers", "1"]
    args += [flag, str(table)]
    code = main(args)
    assert code == 2, capsys.readouterr()
    assert table.read_bytes() == before


def test_report_never_overwrites_its_input(tmp_path, capsys):
    pytest.importorskip("planner.report")
    debts = _input_copy(tmp_path)
    before = debts.read_bytes()
    for out in (debts, tmp_path / "debts.html"):
        if out.suffix == ".html":  # an input that happens to be the output name
            shutil.copyfile(debts, out)
            source = out
        else:
            source = debts
        kept = source.read_bytes()
        code = main(["report", str(source), "--budget", "8000", "--out", str(out)])
        assert code == 2, capsys.readouterr()
        assert source.read_bytes() == kept
    assert debts.read_bytes() == before


def test_report_html_escapes_hostile_names():
    report_module = pytest.importorskip("planner.report")
    hostile = b"name,balance,apr,min_payment\n\"<script>alert('x')</script>\",5000,18,500\n=cmd,3000,18,300\n"
    html = report_module.render_html(report_module.build_report(hostile, 2000, lang="en", start="2027-01"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# ---------------------------------------------------------------------------
# Outputs that are not regular files (issue 11, item 8): never renamed over a device, FIFO, socket or a link to one


def _special_paths(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    return [Path("/dev/null"), Path("/dev/full"), fifo, link]


def _node(path: Path):
    info = os.stat(path)
    return stat.S_IFMT(info.st_mode), info.st_rdev, os.path.islink(path)


@needs_root
def test_schedule_never_replaces_a_device_or_fifo(tmp_path, capsys):
    for target in _special_paths(tmp_path):
        before = _node(target)
        code, out, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", target, *START_ARGS)
        assert code == 2, target
        assert bilingual(err) and str(target) in err
        assert _node(target) == before, f"{target} was replaced"


@needs_root
def test_report_and_library_writes_never_replace_a_device(tmp_path, capsys):
    for target in _special_paths(tmp_path):
        before = _node(target)
        code, _, err = run(capsys, "report", ZH, "--budget", "6000", "--out", f"{target}", *START_ARGS)
        assert code == 2 and bilingual(err)
        with pytest.raises(PlannerError):
            atomic_write_bytes(target, b"x")
        assert _node(target) == before


@needs_root
def test_batch_out_never_replaces_a_device(tmp_path, capsys):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    before = _node(link)
    code, _, err = run(capsys, "batch", book, "--out", link)
    assert code == 2 and bilingual(err)
    assert _node(link) == before


def test_dev_stdout_is_refused_whatever_stdout_is(tmp_path):
    # stdout a pipe: /dev/stdout is a FIFO
    piped = cli("plan", ZH, "--budget", "6000", "--schedule", "/dev/stdout", *START_ARGS)
    assert piped.returncode == 2 and bilingual(piped.stderr)
    # stdout a regular file: renaming over it would replace the file the table is being written to
    out = tmp_path / "out.txt"
    with open(out, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "planner", "plan", ZH, "--budget", "6000", "--schedule", "/dev/stdout"],
                              stdout=handle, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 2 and bilingual(done.stderr)
    assert os.path.islink("/dev/stdout")


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path, capsys):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", link, *START_ARGS)
    assert code == 0
    assert link.is_symlink() and real.read_text("utf-8-sig").startswith("month")
    assert str(real) in err  # says where it wrote (item 25)


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_output_name_is_refused(name, capsys):
    code, _, err = run(capsys, "plan", ZH, "--budget", "6000", "--schedule", name)
    assert code == 2 and bilingual(err) and "schedule.csv" in err
    with pytest.raises(PlannerError):
        output_target(name)


@needs_root
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_schedules_never_replace_a_device(tmp_path, capsys, suffix):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    link = tmp_path / f"sched{suffix}"
    link.symlink_to("/dev/null")
    before, null = _node(link), _node(Path("/dev/null"))
    code, _, err = run(capsys, "batch", book, "--out", tmp_path / "r.csv", "--schedules", link)
    assert code == 2 and bilingual(err)
    assert _node(link) == before and _node(Path("/dev/null")) == null
    assert not list(Path("/dev").glob(".null.*"))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_schedules_part_files_never_follow_a_planted_symlink(tmp_path, capsys, suffix):
    book = tmp_path / "book.csv"
    book.write_text("portfolio_id,name,balance,apr,min_payment,budget\np1,A,1000,18,100,500\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    for name in (f".sched{suffix}.0.part", f".sched{suffix}.joined.part"):  # the old fixed names
        (tmp_path / name).symlink_to(victim)
    code, _, err = run(capsys, "batch", book, "--out", tmp_path / "r.csv", "--schedules", tmp_path / f"sched{suffix}")
    assert code == 0, err
    assert victim.read_text("utf-8") == "keep me"
    assert (tmp_path / f"sched{suffix}").stat().st_size > 0



def test_atomic_write_without_replace_refuses_a_file_already_there_and_leaves_no_temporary(tmp_path):
    """``replace=False`` (the calendar and the claim letter): a new file is written, an existing one is
    refused with the given message and left as it was, and no temporary file stays behind."""
    from planner.errors import PlannerError
    from planner.io import atomic_write_bytes

    target = tmp_path / "new.txt"
    assert atomic_write_bytes(target, b"first", replace=False) == target and target.read_bytes() == b"first"
    refusal = PlannerError("io.export.exists", target=target, file=str(target))
    with pytest.raises(PlannerError) as caught:
        atomic_write_bytes(target, b"second", replace=False, exists=refusal)
    assert caught.value is refusal and target.read_bytes() == b"first"
    with pytest.raises(PlannerError) as caught:
        atomic_write_bytes(target, b"third", replace=False)
    assert caught.value.key == "io.export.exists" and "new.txt" in caught.value.en
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt"]
