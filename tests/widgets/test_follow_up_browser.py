"""Notebook 05 in a real browser (Voila, Debian's Chromium): nothing cut off in a 968 px output,
and a document written by the widget comes with a download link the browser follows."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.widgets.browsing import ARGS, CHROMIUM, MARKS, ROOT, free_port, stop, wait_until_serving

pytestmark = MARKS


@pytest.fixture(scope="module")
def follow_up_app(tmp_path_factory):
    """Notebook 05 served by Voila (the project's template), its reports in a temporary folder."""
    port = free_port()
    token = secrets.token_hex(16)
    reports = tmp_path_factory.mktemp("reports")
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    handle = open(log, "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "JUPYTER_PATH": str(ROOT / "share" / "jupyter"), "PLANNER_REPORTS_DIR": str(reports),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), "notebooks/05_follow_up.ipynb", f"--port={port}", "--no-browser", f"--Voila.token={token}"],
        cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}/?token={token}"
    wait_until_serving(proc, url, log, "voila")
    yield url
    stop(proc)
    handle.close()


def test_nothing_is_cut_off_and_a_written_report_can_be_downloaded(follow_up_app, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # 968 px is JupyterLab's output area on a laptop; Voila's page is as wide as the window
            page = browser.new_page(viewport={"width": 1000, "height": 900}, accept_downloads=True)
            page.goto(follow_up_app, timeout=120_000)
            app = page.locator(".planner-follow-up")
            app.wait_for(state="visible", timeout=120_000)
            for lang in ("中文", "English"):
                page.locator(".widget-toggle-button", has_text=lang).first.click()
                page.wait_for_timeout(1500)
                cut = page.evaluate("""() => {
                    const box = document.querySelector('.planner-follow-up').getBoundingClientRect();
                    return [...document.querySelectorAll('.planner-follow-up .widget-button, .planner-follow-up .widget-text,'
                        + ' .planner-follow-up .widget-dropdown, .planner-follow-up .widget-checkbox')]
                        .filter(e => e.offsetParent !== null)
                        .filter(e => { const r = e.getBoundingClientRect(); return r.right > box.right + 1 || r.right > window.innerWidth; })
                        .map(e => e.innerText || e.querySelector('label')?.innerText || e.className); }""")
                assert cut == [], f"cut off in {lang}: {cut}"
                buttons = page.evaluate("""() => [...document.querySelectorAll('.planner-follow-up .widget-button')]
                    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1).map(b => b.innerText)""")
                assert buttons == [], f"a button's text is cut off in {lang}: {buttons}"
            page.locator(".widget-button", has_text="Follow-up report").first.click()
            link = page.locator(".planner-follow-up a[download]").first
            link.wait_for(timeout=60_000)
            assert "Saved:" in page.locator(".planner-follow-up").inner_text()
            with page.expect_download(timeout=60_000) as info:
                link.click()
            download = info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert download.suggested_filename.endswith(".html") and "follow-up" in download.suggested_filename
            assert "Follow-up: where you stand" in saved.read_text("utf-8")
        finally:
            browser.close()
