"""Notebooks are committed without client data.

A notebook saved after a counselling session holds whatever was on screen: the
client's table of debts in an HTML output, charts as base64 PNGs, a path to their
file, and in the saved widget state every slider value, rendered table and even the
bytes of an uploaded file. So a committed notebook may keep only:

* outputs of cells marked ``# NBVAL_CHECK_OUTPUT``, and only small text (stream or
  text/plain) outputs; no images, HTML, widget views or errors;
* no saved widget state (``metadata.widgets``; nbclient writes it unless run with
  ``store_widget_state=False``), no cell attachments, no data: URIs;
* references to data files only inside ``sample_data/``, and no absolute or home paths.

An empty (or missing) notebooks/ folder passes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_DATA = (ROOT / "sample_data").resolve()
CHECK = "# NBVAL_CHECK_OUTPUT"
#: the largest stored output of a checked cell: a few lines of numbers, not a table of debts
MAX_OUTPUT_CHARS = 2000
_TEXT_OUTPUTS = {"stream", "execute_result"}
_DATA_FILE = re.compile(r"""["']([^"'\n]*\.(?:csv|tsv|xlsx?|parquet|pq|toml|json|txt|feather))["']""", re.IGNORECASE)
_ABSOLUTE = re.compile(r"""["'](?:/(?:home|Users|root|mnt|tmp|data|var)/|[A-Za-z]:\\\\|~/)""")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def problems_of(nb: dict, where: str = "notebook") -> list[str]:
    """Everything in a notebook (as JSON) that could carry data beyond the checked text outputs."""
    found = []
    metadata = nb.get("metadata", {})
    if metadata.get("widgets"):
        found.append(
            f"{where}: saved widget state in metadata.widgets ({len(json.dumps(metadata['widgets'])):,} chars: "
            "slider values, rendered tables, uploaded files). Save without it: nbclient with "
            "store_widget_state=False, or delete nb.metadata['widgets']."
        )
    for number, cell in enumerate(nb.get("cells", []), start=1):
        at = f"{where} cell {number}"
        source = _text(cell.get("source"))
        if cell.get("attachments"):
            found.append(f"{at}: has attachments (pasted images)")
        if "data:" in source and ";base64," in source:
            found.append(f"{at}: embeds a base64 data: URI")
        for match in _DATA_FILE.finditer(source):
            name = match.group(1)
            resolved = (NOTEBOOKS / name).resolve()
            if not resolved.is_relative_to(SAMPLE_DATA) or not resolved.exists():
                found.append(f"{at}: reads {name!r}, which is not a file in sample_data/")
        if _ABSOLUTE.search(source):
            found.append(f"{at}: an absolute or home path (someone's own files)")
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        checked = source.lstrip().startswith(CHECK)
        if outputs and not checked:
            kinds = sorted({o.get("output_type", "?") for o in outputs})
            found.append(f"{at}: stores outputs ({', '.join(kinds)}) but is not marked {CHECK}")
            continue
        for output in outputs:
            kind = output.get("output_type")
            if kind not in _TEXT_OUTPUTS:
                found.append(f"{at}: stores a {kind} output")
                continue
            data = output.get("data", {})
            extra = sorted(set(data) - {"text/plain"})
            if extra:
                found.append(f"{at}: stores {', '.join(extra)} (only text is kept)")
            text = _text(output.get("text")) + _text(data.get("text/plain"))
            if len(text) > MAX_OUTPUT_CHARS:
                found.append(f"{at}: stores {len(text):,} characters of output (limit {MAX_OUTPUT_CHARS})")
            if _ABSOLUTE.search(repr(text)) or re.search(r"(?:/home/|/Users/|C:\\)", text):
                found.append(f"{at}: its output shows an absolute path")
    return found


NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("**/*.ipynb")) if NOTEBOOKS.is_dir() else []
NOTEBOOK_FILES = [p for p in NOTEBOOK_FILES if ".ipynb_checkpoints" not in p.parts]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.name for p in NOTEBOOK_FILES])
def test_notebook_holds_no_client_data(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = problems_of(nb, path.name)
    assert found == [], "\n".join(found)


def test_no_stray_data_files_in_notebooks_folder():
    # a client's CSV dropped next to the notebooks would be committed with them
    if not NOTEBOOKS.is_dir():
        return
    stray = [p.name for p in NOTEBOOKS.rglob("*") if p.is_file() and p.suffix.lower() in {".csv", ".xlsx", ".xls", ".parquet", ".toml", ".pdf", ".png"}]
    assert stray == []


# ---------------------------------------------------------------------------
# the checker itself catches what it must (so the tests above can fail)


def _cell(source: str, outputs=()) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": list(outputs), "execution_count": 1}


_CLEAN = {
    "metadata": {"kernelspec": {"name": "python3"}},
    "cells": [
        {"cell_type": "markdown", "source": "# Plan", "metadata": {}},
        _cell('DEBTS = "../sample_data/debts_zh.csv"'),
        _cell(f"{CHECK}\nprint(p.months)", [{"output_type": "stream", "name": "stdout", "text": "37\n"}]),
    ],
}


def test_a_clean_notebook_passes():
    assert problems_of(_CLEAN) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda nb: nb["metadata"].update(widgets={"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}), "widget state"),
        (lambda nb: nb["cells"].append(_cell('DEBTS = "../clients/wang_li.csv"')), "not a file in sample_data"),
        (lambda nb: nb["cells"].append(_cell('DEBTS = "/home/counsellor/clients/wang.csv"')), "absolute or home path"),
        (lambda nb: nb["cells"].append(_cell("plot(p)", [{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}])), "not marked"),
        (lambda nb: nb["cells"].append(_cell(f"{CHECK}\nplot(p)", [{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}])), "display_data"),
        (lambda nb: nb["cells"].append(_cell(f"{CHECK}\np", [{"output_type": "execute_result", "data": {"text/plain": "x", "text/html": "<table>"}, "metadata": {}, "execution_count": 1}])), "text/html"),
        (lambda nb: nb["cells"].append(_cell(f"{CHECK}\nprint(table)", [{"output_type": "stream", "name": "stdout", "text": "王丽,招商银行,16800\n" * 200}])), "characters of output"),
        (lambda nb: nb["cells"].append({"cell_type": "markdown", "source": "![x](attachment:a.png)", "metadata": {}, "attachments": {"a.png": {"image/png": "iVBOR"}}}), "attachments"),
        (lambda nb: nb["cells"].append({"cell_type": "markdown", "source": "<img src='data:image/png;base64,iVBOR'>", "metadata": {}}), "base64"),
        (lambda nb: nb["cells"].append(_cell(f"{CHECK}\n1/0", [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "", "traceback": []}])), "error output"),
    ],
)
def test_the_checker_catches(change, expected):
    nb = json.loads(json.dumps(_CLEAN))
    change(nb)
    found = problems_of(nb)
    assert any(expected in f for f in found), found
