"""Every notebook runs top to bottom from a fresh kernel; key numbers are checked with nbval.

nbclient raises ``CellExecutionError`` on the first failing cell, so a broken
notebook fails its test. Cells marked ``# NBVAL_CHECK_OUTPUT`` keep their
small text output in the committed notebook and ``pytest --nbval-lax``
compares it with a fresh run (the numbers are also in the README and the
CLI's output for the same sample).
"""

import os
import subprocess
import sys

import nbformat
import pytest

from tests.notebook_runs import ALL, CHART_CALL, NOTEBOOKS, code_cells, executed
import json
import re
from pathlib import Path
from tests.cli_helpers import ROOT

CHECK = "# NBVAL_CHECK_OUTPUT"

pytestmark = pytest.mark.slow
#: the notebooks' kernels import this checkout's planner (a worktree's, not the one installed in the environment)
_THIS_PLANNER = {"PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOKS.parent), os.environ.get("PYTHONPATH")]))}


def test_the_notebooks_exist():
    assert [p.name for p in ALL] == [
        "01_load_and_check.ipynb",
        "02_compare_strategies.ipynb",
        "03_negotiation.ipynb",
        "04_counsellor_session.ipynb",
        "05_follow_up.ipynb",
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_runs_from_a_fresh_kernel(path, lang):
    nb = executed(path, lang)
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []


_PICTURE = {"image/png", "application/vnd.jupyter.widget-view+json"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_chart_cell_shows_a_picture(path, lang):
    # In a fresh kernel only the first chart used to be shown: the others left no output at all.
    nb = executed(path, lang)
    blank = [
        cell.source for cell in code_cells(nb)
        if CHART_CALL.search(cell.source) and not any(_PICTURE & set(o.get("data", {})) for o in cell.outputs)
    ]
    assert blank == []


def test_the_chart_cells_are_found():
    # the check above looks at these cells (so it cannot pass by finding none)
    found = {p.stem: sum(bool(CHART_CALL.search(c.source)) for c in code_cells(nbformat.read(p, as_version=4))) for p in ALL}
    assert found["02_compare_strategies"] == 4 and found["03_negotiation"] == 2


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_is_stored_thin_and_without_noisy_output(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert len(cell.source.splitlines()) <= 12, "a notebook cell this long belongs in planner/"
        if cell.source.startswith(CHECK):
            assert cell.outputs, "a checked cell keeps its expected output"
            assert all(o.output_type == "stream" for o in cell.outputs)
        else:
            assert cell.outputs == [], "outputs are stored only for checked cells"


def test_checked_numbers_with_nbval_lax():
    checked = [p for p in ALL if CHECK in p.read_text("utf-8")]
    assert len(checked) >= 3
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **_THIS_PLANNER}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-o", "addopts=", "-q", *map(str, checked)],
        capture_output=True, text=True, timeout=900, env=env, cwd=NOTEBOOKS.parent,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_nbval_would_catch_a_changed_number():
    # The check above can fail: the same notebook with one expected number changed does.
    source = NOTEBOOKS / "02_compare_strategies.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(CHECK))
    cell.outputs[0]["text"] = cell.outputs[0]["text"].replace("14394.23", "14394.24")
    target = NOTEBOOKS / "_tmp_changed_number.ipynb"
    nbformat.write(nb, target)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-o", "addopts=", "-q", str(target)],
            capture_output=True, text=True, timeout=600, cwd=NOTEBOOKS.parent, env={**os.environ, **_THIS_PLANNER},
        )
    finally:
        target.unlink()
    assert run.returncode != 0 and "14394.2" in run.stdout


# ---------------------------------------------------------------------------
# The servers that show the notebooks: 127.0.0.1, a token; the dashboard self-contained (issue 23)


def _recipe(target: str) -> str:
    done = subprocess.run(["make", "-n", "-W", "pyproject.toml", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stdout.splitlines() if ("jupyter lab" in line or "voila" in line) and "pip" not in line]
    assert lines, done.stdout + done.stderr
    return lines[-1]


@pytest.mark.slow
def test_make_lab_prints_the_address_with_its_real_token_and_binds_localhost():
    """Issue 23, item 15: ``make lab`` printed ``?token=...`` literally; the address it prints must open."""
    import signal
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    venv = Path(sys.prefix)  # the environment running the tests (.venv, or .venv-latest for make test-latest)
    proc = subprocess.Popen(
        ["make", "-s", "-o", str(venv / ".installed"), "lab", f"VENV={venv}", f"LAB_PORT={port}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        first = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]{48})\b", first)
        assert found and int(found.group(1)) == port, first
        token = found.group(2)
        status = f"http://127.0.0.1:{port}/api/status"
        deadline = time.time() + 90
        while True:
            try:
                assert urllib.request.urlopen(f"{status}?token={token}", timeout=2).status == 200  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.time() < deadline, first + proc.stdout.read()
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(status, timeout=5)  # noqa: S310 - no token: refused
        assert refused.value.code == 403
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
        assert not listening or all(" 127.0.0.1:" in line for line in listening.splitlines()), listening
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_make_dashboard_uses_the_private_self_contained_config():
    line = _recipe("dashboard")
    assert "JUPYTER_PATH=" in line and "share/jupyter" in line and "0.0.0.0" not in line
    config = json.loads((ROOT / "voila.json").read_text("utf-8"))
    assert config["Voila"]["ip"] == "127.0.0.1" and config["Voila"]["auto_token"] is True
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0
    template = ROOT / "share" / "jupyter" / "voila" / "templates" / config["VoilaConfiguration"]["template"]
    page = (template / "index.html.j2").read_text("utf-8")
    assert not re.search(r"https?://", page.split("The issue for Jinja is")[0]), "a CDN link in the dashboard template"

