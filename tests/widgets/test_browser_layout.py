"""Notebook 03 in Voila at a laptop's width: every control of the negotiation grid can be reached.

Like tests/widgets/test_browser.py: Debian's Chromium through Playwright's Python API,
skipped only when /usr/bin/chromium is absent.
"""

import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.widgets.browsing import MARKS, ROOT, free_port, page_at, stop, wait_until_serving

#: JupyterLab's notebook output area at a 1280 px browser width with the file browser open (as it opens)
OUTPUT_WIDTH = 848

pytestmark = MARKS


@contextmanager
def voila(notebook: str):
    """Voila serving ``notebook`` (this checkout's planner on the path), with a token we know: its URL."""
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "voila.log"
        env = {**os.environ, "JUPYTER_PATH": str(ROOT / "share" / "jupyter"), "PYTHONPATH": str(ROOT)}
        with open(log, "wb") as handle:
            proc = subprocess.Popen(
                [str(Path(sys.executable).with_name("voila")), f"notebooks/{notebook}", f"--port={port}", "--no-browser",
                 f"--Voila.token={token}"],
                cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env,
            )
            try:
                url = f"http://127.0.0.1:{port}/?token={token}"
                wait_until_serving(proc, url, log, "voila")
                yield url
            finally:
                stop(proc)


@pytest.fixture(scope="module")
def negotiation_page():
    with voila("03_negotiation.ipynb") as url:
        yield url


@pytest.fixture(scope="module")
def strategy_page():
    with voila("02_compare_strategies.ipynb") as url:
        yield url


_EXTENT = """() => {
    const grid = document.querySelector('.planner-asks');
    const controls = [...grid.querySelectorAll('input, select, .noUi-target, .widget-readout')];
    return {left: grid.getBoundingClientRect().left, count: controls.length,
            right: Math.max(...controls.map(e => e.getBoundingClientRect().right)),
            hidden: controls.filter(e => e.getBoundingClientRect().width === 0).length};
}"""


def test_every_negotiation_control_fits_a_laptops_output_in_both_languages(negotiation_page, tmp_path):
    with page_at(negotiation_page) as page:
        grid = page.locator(".planner-asks").first
        grid.wait_for(state="visible", timeout=120_000)
        for lang, header in (("zh", "一次性结清"), ("en", "Settle")):
            if lang == "en":
                page.get_by_role("button", name="English").first.click()
            grid.get_by_text(header).wait_for(timeout=60_000)
            extent = page.evaluate(_EXTENT)
            # 8 debts × (2 month boxes, a rate slider and its readout, 4 ticks, a share slider and readout, a month menu)
            assert extent["count"] >= 8 * 11 and extent["hidden"] == 0
            assert extent["right"] - extent["left"] <= OUTPUT_WIDTH, extent
            grid.screenshot(path=str(tmp_path / f"asks_{lang}.png"))


def test_a_budget_typed_below_the_minimums_is_kept_and_its_shortfall_shown(strategy_page):
    # Typed into the slider's box, ¥3,000 was raised to the slider's floor (¥5,600) without a word.
    with page_at(strategy_page) as page:
        readout = page.locator(".planner-budget .widget-readout").first
        readout.wait_for(state="visible", timeout=120_000)
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("3000")
        page.keyboard.press("Enter")
        shortfall = page.locator(".planner-shortfall").first
        shortfall.wait_for(timeout=60_000)
        assert "¥3,000.00" in shortfall.inner_text() and "还差 ¥2,565.01" in shortfall.inner_text()
        assert readout.inner_text().replace(",", "").strip() == "3000"
        # the summary is another widget: its new text may arrive a moment after the shortfall's
        page.wait_for_function("() => document.querySelector('.planner-summary').innerText.includes('✓')", timeout=60_000)
