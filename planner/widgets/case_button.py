"""The counsellor session's "save as case" button (the session, saved to the case book)."""

from __future__ import annotations

import html

import ipywidgets as W

from ..errors import PlannerError
from ..i18n import t


def save_case_button(state, *, book=None, description: str | None = None):
    """"Save as case" for the counsellor session: a name box and a button.

    ``state`` is a function returning the session's state (``debts``, ``budget``,
    ``strategy``, ``start``, ``lang``), read when the button is pressed; ``book``
    a :class:`~planner.cases.CaseBook` or its location (default: the user's book).
    Returns an ipywidgets box with ``.save(name)`` for tests.
    """
    lang = (state() if callable(state) else state).get("lang", "zh")
    name = W.Text(layout=W.Layout(width="14em"))
    button = W.Button(description=description or t("ui_case_save", lang), icon="save", layout=W.Layout(width="auto"))
    status = W.HTML()

    def save(case_name: str):
        from ..cases import CaseBook

        s = state() if callable(state) else state
        target = book if isinstance(book, CaseBook) else CaseBook(book)
        case = target.new(case_name, list(s["debts"]), s["budget"], s.get("strategy", "avalanche"), start=s.get("start"))
        status.value = f"<span style='color:#009E73'>{html.escape(t('case_created', s.get('lang', 'zh'), name=case.name, start=case.data.start, n=len(case.data.debts), when=case.plan().debt_free or '-'))}</span>"
        return case

    def click(_=None):
        try:
            save(name.value)
        except PlannerError as exc:  # in the language the state is shown in
            lang = (state() if callable(state) else state).get("lang", "zh")
            status.value = f"<pre style='color:#D55E00;white-space:pre-wrap'>{html.escape(exc.text(lang))}</pre>"

    def relabel(lang: str) -> None:
        """The box's texts in ``lang`` (the session's language switch calls this)."""
        name.description = t("ui_case_new_name", lang)
        if description is None:
            button.description = t("ui_case_save", lang)

    button.on_click(click)
    name.style = {"description_width": "initial"}
    name.layout.width = "22em"
    relabel(lang)
    box = W.HBox([name, button, status], layout=W.Layout(flex_flow="row wrap", align_items="center"))
    box.save = save
    box.name_box = name
    box.relabel = relabel
    return box


__all__ = ["save_case_button"]
