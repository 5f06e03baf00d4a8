"""Notebook 03 in Voila at a laptop's width: every control of the negotiation grid can be reached.

Like tests/widgets/test_browser.py: Debian's Chromium through Playwright's Python API,
skipped only when /usr/bin/chromium is absent.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
#: JupyterLab's notebook output area at a 1280 px browser width
OUTPUT_WIDTH = 968

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make test does)"),
]


@pytest.fixture(scope="module")
def negotiation_page(tmp_path_factory):
    """Voila serving notebook 03 (the project's own planner on the path), with a token we know."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    handle = open(log, "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "JUPYTER_PATH": str(ROOT / "share" / "jupyter"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), "notebooks/03_negotiation.ipynb", f"--port={port}", "--no-browser",
         f"--Voila.token={token}"],
        cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}/?token={token}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"voila did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    handle.close()


_EXTENT = """() => {
    const grid = document.querySelector('.planner-asks');
    const controls = [...grid.querySelectorAll('input, .noUi-target, .widget-readout')];
    return {left: grid.getBoundingClientRect().left, count: controls.length,
            right: Math.max(...controls.map(e => e.getBoundingClientRect().right)),
            hidden: controls.filter(e => e.getBoundingClientRect().width === 0).length};
}"""


def test_every_negotiation_control_fits_a_968_px_output_in_both_languages(negotiation_page, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(negotiation_page, timeout=120_000)
            grid = page.locator(".planner-asks").first
            grid.wait_for(state="visible", timeout=120_000)
            for lang, header in (("zh", "一次性结清"), ("en", "Settle")):
                if lang == "en":
                    page.get_by_role("button", name="English").first.click()
                grid.get_by_text(header).wait_for(timeout=60_000)
                extent = page.evaluate(_EXTENT)
                # 8 debts × (2 month boxes, a rate slider and its readout, 4 ticks, a share slider and readout, a month box)
                assert extent["count"] >= 8 * 8 and extent["hidden"] == 0
                assert extent["right"] - extent["left"] <= OUTPUT_WIDTH, extent
                grid.screenshot(path=str(tmp_path / f"asks_{lang}.png"))
        finally:
            browser.close()
