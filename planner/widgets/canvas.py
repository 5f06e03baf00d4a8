"""The live chart of a widget: a pyplot-free matplotlib Figure shown as a PNG image widget.

Only public matplotlib calls, as mpl-interactions and ipympl redraw: the Axes are kept
between redraws and the chart functions update the artists they drew there (``set_data``,
``set_height``, ``set_text``) or draw anew on an emptied Axes; the figure is drawn by
plain Agg, its pixels read with ``buffer_rgba()`` and encoded by Pillow. Text that stayed
the same (tick labels, axis labels, titles; the slowest part of a redraw) is kept as
pixels and everything else drawn over it: the blitting pattern of matplotlib's guide
(``copy_from_bbox``, ``restore_region``, drawing the changed artists).
"""

from __future__ import annotations

import io
import time
from contextlib import contextmanager

import ipywidgets as W

from .. import charts


class Canvas:
    """A matplotlib Figure (not managed by pyplot) shown as a PNG image widget.

    Redrawing live (``fast=True``, the default) does two things a
    from-scratch redraw does not, neither of which changes what is drawn:

    * :meth:`reuse_axes` keeps the Axes alive between redraws and only
      removes their data artists, titles and legend (creating Axes and their
      ticks again is a large part of a redraw);
    * an Axes' text outside its plotting area (an axis' tick labels and label,
      the titles) is kept as pixels while it stays the same, and the rest of the
      figure is drawn over it (:meth:`_draw_over_steady_text`).

    ``fast=False`` redraws everything from scratch on new Axes (the benchmark's
    baseline; the tests compare both pixel by pixel).
    """

    def __init__(self, figsize=(12, 4.6), dpi=80, rect=(0.075, 0.1, 0.9, 0.82), *, fast: bool = True):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.figure)  # attaches itself to the figure
        self.rect = rect
        self.fast = fast
        self.clear()
        self.background_reuses = 0  # redraws drawn over kept text
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{int(figsize[0] * dpi)}px"))
        self.renders = 0
        self.last_seconds: float | None = None

    def clear(self) -> None:
        self.figure.clear()
        self._layout_key = None
        self._reused: list = []
        self._steady: dict = {}  # part -> its signature at the last redraw (see _draw_over_steady_text)
        self._changed: set = set()  # the parts whose signature changed at the last redraw
        self._background = None  # (signatures of the parts it holds, saved pixels)

    def reuse_axes(self, key, make, *, empty: bool = True) -> list:
        """The Axes ``make(figure)`` creates, kept between redraws while ``key`` is the same.

        Kept Axes come back as a fresh Axes would be for the chart functions
        (:func:`planner.charts.clear_chart`): no data artists, titles, axis labels
        or legend, data limits recomputed (empty), autoscaling on, the colour cycle
        from the start. Their ticks, locators and formatters stay: every chart
        function sets its own. With ``empty=False`` they come back as they are, for
        chart functions called with ``live=True``, which update the artists they
        drew there (and clear the Axes themselves when they cannot).
        """
        if self.fast and key == self._layout_key and self.figure.axes == self._reused:
            if empty:
                for ax in self._reused:
                    charts.clear_chart(ax)
            return list(self._reused)
        self.clear()
        axes = list(make(self.figure))
        self._layout_key, self._reused = key, axes
        return list(axes)

    def main_axes(self, *, empty: bool = True):
        """The one Axes of a single-chart canvas (see :meth:`reuse_axes`)."""
        return self.reuse_axes(("main", self.rect), lambda figure: [figure.add_axes(self.rect)], empty=empty)[0]

    def draw(self, paint) -> None:
        """Let ``paint(canvas)`` draw (in the chart style), then update the image."""
        start = time.perf_counter()
        with charts.chart_style():
            paint(self)
        self.image.value = self.png()
        self.renders += 1
        self.last_seconds = time.perf_counter() - start

    def png(self) -> bytes:
        """Draw the figure and encode it as PNG (fast zlib level: this is for the screen)."""
        from PIL import Image

        canvas = self.figure.canvas
        if self.fast and self._reused:
            self._draw_over_steady_text(canvas)
        else:
            canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _draw_over_steady_text(self, canvas) -> None:
        """Draw the figure, keeping the pixels of text that stayed the same.

        The parts (each kept Axes' x and y axis text: tick labels, axis label and
        offset; its titles) are steady unless they changed on this redraw and the
        one before (the waterfall's y axis follows the savings on every step). The
        background is the figure with only the figure's and those Axes' patches and
        the steady text drawn; it is made again when a steady part changes (or a
        part becomes steady or stops being steady), otherwise put back as it was.
        The figure is then drawn over it with those hidden: grid lines, tick marks,
        data, spines, legend and the rest, in matplotlib's order. Kept text lies
        outside the plotting area, away from the tick marks by the tick pad, so
        nothing drawn over it overlaps it: the pixels are those of a full draw
        (``tests/widgets/test_widgets.py`` compares them).
        """
        axes = [ax for ax in self._reused if ax in self.figure.axes and ax.get_visible() and ax.axison]
        parts = {}
        for ax in axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    parts[axis] = _axis_text_signature(ax, axis)
            parts[ax] = _titles_signature(ax)
        changed = {part for part, sig in parts.items() if self._steady.get(part) != sig}
        steady = {part: sig for part, sig in parts.items() if part not in changed or part not in self._changed}
        self._steady, self._changed = parts, changed
        if not steady:
            self._background = None
            canvas.draw()
            return
        kept_axes = [ax for ax in axes if any(part in steady for part in (ax, ax.xaxis, ax.yaxis))]
        text = [a for part in steady for a in (_titles(part) if part in axes else _axis_text(part))]
        patches = [self.figure.patch] + [ax.patch for ax in kept_axes]
        signature = (canvas.get_width_height(physical=True), self.figure.dpi, id(canvas.get_renderer()), steady)
        if self._background is None or self._background[0] != signature:
            shown = set(patches + text + kept_axes + [axis for axis in steady if axis not in axes])
            with _only_visible(self.figure, shown), _hidden(_axis_marks([a for a in steady if a not in axes])):
                canvas.draw()
            self._background = (signature, canvas.copy_from_bbox(self.figure.bbox))
        else:
            self.background_reuses += 1
        with _hidden(patches + text):
            # the blitting pattern: the kept pixels back, the figure's other artists drawn over them
            canvas.restore_region(self._background[1])
            self.figure.draw(canvas.get_renderer())

    @property
    def axes(self):
        return self.figure.axes


