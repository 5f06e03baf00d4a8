"""The live chart of a widget: a pyplot-free matplotlib Figure shown as a PNG image widget.

Two matplotlib internals are used here, each only on the release series whose pixels the
tests verified (``agg.VERIFIED``), and each with the plain public path otherwise: placing
titles once per layout (``Axes._update_title_position``, read with ``_left_title``,
``_right_title`` and ``_twinned_axes``) and reusing tick styles. No public API places a
title without redoing the whole layout on every draw; the slider-to-chart goal (100 ms in
the browser) is met without them as well (``benchmarks/bench_browser.py``), so replacing
them with public calls is open work (issue 25), not a correctness matter.
"""

from __future__ import annotations

import io
import time
from contextlib import contextmanager

import ipywidgets as W

from .. import charts


class Canvas:
    """A matplotlib Figure (not managed by pyplot) shown as a PNG image widget.

    Redrawing live (``fast=True``, the default) does three things a
    from-scratch redraw does not, none of which changes what is drawn:

    * :meth:`reuse_axes` keeps the Axes alive between redraws and only
      removes their data artists, titles and legend (creating Axes and their
      ticks again is a large part of a redraw);
    * the figure is drawn by :class:`planner.widgets.agg.TextCachingCanvas`, which
      draws a string it has drawn before from the glyph bitmaps it recorded
      (the same pixels, without shaping and rasterising it again);
    * the PNG is written without filtering at zlib level 1 (lossless, for the
      screen: about twice as fast to encode as Pillow's).

    ``fast=False`` redraws everything from scratch with plain Agg and Pillow
    (the benchmark's baseline; the tests compare both pixel by pixel).
    """

    def __init__(self, figsize=(12, 4.6), dpi=80, rect=(0.075, 0.1, 0.9, 0.82), *, fast: bool = True):
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.rect = rect
        self._layout_key = None
        self._reused: list = []
        self._kept: list = []  # Axes whose axis background may be kept (keep_axis_background)
        self._background = None  # (signature, saved pixels)
        self.background_reuses = 0  # redraws that reused a kept axis background
        self.fast = fast
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{int(figsize[0] * dpi)}px"))
        self.renders = 0
        self.last_seconds: float | None = None

    @property
    def fast(self) -> bool:
        return self._fast

    @fast.setter
    def fast(self, value: bool) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from .agg import canvas_class

        self._fast = bool(value)
        # The glyph-caching canvas on a matplotlib it was verified with, else plain Agg (same pixels).
        (canvas_class() if self._fast else FigureCanvasAgg)(self.figure)  # attaches itself to the figure
        self._layout_key = None
        self._background = None

    def clear(self) -> None:
        self.figure.clear()
        self._layout_key = None
        self._reused = []
        self._kept = []
        self._background = None

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
        if self._fast and key == self._layout_key and self.figure.axes == self._reused:
            if empty:
                for ax in self._reused:
                    charts.clear_chart(ax)
            return list(self._reused)
        self.clear()
        axes = list(make(self.figure))
        self._layout_key, self._reused = key, axes
        if self._fast:
            from .agg import verified

            for ax in axes:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.draw = _AxisReplay(axis)
                if verified():  # leans on Axes._update_title_position as matplotlib 3.11 has it
                    ax._update_title_position = _TitlePlacement(ax)
        return list(axes)

    @property
    def axis_replays(self) -> int:
        """Axis draws (ticks, grid, tick and axis labels) replayed from an earlier draw (see :class:`_AxisReplay`)."""
        return sum(getattr(axis.draw, "replays", 0) for ax in self._reused for axis in (ax.xaxis, ax.yaxis))

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
        canvas = self.figure.canvas
        if self._fast and self._kept:
            self._draw_over_kept_background(canvas)
        else:
            canvas.draw()
        if self._fast:
            return png_bytes(canvas.buffer_rgba())
        from PIL import Image

        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _draw_over_kept_background(self, canvas) -> None:
        kept = [ax for ax in self._kept if ax in self.figure.axes and ax.get_visible()]
        if not kept or not hasattr(canvas, "draw_over") or not all(_axis_below_everything(ax) for ax in kept):
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
            canvas.draw_over(self._background[1])

    @property
    def axes(self):
        return self.figure.axes


