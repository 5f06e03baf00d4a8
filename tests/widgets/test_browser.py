"""The dashboard in a real browser: Voila serves the counsellor notebook, headless Chromium moves the slider.

Uses Debian's Chromium (installed by ``scripts/install-system-deps.sh``, run
by ``make test``) through Playwright's Python API; ``playwright install`` is
never needed. Skipped, with the reason, only when /usr/bin/chromium is absent.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.widgets.browsing import ARGS, CHROMIUM, CUT_OFF, MARKS, ROOT, free_port, page_at, stop, wait_until_serving

# Screenshots go to the test's temporary directory; PLANNER_SCREENSHOTS=docs refreshes the README's.
SCREENSHOTS_ENV = "PLANNER_SCREENSHOTS"

pytestmark = MARKS


class Dashboard(str):
    """The dashboard's URL with its token; ``.bare`` without it, ``.log`` what Voila printed."""

    bare: str
    log: Path


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """Voila started as ``make dashboard`` starts it: from the project folder (so voila.json applies,
    127.0.0.1, a token, the self-contained template, idle-kernel culling), with a token we know."""
    import secrets

    port = free_port()
    token = secrets.token_hex(16)
    voila = Path(sys.executable).with_name("voila")
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    handle = open(log, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(voila), "notebooks/04_counsellor_session.ipynb", f"--port={port}", "--no-browser", f"--Voila.token={token}"],
        cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_PATH": str(ROOT / "share" / "jupyter")},
    )
    bare = f"http://127.0.0.1:{port}/"
    url = Dashboard(f"{bare}?token={token}")
    url.bare, url.log = bare, log
    wait_until_serving(proc, url, log, "voila")
    yield url
    stop(proc)
    handle.close()


def _debt_free_with(budget):
    import warnings

    from planner import load_debts, plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        debts = load_debts(ROOT / "sample_data" / "debts_zh.csv")
    return plan(debts, budget, start="2026-12").debt_free


def _chart_src(page):
    return page.locator(".planner-session img").first.get_attribute("src")


def test_budget_slider_moves_summary_and_chart(dashboard, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(dashboard, timeout=120_000)
            slider = page.locator(".planner-budget")
            slider.wait_for(state="visible", timeout=120_000)
            summary = page.locator(".planner-summary").first
            summary.wait_for(timeout=60_000)
            before_text = summary.inner_text()
            before_src = _chart_src(page)
            assert "2028-03" in before_text  # ¥6,000 a month: debt-free 2028-03 (notebook 02's checked output)

            handle = slider.locator(".noUi-handle")
            handle.focus()
            for _ in range(40):  # 40 steps of ¥50: ¥8,000 a month
                handle.press("ArrowRight")
            # ¥6,000 + 40 × ¥50 = ¥8,000 a month; the core says when that is debt-free
            expected = _debt_free_with(8000)
            page.wait_for_function(
                "want => document.querySelector('.planner-summary').innerText.includes(want)",
                arg=f"还清时间：{expected}", timeout=60_000,
            )
            page.wait_for_function(
                "before => document.querySelector('.planner-session img').getAttribute('src') !== before",
                arg=before_src, timeout=60_000,
            )
            assert summary.inner_text() != before_text
            assert _chart_src(page) != before_src
            shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "dashboard_zh.png"), full_page=False)
            assert (shots / "dashboard_zh.png").stat().st_size > 10_000

            # the language toggle switches every part of the session
            page.get_by_role("button", name="English").click()
            page.get_by_text("Counselling session: a way out").wait_for(timeout=60_000)
            page.get_by_text("Monthly budget").first.wait_for(timeout=60_000)
            page.screenshot(path=str(shots / "dashboard_en.png"), full_page=False)
        finally:
            browser.close()


def test_dashboard_is_self_contained_private_and_culls_idle_kernels(dashboard):
    """Issue 11, item 24: no CDN request (Font Awesome), no console error, a token, 127.0.0.1, culling."""
    import urllib.error
    import urllib.request

    from playwright.sync_api import sync_playwright

    # without the token the notebook is not served: a refusal or the login page
    try:
        response = urllib.request.urlopen(dashboard.bare, timeout=10)  # noqa: S310
    except urllib.error.HTTPError as refused:
        assert refused.code in (401, 403)
    else:
        body = response.read().decode("utf-8", "replace")
        assert "/login" in response.geturl() and "04_counsellor_session" not in body and "planner" not in body
    outside, errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
            page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(dashboard, timeout=120_000)
            page.locator(".planner-budget").wait_for(state="visible", timeout=120_000)
            page.wait_for_timeout(2000)
        finally:
            browser.close()
    assert outside == [], f"the dashboard asked outside servers for {outside}"
    assert errors == [], errors
    log = dashboard.log.read_text(errors="replace")
    assert "Culling kernels with idle durations" in log
    assert "0.0.0.0" not in log and "127.0.0.1" in log


@pytest.mark.parametrize("lang_button", ["中文", "English"])
def test_no_control_of_the_dashboard_is_cut_off_on_a_laptop(dashboard, lang_button, tmp_path):
    """Issue 23, items 4 and 9: at 1280x800 every control can be reached and every button reads whole."""
    with page_at(dashboard) as page:
        page.locator(".planner-budget").wait_for(state="visible", timeout=120_000)
        page.locator(".planner-summary").first.wait_for(timeout=60_000)
        page.get_by_role("button", name=lang_button).first.click()
        page.wait_for_timeout(1500)
        cut = page.evaluate(CUT_OFF)
        page.screenshot(path=str(tmp_path / f"dashboard_1280_{lang_button}.png"), full_page=True)
    assert cut == [], cut