def _axis_text(axis) -> list:
    """The text an Axis draws: its tick labels, its label and its offset text."""
    ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return [label for tick in ticks for label in (tick.label1, tick.label2)] + [axis.label, axis.offsetText]


def _axis_marks(axes) -> list:
    """What an Axis draws besides its text: grid lines and tick marks."""
    return [line for axis in axes for tick in axis.get_major_ticks() + axis.get_minor_ticks()
            for line in (tick.gridline, tick.tick1line, tick.tick2line)]


def _titles(ax) -> list:
    """An Axes' three titles (centre, left, right): its Text children that are not in ``ax.texts``."""
    from matplotlib.text import Text

    return [child for child in ax.get_children() if type(child) is Text and child not in ax.texts]


def _text_signature(text) -> tuple:
    return (text.get_visible(), text.get_text(), tuple(text.get_position()), text.get_color(), text.get_alpha(),
            text.get_rotation(), text.get_ha(), text.get_va(), hash(text.get_fontproperties()))


def _axis_text_signature(ax, axis) -> tuple:
    """What the pixels of an Axis' text depend on: the Axes' place, the axis' limits, spine places,
    tick places and labels, their styles, the axis label's text and style."""
    locs = axis.get_majorticklocs()
    ticks = axis.get_major_ticks(len(locs))
    styles = tuple((tick.get_pad(), tick.tick1line.get_visible(), tick.tick1line.get_markersize(),
                    _text_signature(tick.label1)[:1] + _text_signature(tick.label1)[3:],
                    _text_signature(tick.label2)[:1] + _text_signature(tick.label2)[3:]) for tick in ticks)
    return (tuple(ax.get_position().bounds), tuple(axis.get_view_interval()),
            tuple(spine.get_position() for spine in ax.spines.values()),
            tuple(locs), tuple(axis.get_major_formatter().format_ticks(locs)), len(axis.get_minor_locator()()), styles,
            axis.get_major_formatter().get_offset(), _text_signature(axis.label)[:2] + _text_signature(axis.label)[3:])


def _titles_signature(ax) -> tuple:
    """What the pixels of an Axes' titles depend on. Not their heights: matplotlib places the
    titles on every draw (``Axes.draw``), from what is here and the x axis' place."""
    return (tuple(ax.get_position().bounds), ax.xaxis.get_ticks_position(), ax.xaxis.get_label_position(),
            tuple((title.get_position()[0],) + _text_signature(title)[:2] + _text_signature(title)[3:]
                  for title in _titles(ax) if title.get_text()))


@contextmanager
def _hidden(artists):
    shown = [a for a in artists if a.get_visible()]
    for a in shown:
        a.set_visible(False)
    try:
        yield
    finally:
        for a in shown:
            a.set_visible(True)


@contextmanager
def _only_visible(figure, keep):
    """Hide every artist of ``figure`` (Axes' children included) except ``keep`` for the duration."""
    keep = set(keep)
    others = [a for ax in figure.axes for a in ax.get_children() if a not in keep]
    others += [ax for ax in figure.axes if not any(a in keep for a in (ax.patch, ax.xaxis, ax.yaxis))]
    others += [a for a in figure.get_children() if a not in keep and a not in figure.axes]
    with _hidden(others):
        yield


__all__ = [
    "Canvas",
]
