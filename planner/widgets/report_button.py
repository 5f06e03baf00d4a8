"""The counsellor notebook's one-button report export."""

from __future__ import annotations

from pathlib import Path

from ..errors import PlannerError
from ..report import build_report, text, write_report


def _state_value(state, key, default=None):
    if callable(state):
        state = state()
    if isinstance(state, dict):
        return state.get(key, default)
    return getattr(state, key, default)


#: Environment variable naming the folder where the report button writes by default.
REPORTS_DIR_ENV = "PLANNER_REPORTS_DIR"


def _project_root() -> Path | None:
    """The source tree this package runs from (an editable install or a checkout), if any."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").exists() or (here / ".git").exists() else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def default_report_folder() -> Path:
    """Where the report button writes unless told otherwise: never inside the project.

    ``$PLANNER_REPORTS_DIR`` when set; else the user's documents folder
    (``platformdirs.user_documents_dir()``, e.g. ``~/Documents``) + ``debt-planner-reports``;
    else, or when that lies inside the project's work tree, the system temp folder +
    ``debt-planner-reports``. A client's report is their data: it does not belong in the
    repository (``.gitignore`` keeps report files out as a second guard).
    """
    import os
    import tempfile

    chosen = os.environ.get(REPORTS_DIR_ENV)
    if chosen and chosen.strip():
        return Path(chosen).expanduser()
    try:
        from platformdirs import user_documents_dir

        folder = Path(user_documents_dir()) / "debt-planner-reports"
    except Exception:  # platformdirs missing or no home folder: the temp folder below
        folder = None
    root = _project_root()
    if folder is None or (root is not None and _inside(folder, root)):
        folder = Path(tempfile.gettempdir()) / "debt-planner-reports"
    return folder


def report_button(state, *, path: str | None = None, description: str | None = None):
    """A one-button export for the counsellor notebook.

    ``state`` is a dict, an object with attributes, or a function returning
    either, read when the button is pressed: ``debts`` and ``budget``
    (required), optional ``lang``, ``scenarios``, ``client``, ``anonymise``,
    ``income``, ``essentials``, ``strategy``, ``start``. Returns an ipywidgets
    box: the button, the output file (``.html`` or ``.pdf``; by default
    ``report.html`` in :func:`default_report_folder`, outside the project; a
    relative name is taken in that folder, not in the notebook's), and a status
    line with a download link (a ``data:`` link, nothing is sent). ``box.relabel(lang)``
    puts the button's label in another language.
    """
    import base64

    import ipywidgets as w

    lang0 = _state_value(state, "lang", "zh") or "zh"
    button = w.Button(description=description or text("title", lang0), button_style="primary",
                      layout=w.Layout(width="auto"))
    name = w.Text(value=str(path) if path is not None else str(default_report_folder() / "report.html"),
                  layout=w.Layout(width="28em"))
    status = w.HTML()

    def click(_=None):
        import html as html_mod

        get = lambda k, d=None: _state_value(state, k, d)  # noqa: E731
        try:
            report = build_report(
                get("debts"), get("budget"), scenarios=get("scenarios"), lang=get("lang", "zh") or "zh",
                client=get("client"), anonymise=bool(get("anonymise", False)), income=get("income"),
                essentials=get("essentials"), strategy=get("strategy"), start=get("start"),
            )
            target = Path(name.value.strip()).expanduser() if name.value.strip() else Path("report.html")
            if not target.is_absolute():
                target = default_report_folder() / target
            if get("anonymise", False):  # the file's name too: no client name, ID, card or phone number in it
                from ..privacy import scrub_file_name

                target = target.with_name(scrub_file_name(target.name, (get("client"),) if get("client") else ()))
            target.parent.mkdir(parents=True, exist_ok=True)
            written = write_report(report, target)
        except PlannerError as exc:
            status.value = f"<pre style='color:#b00'>{html_mod.escape(str(exc))}</pre>"
            return None
        except OSError as exc:  # the folder cannot be made (permissions, a file in the way)
            status.value = (f"<pre style='color:#b00'>{html_mod.escape(f'无法写入 / cannot write {name.value}: {exc.strerror or exc}')}</pre>")
            return None
        data = written.read_bytes()
        mime = "application/pdf" if written.suffix.lower() == ".pdf" else "text/html"
        link = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        status.value = (
            f"✓ {html_mod.escape(str(written))} ({len(data) // 1024} KB) · "
            f"<a download='{html_mod.escape(written.name)}' href='{link}'>⬇ {html_mod.escape(written.name)}</a>"
        )
        return written

    def relabel(lang: str) -> None:
        if description is None:
            button.description = text("title", lang)

    button.on_click(click)
    box = w.VBox([w.HBox([button, name]), status])
    box.click = click  # drivable from tests without a browser
    box.relabel = relabel
    return box


__all__ = [
    "REPORTS_DIR_ENV",
    "default_report_folder",
    "report_button",
]
