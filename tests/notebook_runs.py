"""The notebooks executed once per language from a fresh kernel, shared by the tests that read their outputs."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
#: the parameter every notebook's first code cell sets
_LANG = re.compile(r'^LANG = "(zh|en)"', re.MULTILINE)
#: a cell that draws a chart: ``charts.<function>(``
CHART_CALL = re.compile(r"\bcharts\.[a-z_]+\(")


def with_language(nb, lang: str):
    """The notebook with its ``LANG`` parameter set to ``lang`` (the notebooks default to Chinese)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and _LANG.search(cell.source):
            cell.source = _LANG.sub(f'LANG = "{lang}"', cell.source)
            return nb
    raise AssertionError("no LANG parameter in the notebook")


@cache
def executed(path: Path, lang: str = "zh"):
    """``path`` run top to bottom in a fresh kernel with ``LANG = lang``: the notebook with its outputs."""
    nb = with_language(nbformat.read(path, as_version=4), lang)
    # the kernel imports this checkout's planner (a worktree's, not the one installed in the environment)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOKS.parent), os.environ.get("PYTHONPATH")]))}
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute(env=env)
    return nb


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]
