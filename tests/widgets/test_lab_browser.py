"""Every notebook as a person opens it: JupyterLab in headless Chromium, a fresh kernel, Run All.

What a newcomer found (issue 23): charts that never appeared after the first one, while
every nbclient test passed. So this suite looks at the page, not at the stored JSON:
JupyterLab (started as ``make lab`` starts it: 127.0.0.1 and a token) serves a copy of
``notebooks/`` and ``sample_data/`` in a temporary folder (so nothing is ever saved into
the project), each notebook runs top to bottom in a new kernel, and then

- no cell ends in an error;
- every cell that draws a chart, or shows a widget that holds one, shows an image that
  the browser decoded (``naturalWidth > 0``) in its output area;
- at 1280 px no control sticks out of the page (nothing a counsellor cannot reach).

Uses Debian's Chromium through Playwright's Python API, as ``test_browser.py`` does.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.widgets.browsing import ARGS, CHROMIUM, CUT_OFF, MARKS, ROOT, free_port, stop, wait_until_serving

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
# a cell draws a chart when it calls planner.charts, or shows a widget that draws one
CHART_CELL = re.compile(r"\bcharts\.\w+\(|\b(StrategyExplorer|NegotiationExplorer|CounsellorSession)\(")

pytestmark = MARKS


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the notebooks, with a token, the app exposed to the page's scripts."""
    import secrets

    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "sample_data", home / "sample_data")
    reports = home / "reports"
    port, token = free_port(), secrets.token_hex(16)
    log = home / "lab.log"
    handle = open(log, "wb")  # noqa: SIM115 - closed below
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {**os.environ, "JUPYTER_TOKEN": token, "PLANNER_REPORTS_DIR": str(reports),
           "PLANNER_CASEBOOK": str(home / "book" / "casebook.sqlite"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    args = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={home / 'notebooks'}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    proc = subprocess.Popen(args, cwd=home, stdout=handle, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(proc, f"{base}/api/status?token={token}", log, "JupyterLab")
    yield {"base": base, "token": token, "home": home, "reports": reports}
    stop(proc)
    handle.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


# The notebook panel's model, read through the app that --LabApp.expose_app_in_browser puts on window.
_CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets;
  return cells.map((cell, i) => {
    const model = cell.model.toJSON();
    const imgs = Array.from(cell.node.querySelectorAll('.jp-OutputArea img'))
      .filter(img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0);
    return {
      index: i, type: model.cell_type, count: model.execution_count ?? null,
      errors: (model.outputs || []).filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
      images: imgs.length,
    };
  });
}"""

_RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""

_IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = panel.content.widgets.filter(c => c.model.type === 'code');
  return kernel && kernel.status === 'idle' && code.every(c => c.model.executionCount !== null);
}"""

def _open_and_run(lab, browser, name):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{lab['base']}/lab/tree/{name}?token={lab['token']}&reset", timeout=120_000)
    page.wait_for_function(
        "name => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.context && window.jupyterapp.shell.currentWidget.context.path.endsWith(name)",
        arg=name, timeout=120_000,
    )
    page.evaluate(_RUN_ALL)
    page.wait_for_function(_IDLE, timeout=300_000, polling=500)
    page.wait_for_timeout(1500)  # images arrive with the last messages
    return page


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_and_every_chart_shows(lab, browser, name, tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    chart_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and CHART_CELL.search(c.source)]
    page = _open_and_run(lab, browser, name)
    try:
        cells = page.evaluate(_CELLS)
        errors = [(c["index"], c["errors"]) for c in cells if c["errors"]]
        assert errors == [], f"{name}: cells ended in errors {errors}"
        # scroll each chart cell into view (JupyterLab renders what is near the viewport) and look
        blank = []
        for i in chart_cells:
            cell = page.locator(".jp-Notebook .jp-Cell").nth(i)
            cell.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            shown = page.evaluate(_CELLS)[i]["images"]
            if not shown:
                blank.append((i, nb.cells[i].source.splitlines()[-1]))
        assert blank == [], f"{name}: chart cells that show no picture: {blank}"
        cut = page.evaluate(CUT_OFF)
        assert cut == [], f"{name} at 1280 px: {cut}"
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    finally:
        page.close()
    # nothing was written into the project's notebooks by running them
    assert not list((ROOT / "notebooks").glob("*.html")) and not list((ROOT / "notebooks").glob("*.pdf"))


def _month_after(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def test_a_payment_recorded_in_notebook_05_moves_the_case_on(lab, browser):
    """A counsellor records this month's payments (the plan's amounts, one changed) in the follow-up widget."""
    page = _open_and_run(lab, browser, "05_follow_up.ipynb")
    try:
        widget = page.locator(".planner-follow-up").first
        widget.scroll_into_view_if_needed()
        month_input = widget.locator(".widget-text", has_text="月份").locator("input").first
        month = month_input.input_value()
        assert re.fullmatch(r"\d{4}-\d{2}", month), month
        # one box per open debt, pre-filled with what the plan pays it this month
        row = widget.locator(".widget-hbox", has=page.locator(".widget-label", has_text="借呗")).last
        amount = row.locator("input").first
        assert float(amount.input_value()) > 0
        amount.fill("100.00")
        amount.press("Enter")
        widget.get_by_role("button", name="记录").first.click()
        page.wait_for_function(
            "() => document.querySelector('.planner-follow-up').innerText.includes('已记录')", timeout=60_000)
        # the widget moves on to the next month, ready for the next visit
        page.wait_for_function(
            "want => Array.from(document.querySelectorAll('.planner-follow-up .widget-text input')).some(i => i.value === want)",
            arg=_month_after(month), timeout=60_000,
        )
    finally:
        page.close()


def _notebook_settings(name: str) -> dict[str, str]:
    """The first code cell's NAME = value lines (DEBTS, START, BUDGET ...), as the notebook sets them."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    return {k: v.strip().strip("\"'") for k, v in re.findall(r"^(\w+)\s*=\s*([^#\n]+)", first.source, flags=re.M)}


def test_strategy_and_language_in_notebook_02_change_what_is_shown(lab, browser):
    """Switch the strategy: the summary shows that strategy's debt-free month as the core plans it; then English."""
    import warnings

    from planner import load_debts, plan

    settings = _notebook_settings("02_compare_strategies.ipynb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        debts = load_debts(ROOT / "sample_data" / "debts_zh.csv")
    snowball = plan(debts, int(settings["BUDGET"]), strategy="snowball", start=settings["START"]).debt_free
    page = _open_and_run(lab, browser, "02_compare_strategies.ipynb")
    try:
        explorer = page.locator(".jp-Cell").filter(has=page.locator(".planner-budget")).first
        explorer.scroll_into_view_if_needed()
        picture = explorer.locator(".jp-OutputArea img").first.get_attribute("src")
        menu = explorer.locator("select").filter(has=page.locator("option", has_text="雪球法")).first
        labels = menu.evaluate("select => Array.from(select.options).map(o => o.label || o.textContent)")
        menu.select_option(label=next(label for label in labels if label.strip().startswith("雪球法")))
        page.wait_for_function(
            "want => Array.from(document.querySelectorAll('.planner-summary')).some(s => s.innerText.includes(want))",
            arg=f"还清时间：{snowball}", timeout=60_000,
        )
        page.wait_for_function(
            "before => Array.from(document.querySelectorAll('.planner-budget')).length"
            " && document.querySelector('.jp-OutputArea img').getAttribute('src') !== before",
            arg=picture, timeout=60_000,
        )
        explorer.get_by_role("button", name="English").first.click()
        explorer.get_by_text("Monthly budget").first.wait_for(timeout=60_000)
        # the summary's new text comes after the relabelled controls and the redrawn chart
        explorer.locator(".planner-summary", has_text="Debt-free").first.wait_for(timeout=60_000)
        assert "还清时间" not in explorer.locator(".planner-summary").first.inner_text()
    finally:
        page.close()


def test_an_ask_ticked_in_notebook_03_changes_the_savings_shown(lab, browser):
    page = _open_and_run(lab, browser, "03_negotiation.ipynb")
    try:
        explorer = page.locator(".jp-Cell").filter(has=page.locator(".planner-asks")).first
        explorer.scroll_into_view_if_needed()
        summary = explorer.locator(".planner-summary").first
        before = summary.inner_text()
        unticked = explorer.locator(".planner-asks input[type=checkbox]:not(:checked)").first
        unticked.check()
        page.wait_for_function(
            "before => { const s = document.querySelector('.planner-asks').closest('.jp-Cell').querySelector('.planner-summary');"
            " return s && s.innerText !== before; }",
            arg=before, timeout=60_000,
        )
        assert "¥" in summary.inner_text()
    finally:
        page.close()