#: The renderer methods an Axis draws through (everything else it calls only measures).
_DRAW_METHODS = ("draw_path", "draw_markers", "draw_path_collection", "draw_image", "draw_text", "draw_mathtext",
                 "draw_tex", "draw_gouraud_triangles", "draw_quad_mesh")


class _AxisReplay:
    """Draws one Axis (grid lines, tick marks, tick labels, axis label) of a live chart.

    The first time, and whenever anything the Axis draws from has changed,
    matplotlib draws it as usual while the renderer calls it makes (paths,
    markers, strings, each with a copy of its graphics context and frozen
    transforms) are recorded. While nothing changed (:func:`_axis_draw_key`:
    place, limits, tick locations and labels, tick and label styles, the
    renderer), the next draws make the same renderer calls again, in the same
    order: the same pixels, without matplotlib's per-tick Python work
    (updating ticks, measuring labels, placing the axis label).

    An Axis that changed on two draws running (the waterfall's y axis, whose
    limits follow the savings) is drawn without recording, until a draw finds
    it as it was the draw before: recording what is never replayed only costs.
    """

    def __init__(self, axis):
        self.axis = axis
        self.key = None
        self.calls: list | None = None
        self.replays = 0
        self.changed = 0  # draws running that found the Axis changed
        self.last = None  # the key of the last draw

    def __call__(self, renderer):
        axis = self.axis
        if not axis.get_visible():
            return
        key = _axis_draw_key(axis, renderer)
        if self.calls is not None and key == self.key:
            for name, args, kwargs in self.calls:
                getattr(renderer, name)(*args, **kwargs)
            self.replays += 1
            self.changed = 0
            self.last = key
            axis.stale = False
            return
        steady = key == self.last
        self.changed = 0 if steady else self.changed + 1
        self.last = key
        if self.changed >= 2:  # changing on every draw: drawn as matplotlib draws it, not recorded
            self.calls = self.key = None
            type(axis).draw(axis, renderer)
            return
        self.calls = _recorded(renderer, lambda: type(axis).draw(axis, renderer))
        self.key = key if self.calls is not None else None


class _TitlePlacement:
    """Places an Axes' titles as matplotlib 3.11's ``Axes._update_title_position`` does, once per layout.

    matplotlib measures the x axis (when its ticks are on top), the y axis'
    offset text and the titles on every draw to lift the titles clear of
    them. While everything that placement reads is the same (the renderer,
    the Axes' place, the titles' texts, fonts and x positions, where the x
    ticks and label sit, the y axis' offset text), the titles go back to the
    heights computed the last time.
    """

    def __init__(self, ax):
        self.ax = ax
        self.key = None
        self.heights: tuple | None = None
        self.reuses = 0

    def __call__(self, renderer):
        from matplotlib.axes import Axes

        ax = self.ax
        titles = (ax.title, ax._left_title, ax._right_title)
        if (ax.child_axes or len(ax._twinned_axes.get_siblings(ax)) > 1
                or len(ax.get_figure(root=False)._align_label_groups["title"].get_siblings(ax)) > 1
                or ax.xaxis.get_ticks_position() in ("top", "unknown") or ax.xaxis.get_label_position() == "top"
                or (ax.yaxis.offsetText.get_visible() and ax.yaxis.major.formatter.get_offset())):
            # Other Axes, or the x axis' or the offset text's extent, take part: placed as matplotlib does.
            self.key = None
            return Axes._update_title_position(ax, renderer)
        key = (id(renderer), renderer.width, renderer.height, renderer.dpi, tuple(ax.get_position().bounds),
               ax._autotitlepos,
               tuple((t.get_text(), t.get_position()[0], t.get_visible(), t.get_rotation(), t.get_ha(), t.get_va(),
                      hash(t.get_fontproperties())) for t in titles))
        if key == self.key and self.heights is not None:
            for title, y in zip(titles, self.heights):
                title.set_y(y)
            self.reuses += 1
            return None
        Axes._update_title_position(ax, renderer)
        self.heights = tuple(t.get_position()[1] for t in titles)
        self.key = key  # (a title's height before placing is not read: matplotlib starts each from 1.0)
        return None


