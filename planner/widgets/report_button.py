"""The counsellor notebook's one-button report export."""

from __future__ import annotations

from pathlib import Path

from ..errors import PlannerError, message
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


def reports_folder(folder) -> Path:
    """The folder a widget writes into: a relative one is taken inside :func:`default_report_folder`
    (not in the notebook's folder), and one inside the project is refused: a client's documents
    are their data and do not belong in the repository."""
    chosen = Path(str(folder).strip()).expanduser() if str(folder or "").strip() else default_report_folder()
    if not chosen.is_absolute():
        chosen = default_report_folder() / chosen
    root = _project_root()
    if root is not None and (_inside(chosen, root)):
        raise PlannerError("widgets.report_button.clients_files_not_kept", chosen=chosen, v=default_report_folder())
    return chosen


def saved_html(path, lang: str = "zh") -> str:
    """What a widget shows once it wrote a file: the full path and a download link.

    The link is a ``data:`` URL (the file's bytes in the page: nothing is sent anywhere),
    which JupyterLab and Voila both open; a file served as ``files/...`` would only work
    inside the project, where a client's documents must not be.
    """
    import base64
    import html as html_mod

    from ..i18n import t

    written = Path(path)
    data = written.read_bytes()
    mime = {".pdf": "application/pdf", ".txt": "text/plain;charset=utf-8", ".ics": "text/calendar;charset=utf-8"}.get(written.suffix.lower(), "text/html")
    link = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return (
        f"<span style='color:#009E73'>✓ {html_mod.escape(t('ui_case_saved', lang, path=str(written)))}</span> "
        f"({max(1, len(data) // 1024)} KB) · "
        f"<a download='{html_mod.escape(written.name, quote=True)}' href='{link}' target='_blank'>⬇ {html_mod.escape(t('ui_case_download', lang))} "
        f"{html_mod.escape(written.name)}</a>"
    )


def report_button(state, *, path: str | None = None, description: str | None = None):
    """A one-button export for the counsellor notebook.

    ``state`` is a dict, an object with attributes, or a function returning
    either, read when the button is pressed: ``debts`` and ``budget``
    (required), optional ``lang``, ``scenarios``, ``client``, ``anonymise``,
    ``income``, ``essentials``, ``strategy``, ``start``. Returns an ipywidgets
    box: the button, the output file, and a status line with the full path and a
    download link (a ``data:`` link, nothing is sent). With no file given, each
    press writes a new ``<client>-<report>-<date>.html`` in :func:`default_report_folder`
    (outside the project); a relative name is taken in that folder, not in the
    notebook's. An earlier file is never replaced: a name already taken gets ``-2``,
    ``-3`` ... ``box.relabel(lang)`` puts the button's label in another language.
    """
    import ipywidgets as w

    from ..i18n import t

    lang0 = _state_value(state, "lang", "zh") or "zh"
    button = w.Button(description=description or text("title", lang0), button_style="primary",
                      layout=w.Layout(width="auto"))
    name = w.Text(value=str(path) if path is not None else "", placeholder=str(default_report_folder()),
                  layout=w.Layout(width="28em"))
    status = w.HTML()

    def click(_=None):
        import html as html_mod

        from ..report.outputs import document_path

        get = lambda k, d=None: _state_value(state, k, d)  # noqa: E731
        lang = get("lang", "zh") or "zh"
        anonymise = bool(get("anonymise", False))
        target = None
        try:
            report = build_report(
                get("debts"), get("budget"), scenarios=get("scenarios"), lang=lang,
                client=get("client"), anonymise=anonymise, income=get("income"),
                essentials=get("essentials"), strategy=get("strategy"), start=get("start"),
            )
            typed = name.value.strip()
            if typed:
                chosen = reports_folder(Path(typed).expanduser().parent) / Path(typed).name
                if chosen.suffix.lower() not in (".html", ".pdf"):
                    raise PlannerError("widgets.report_button.report_file_should_end", typed=typed)
                # the name as typed, or the next free one (-2, -3 ...): never over an earlier report
                stem = chosen.stem
                if anonymise:  # the typed name too: no client name, ID, card or phone number in it
                    from ..privacy import scrub_file_stem

                    stem = scrub_file_stem(stem, (get("client"),) if get("client") else ()) or "report"
                target = document_path(chosen.parent, None, (stem,), chosen.suffix, on="")
            else:
                target = document_path(default_report_folder(), get("client") or t("file_client", lang), (t("file_report", lang),),
                                       ".html", anonymise=anonymise)
            written = write_report(report, target)
        except PlannerError as exc:
            if target is not None and target.exists() and target.stat().st_size == 0:
                target.unlink()
            status.value = f"<pre style='color:#b00'>{html_mod.escape(exc.text(lang))}</pre>"
            return None
        except OSError as exc:  # the folder cannot be made (permissions, a file in the way)
            shown = message("report.outputs.cannot_write", path=name.value, v=exc.strerror or exc).text(lang)
            status.value = f"<pre style='color:#b00'>{html_mod.escape(shown)}</pre>"
            return None
        status.value = saved_html(written, lang)
        return written

    def relabel(lang: str) -> None:
        if description is None:
            button.description = text("title", lang)

    button.on_click(click)
    box = w.VBox([w.HBox([button, name], layout=w.Layout(flex_flow="row wrap")), status])
    box.click = click  # drivable from tests without a browser
    box.relabel = relabel
    return box


__all__ = [
    "REPORTS_DIR_ENV",
    "default_report_folder",
    "report_button",
    "reports_folder",
    "saved_html",
]
