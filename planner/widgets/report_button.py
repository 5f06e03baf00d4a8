"""The counsellor notebook's one-button report export."""

from __future__ import annotations

from ..errors import PlannerError
from ..report import build_report, text, write_report


def _state_value(state, key, default=None):
    if callable(state):
        state = state()
    if isinstance(state, dict):
        return state.get(key, default)
    return getattr(state, key, default)


def report_button(state, *, path: str = "report.html", description: str | None = None):
    """A one-button export for the counsellor notebook.

    ``state`` is a dict, an object with attributes, or a function returning
    either, read when the button is pressed: ``debts`` and ``budget``
    (required), optional ``lang``, ``scenarios``, ``client``, ``anonymise``,
    ``income``, ``essentials``, ``strategy``, ``start``. Returns an ipywidgets
    box: the button, the output file name (``.html`` or ``.pdf``), and a
    status line with a download link (a ``data:`` link, nothing is sent).
    """
    import base64

    import ipywidgets as w

    lang0 = _state_value(state, "lang", "zh") or "zh"
    button = w.Button(description=description or text("title", lang0), icon="file", button_style="primary",
                      layout=w.Layout(width="auto"))
    name = w.Text(value=path, layout=w.Layout(width="16em"))
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
            written = write_report(report, name.value)
        except PlannerError as exc:
            status.value = f"<pre style='color:#b00'>{html_mod.escape(str(exc))}</pre>"
            return None
        data = written.read_bytes()
        mime = "application/pdf" if written.suffix.lower() == ".pdf" else "text/html"
        link = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        status.value = (
            f"✓ {html_mod.escape(str(written))} ({len(data) // 1024} KB) · "
            f"<a download='{html_mod.escape(written.name)}' href='{link}'>⬇ {html_mod.escape(written.name)}</a>"
        )
        return written

    button.on_click(click)
    box = w.VBox([w.HBox([button, name]), status])
    box.click = click  # drivable from tests without a browser
    return box


__all__ = [
    "report_button",
]