def _recorded(renderer, draw) -> list | None:
    """Run ``draw()`` and return the renderer calls it made (``None`` when they cannot be replayed)."""
    calls: list = []
    state = {"depth": 0, "ok": True}
    own = vars(renderer)
    saved = {name: own[name] for name in _DRAW_METHODS if name in own}
    originals = {name: getattr(renderer, name) for name in _DRAW_METHODS if hasattr(renderer, name)}

    def recorder(name, method):
        def call(*args, **kwargs):
            if state["depth"] == 0:  # a call made from inside another (mathtext) is part of it
                try:
                    calls.append((name, tuple(_kept(renderer, a) for a in args),
                                  {k: _kept(renderer, v) for k, v in kwargs.items()}))
                except Exception:  # pragma: no cover - something that cannot be copied: draw, never replay
                    state["ok"] = False
            state["depth"] += 1
            try:
                return method(*args, **kwargs)
            finally:
                state["depth"] -= 1
        return call

    for name, method in originals.items():
        setattr(renderer, name, recorder(name, method))
    try:
        draw()
    finally:
        for name in originals:
            if name in saved:
                setattr(renderer, name, saved[name])
            else:
                delattr(renderer, name)
    return calls if state["ok"] else None


def _kept(renderer, value):
    """``value`` as a recorded call keeps it: graphics contexts copied, transforms frozen, font properties copied."""
    from matplotlib.backend_bases import GraphicsContextBase
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import Transform

    if isinstance(value, GraphicsContextBase):
        gc = renderer.new_gc()
        gc.copy_properties(value)
        return gc
    if isinstance(value, Transform):
        return value.frozen()
    if isinstance(value, FontProperties):
        return value.copy()
    return value


def _axis_draw_key(axis, renderer) -> tuple:
    """Everything an Axis' pixels depend on in a live chart (see :class:`_AxisReplay`)."""
    ax = axis.axes
    locs = axis.get_majorticklocs()
    labels = axis.major.formatter.format_ticks(locs)
    ticks = []
    for tick in axis.get_major_ticks(len(locs)):
        label, grid, mark = tick.label1, tick.gridline, tick.tick1line
        ticks.append((label.get_visible(), label.get_color(), label.get_rotation(), label.get_ha(), label.get_va(),
                      hash(label.get_fontproperties()), tick.label2.get_visible(), tick.get_pad(),
                      mark.get_visible(), mark.get_color(), mark.get_markersize(), mark.get_markeredgewidth(),
                      mark.get_marker(), tick.tick2line.get_visible(),
                      grid.get_visible(), grid.get_color(), grid.get_alpha(), grid.get_linewidth(), grid.get_linestyle()))
    text = axis.label
    spines = tuple(spine.get_position() for spine in ax.spines.values())
    # An x axis is placed in data x and axes y (its grid lines span the axes): the y limits
    # only matter when a spine is placed in data coordinates, and the other way round.
    in_data = any(p in ("zero", "center") or (isinstance(p, tuple) and p[0] == "data") for p in spines)
    limits = (ax.get_xlim(), ax.get_ylim()) if in_data else (axis.get_view_interval(),)
    return (id(renderer), renderer.width, renderer.height, renderer.dpi, tuple(ax.get_position().bounds),
            tuple(tuple(lim) for lim in limits), axis.axis_name, tuple(locs), tuple(labels), tuple(ticks),
            len(axis.get_minor_locator()()), repr(sorted(axis._major_tick_kw.items())),
            text.get_text(), text.get_visible(), text.get_color(), text.get_rotation(), hash(text.get_fontproperties()),
            spines, axis.major.formatter.get_offset())


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


def png_bytes(rgba) -> bytes:
    """A PNG (8-bit RGB, no filter, zlib level 1) of an RGBA pixel buffer (height x width x 4).

    Lossless: decoding it gives back the buffer's RGB values exactly.

    >>> import numpy as np
    >>> data = png_bytes(np.full((2, 3, 4), 255, dtype=np.uint8))
    >>> data[:8], data[12:16], int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    (b'\\x89PNG\\r\\n\\x1a\\n', b'IHDR', 3, 2)
    """
    import struct
    import zlib

    import numpy as np

    pixels = np.asarray(rgba)
    height, width = pixels.shape[:2]
    raw = np.zeros((height, width * 3 + 1), dtype=np.uint8)  # each row: filter type 0, then R G B ...
    rgb_columns = np.arange(width * 4).reshape(width, 4)[:, :3].ravel()  # R G B of each RGBA pixel
    raw[:, 1:] = np.take(pixels.reshape(height, width * 4), rgb_columns, axis=1)  # faster than a strided copy

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


__all__ = [
    "Canvas",
    "png_bytes",
]
