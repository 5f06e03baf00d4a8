"""The live chart of a widget: a pyplot-free matplotlib Figure shown as a PNG image widget.

Only public matplotlib calls, as mpl-interactions and ipympl redraw: the Axes are kept
between redraws and the chart functions update the artists they drew there (``set_data``,
``set_height``, ``set_text``) or draw anew on an emptied Axes; the figure is drawn by
plain Agg (``canvas.draw()``), the picture read with ``buffer_rgba()`` and encoded by
Pillow. Where a chart's grid and ticks are unchanged, their pixels are kept and the rest
drawn over them (the blitting pattern: ``copy_from_bbox``, ``restore_region``).
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
    * :meth:`keep_axis_background` keeps the pixels of an Axes' background,
      grid and ticks while they are unchanged, and draws the rest over them.

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
        self.background_reuses = 0  # redraws that reused a kept axis background
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{int(figsize[0] * dpi)}px"))
        self.renders = 0
        self.last_seconds: float | None = None

    def clear(self) -> None:
        self.figure.clear()
        self._layout_key = None
        self._reused: list = []
        self._kept: list = []  # Axes whose axis background may be kept (keep_axis_background)
        self._background = None  # (signature, saved pixels)

    def keep_axis_background(self, *axes) -> None:
        """Let the next redraws reuse the pixels of these Axes' background, grid, ticks, tick labels
        and axis labels while those are unchanged (same limits, ticks, labels, place).

        Only for Axes whose other artists all lie above the axis (lines, spines,
        texts, legend; not bars or areas, which the grid is drawn over): the
        kept pixels are what matplotlib draws first, and everything else is
        drawn on them in matplotlib's order, so the image is the same.
        """
        self._kept = list(axes)

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

    def main_axes(self):
        """The one Axes of a single-chart canvas (see :meth:`reuse_axes`)."""
        return self.reuse_axes(("main", self.rect), lambda figure: [figure.add_axes(self.rect)])[0]

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
        if self.fast and self._kept:
            self._draw_over_kept_background(canvas)
        else:
            canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _draw_over_kept_background(self, canvas) -> None:
        kept = [ax for ax in self._kept if ax in self.figure.axes and ax.get_visible()]
        if not kept or not all(_axis_below_everything(ax) for ax in kept):
            self._background = None
            canvas.draw()
            return
        signature = (canvas.get_width_height(physical=True), self.figure.dpi, id(canvas.get_renderer()),
                     tuple(_axis_signature(ax) for ax in kept))
        if self._background is None or self._background[0] != signature:
            # The background: the figure with only the kept Axes' patch and axes drawn.
            shown = [self.figure.patch] + [a for ax in kept for a in (ax.patch, ax.xaxis, ax.yaxis)]
            with _only_visible(self.figure, shown):
                canvas.draw()
            self._background = (signature, canvas.copy_from_bbox(self.figure.bbox))
        else:
            self.background_reuses += 1
        with _hidden([self.figure.patch] + [a for ax in kept for a in (ax.patch, ax.xaxis, ax.yaxis)]):
            # the blitting pattern: the kept pixels back, the figure's visible artists drawn over them
            renderer = canvas.get_renderer()
            canvas.restore_region(self._background[1])
            self.figure.draw(renderer)

    @property
    def axes(self):
        return self.figure.axes


def _axis_below_everything(ax) -> bool:
    """Whether every other visible artist of ``ax`` is drawn after its x and y axis (higher zorder)."""
    below = max(ax.xaxis.get_zorder(), ax.yaxis.get_zorder())
    own = {ax.patch, ax.xaxis, ax.yaxis}
    return all(a.get_zorder() > below for a in ax.get_children() if a not in own and a.get_visible())


def _axis_signature(ax) -> tuple:
    """What the kept pixels of ``ax`` depend on: place, limits, ticks and their labels, axis labels."""
    parts = [tuple(ax.get_position().bounds), tuple(ax.get_xlim()), tuple(ax.get_ylim()), ax.axison]
    for axis in (ax.xaxis, ax.yaxis):
        locs = axis.get_majorticklocs()
        labels = axis.major.formatter.format_ticks(locs)
        props = axis.get_ticklabels()[0].get_fontproperties() if len(locs) else None
        parts.append((axis.get_visible(), tuple(locs), tuple(labels), axis.label.get_text(), axis.label.get_position(),
                      None if props is None else hash(props)))
    return tuple(parts)


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
