"""What the browser tests share: Debian's Chromium through Playwright, servers on 127.0.0.1.

``playwright install`` is never needed: the tests launch the system's Chromium (the one
``scripts/install-system-deps.sh`` installs, or ``PLANNER_CHROMIUM``) with the same flags as
the PDF reports. A test module marks itself with :data:`MARKS`, so it is skipped, with the
reason, only when there is no Chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from planner.report.model import chromium_args, chromium_path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = chromium_path()
ARGS = chromium_args()
MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make test does)"),
]

# Interactive controls whose right edge lies beyond the page, whose container clips them (an
# output area is narrower than the page), or whose text is cut off: what a person cannot reach or read.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('.jupyter-widgets button, .jupyter-widgets input, .jupyter-widgets select, .jupyter-widgets textarea, .widget-slider')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const label = (el.innerText || el.value || el.placeholder || el.className).toString().slice(0, 40);
    if (box.right > width + 1) out.push('beyond the page: ' + label);
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== 'visible' && box.right > up.getBoundingClientRect().right + 1) {
        out.push('cut off by its container: ' + label);
        break;
      }
    }
    if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) out.push('text cut off: ' + label);
  }
  return out;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(proc: subprocess.Popen, url: str, log: Path, what: str, seconds: float = 90) -> None:
    """Wait until ``url`` answers; fail the test with the end of ``log`` if ``proc`` dies or time runs out."""
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"{what} did not start on {url.split('?')[0]}:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def page_at(url: str, width: int = 1280, height: int = 800):
    """Headless Chromium showing ``url`` in a window of a laptop's size: the page, closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, timeout=120_000)
            yield page
        finally:
            browser.close()
