"""What the dashboard (notebook 04 under Voila, ``make dashboard``) shows before any widget:
no notes meant for whoever edits the notebook (issue 23, item 12)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from test_browser import CHROMIUM, dashboard  # noqa: F401 - the fixture: Voila started as make dashboard starts it

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER_WORDS = ("make dashboard", "Voila", "8866", "notebook", "笔记本")


def test_developer_notes_are_tagged_so_the_app_leaves_them_out():
    nb = json.loads((ROOT / "notebooks" / "04_counsellor_session.ipynb").read_text("utf-8"))
    shown = [c for c in nb["cells"] if c["cell_type"] == "markdown" and "developer" not in c["metadata"].get("tags", [])]
    for cell in shown:
        text = "".join(cell["source"])
        assert not any(word in text for word in DEVELOPER_WORDS), text
    template = (ROOT / "share" / "jupyter" / "voila" / "templates" / "planner" / "index.html.j2").read_text("utf-8")
    assert '"developer" not in cell.metadata.get("tags", [])' in template


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="the dashboard tests run where the browser suite runs")
def test_the_dashboard_page_opens_without_developer_text(dashboard):  # noqa: F811
    page = urllib.request.urlopen(dashboard, timeout=120).read().decode("utf-8")  # noqa: S310 - our own local server
    assert "planner-session" in page or "application/vnd.jupyter.widget-view+json" in page  # the session was rendered
    assert "make dashboard" not in page and "用 make dashboard 打开" not in page
