"""Response as a person sees it: a slider moved in Chromium until the new chart is on the page.

Voila serves notebooks 02 (strategy explorer) and 03 (negotiation explorer) as the
dashboard does (127.0.0.1, a token); headless Chromium (Debian's, through Playwright)
moves the budget slider (the page's first) one step with the keyboard, and a MutationObserver in the page
notes the moment the chart's picture changes. That span is the whole loop a counsellor
waits for: the browser sends the value, the kernel plans and draws, the PNG comes back
and the browser swaps it in. Then the language toggle: click "English" until the
page's texts are English.

Goals (issue 23): median slider -> chart at most 100 ms for both explorers, a language
switch at most 1 s. Figures go to docs/performance.md, never into tests.

    python benchmarks/bench_browser.py            # 30 slider steps per explorer, 3 language switches
    python benchmarks/bench_browser.py --quick    # 10 and 1
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
GOALS_MS = {"slider": 100, "language": 1000}

# One slider step: press the right arrow on the handle, resolve when the chart's picture changes.
_STEP = """async () => {
  const pictures = () => Array.from(document.querySelectorAll('img')).map(i => i.src).join('|');
  const before = pictures();
  const handle = document.querySelector('.widget-slider .noUi-handle');
  const t0 = performance.now();
  const changed = new Promise(resolve => {
    const obs = new MutationObserver(() => { if (pictures() !== before) { obs.disconnect(); resolve(performance.now()); } });
    obs.observe(document.body, {attributes: true, subtree: true, childList: true, attributeFilter: ['src']});
  });
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', keyCode: 39, bubbles: true}));
  const t1 = await changed;
  return t1 - t0;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _voila(notebook: str):
    port, token = _free_port(), secrets.token_hex(16)
    voila = Path(sys.executable).with_name("voila")
    proc = subprocess.Popen(
        [str(voila), f"notebooks/{notebook}", f"--port={port}", "--no-browser", f"--Voila.token={token}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_PATH": str(ROOT / "share" / "jupyter")},
    )
    url = f"http://127.0.0.1:{port}/?token={token}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"voila did not start for {notebook}")


def measure(browser, notebook: str, steps: int, switches: int) -> dict[str, list[float]]:
    proc, url = _voila(notebook)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url, timeout=180_000)
        page.wait_for_function(
            "() => { const s = document.querySelector('.widget-slider .noUi-handle');"
            " return s && s.getBoundingClientRect().width > 0 && document.querySelector('img'); }",
            timeout=180_000, polling=500,
        )
        page.wait_for_timeout(2000)
        for _ in range(3):  # warm-up: first drawings load fonts and caches
            page.evaluate(_STEP)
            page.wait_for_timeout(200)
        slider = []
        for _ in range(steps):
            slider.append(page.evaluate(_STEP))
            page.wait_for_timeout(150)  # a person's next move, not a queue of them
        language = []
        for k in range(switches):
            target, other = ("English", "中文") if k % 2 == 0 else ("中文", "English")
            t0 = time.perf_counter()
            page.get_by_role("button", name=target).first.click()
            marker = "Monthly budget" if target == "English" else "每月预算"
            page.get_by_text(marker).first.wait_for(timeout=30_000)
            language.append((time.perf_counter() - t0) * 1000)
            page.wait_for_timeout(500)
        page.close()
        return {"slider": slider, "language": language}
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 slider steps and 1 language switch per explorer")
    args = parser.parse_args(argv)
    steps, switches = (10, 1) if args.quick else (30, 3)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for label, notebook in (("strategy explorer", "02_compare_strategies.ipynb"),
                                    ("negotiation explorer", "03_negotiation.ipynb")):
                got = measure(browser, notebook, steps, switches)
                for what, values in got.items():
                    if values:
                        rows.append((label, what, statistics.median(values), min(values), max(values), len(values)))
        finally:
            browser.close()
    print(f"{'explorer':<22} {'what':<9} {'median ms':>10} {'min':>8} {'max':>8} {'n':>4}  goal")
    for label, what, median, low, high, n in rows:
        goal = GOALS_MS[what]
        verdict = "met" if median <= goal else "MISSED"
        print(f"{label:<22} {what:<9} {median:>10.0f} {low:>8.0f} {high:>8.0f} {n:>4}  <= {goal} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
