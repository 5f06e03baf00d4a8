"""An Agg canvas that remembers the glyphs of text it has drawn (for live widget redraws).

A live chart redraws the same strings (tick labels, the title, the axis
label) at the same places again and again, and with matplotlib >= 3.11 text
is the slowest part of a redraw: shaping a string with the CJK fallback font
and rendering its glyphs costs more than everything else in the figure.

:class:`TextCachingCanvas` draws exactly what :class:`FigureCanvasAgg` draws.
The first time a string is drawn, its renderer lets matplotlib draw it as
usual and records the glyph bitmaps matplotlib hands to the Agg core
(``draw_text_image``: bitmap, left, top). When the same string, in the same
font, size, angle, hinting and antialiasing, is drawn again at a position
with the same fractional pixel offset, the recorded bitmaps are drawn again,
shifted by the whole-pixel difference: the same pixels, without shaping or
rasterising the glyphs again. Colour, alpha and clipping come from the
current graphics context, as in matplotlib. Mathtext and TeX are drawn by
matplotlib unchanged.

Nothing here changes a chart's artists or data: only how text pixels are
produced. ``tests/widgets/test_widgets.py`` compares this canvas's pixels with
plain Agg's.

The renderer leans on matplotlib internals (``RendererAgg._renderer``,
``Text._get_layout``'s font metrics), checked on the releases in
:data:`VERIFIED`. On any other matplotlib, :func:`canvas_class` gives plain
:class:`FigureCanvasAgg` instead: the same pixels, only slower.
"""

from __future__ import annotations

import math

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

#: Entries kept per renderer before the cache is emptied (a few hundred are used by a session).
MAX_ENTRIES = 4096

#: The matplotlib series (major, minor) whose Agg internals the caching canvas was verified
#: against by the pixel tests. Add a series here only after those tests pass on it.
VERIFIED = ((3, 11),)


def verified(version: str | None = None) -> bool:
    """Whether ``version`` (default: the installed matplotlib) is a series in :data:`VERIFIED`.

    Parameters
    ----------
    version : str, optional
        A matplotlib version string such as ``"3.11.2"``.

    Returns
    -------
    bool

    Examples
    --------
    >>> verified("3.11.2"), verified("3.12.0rc1"), verified("3.10.8")
    (True, False, False)
    """
    parts = (version or mpl.__version__).split(".")
    try:
        series = int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or -1)
    except (IndexError, ValueError):
        return False
    return series in VERIFIED


def canvas_class(version: str | None = None) -> type[FigureCanvasAgg]:
    """:class:`TextCachingCanvas` on a verified matplotlib, plain :class:`FigureCanvasAgg` otherwise.

    Both draw the same pixels; the caching canvas redraws text faster.

    Examples
    --------
    >>> canvas_class("3.11.0").__name__, canvas_class("4.0.0").__name__
    ('TextCachingCanvas', 'FigureCanvasAgg')
    """
    return TextCachingCanvas if verified(version) else FigureCanvasAgg


class _Recorder:
    """Stands in for the Agg core while matplotlib draws one string; records its glyph bitmaps."""

    def __init__(self, core):
        self._core = core
        self.calls: list | None = []

    def draw_text_image(self, image, x, y, angle, gc):
        if self.calls is not None:
            try:
                self.calls.append((image.copy(), x, y, angle))
            except AttributeError:  # pragma: no cover - not a numpy bitmap: draw, do not record
                self.calls = None
        self._core.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):  # anything else (draw_path for boxes): not cacheable
        self.calls = None
        return getattr(self._core, name)


#: The rcParams matplotlib's font lookup depends on (as in ``FontManager.findfont``).
_FONT_RC = tuple(f"font.{key}" for key in ("family", "style", "variant", "weight", "stretch", "size",
                                           "serif", "sans-serif", "cursive", "fantasy", "monospace"))


class TextCachingRenderer(RendererAgg):
    """:class:`RendererAgg` that draws a string seen before from its recorded glyph bitmaps.

    It also remembers, per font, the two things matplotlib (3.11) looks up
    again for every string it measures or draws: which font files a
    ``FontProperties`` resolves to, and the font's ascent, descent and line
    gap (``Text._get_layout`` asks the renderer for them through
    ``_get_font_height_metrics`` and computes them itself when the renderer
    has no answer).
    """

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.text_cache: dict = {}
        self._layouts: dict = {}  # a string's shaped glyphs (font, index, offset), wherever it is drawn
        self._glyphs: dict = {}  # a glyph's bitmap at a fractional pixel position, wherever it is drawn
        self._glyph_metrics: dict = {}  # a glyph's lowest and highest point and advance (26.6 pixels)
        self._fonts: dict = {}
        self._rc_key = None  # the font rcParams, fixed while TextCachingCanvas.draw runs
        self.text_hits = 0
        self.text_misses = 0

    # -- fonts -----------------------------------------------------------
    @staticmethod
    def font_rc_key() -> tuple:
        """The font rcParams and the number of fonts known: what a font lookup depends on besides the properties."""
        from matplotlib.font_manager import fontManager

        rc = mpl.rcParams
        return (tuple(tuple(v) if isinstance(v, list) else v for v in (rc[k] for k in _FONT_RC)),
                len(fontManager.ttflist))

    def _font_key(self, prop):
        return (prop.copy(), self._rc_key or self.font_rc_key())

    def _font_entry(self, key) -> dict:
        entry = self._fonts.get(key)
        if entry is None:
            from matplotlib.font_manager import fontManager

            prop = key[0]
            find = getattr(fontManager, "_find_fonts_by_props", None)
            paths = tuple(find(prop)) if find is not None else (fontManager.findfont(prop),)
            if len(self._fonts) >= MAX_ENTRIES:
                self._fonts.clear()
            entry = self._fonts[key] = {"paths": paths}
        return entry

    def _get_font_height_metrics(self, prop):
        """Ascent, descent and line gap of the font ``prop`` resolves to, as ``Text._get_layout`` computes them."""
        entry = self._font_entry(self._font_key(prop))
        metrics = entry.get(("height", self.dpi))
        if metrics is None:
            metrics = entry[("height", self.dpi)] = self._height_metrics(entry["paths"], prop)
        return metrics

    def _height_metrics(self, paths, prop):
        # The same lookup and arithmetic as matplotlib.text.Text._get_layout (3.11).
        from matplotlib.font_manager import get_font

        font = get_font(list(paths))
        possible = [
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent"),
        ]
        for table_name, linegap_key, ascent_key, descent_key in possible:
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            fontsize = prop.get_size_in_points()
            units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
            scale = 1 / units_per_em * fontsize * self.dpi / 72
            return table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale
        return None, None, None

    # -- text ------------------------------------------------------------
    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        ix, iy = math.floor(x), math.floor(y)
        features = mtext.get_fontfeatures() if mtext is not None and hasattr(mtext, "get_fontfeatures") else None
        language = mtext.get_language() if mtext is not None and hasattr(mtext, "get_language") else None
        key = (s, self._font_key(prop), self.dpi, float(angle), bool(gc.get_antialiased()),
               mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"],
               tuple(features) if features else None, language, x - ix, y - iy)
        cached = self.text_cache.get(key)
        if cached is not None:
            self.text_hits += 1
            dx, dy = ix - cached[0], iy - cached[1]
            core = self._renderer
            for image, gx, gy, gangle in cached[2]:
                core.draw_text_image(image, gx + dx, gy + dy, gangle, gc)
            return None
        self.text_misses += 1
        core = self._renderer
        recorder = _Recorder(core)
        self._renderer = recorder
        try:
            self._draw_glyphs(gc, x, y, s, prop, angle, key[1], features, language)
        finally:
            self._renderer = core
        if recorder.calls is not None:
            if len(self.text_cache) >= MAX_ENTRIES:
                self.text_cache.clear()
            self.text_cache[key] = (ix, iy, recorder.calls)
        return None


    def _layout_items(self, s, prop, font_key, flags, features, language) -> tuple:
        """``s`` shaped in ``prop``: (font, glyph index, x, y) per glyph, kept per string and font."""
        layout_key = (s, font_key, self.dpi, flags, mpl.rcParams["text.hinting_factor"],
                      tuple(features) if features else None, language)
        items = self._layouts.get(layout_key)
        if items is None:
            font = self._prepare_font(prop)
            items = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                          for item in font._layout(s, flags=flags, features=features, language=language))
            if len(self._layouts) >= MAX_ENTRIES:
                self._layouts.clear()
            self._layouts[layout_key] = items
        return items

    def get_text_width_height_descent(self, s, prop, ismath):
        """Width, height and descent of ``s`` as :meth:`RendererAgg.get_text_width_height_descent` gives them.

        matplotlib (3.11) measures a string with ``FT2Font.set_text``, which shapes it
        (as drawing it does again) and unites the glyphs' boxes: the width is the last
        glyph's place plus its advance, the height and descent come from the lowest and
        highest glyph box. Here the string is shaped once, for measuring and drawing
        (:meth:`_layout_items`, the layout drawing uses), and each glyph's box and advance
        are kept per font, size and hinting. ``tests/widgets/test_widgets.py`` holds this
        equal to ``set_text`` on the charts' strings and random ones.
        """
        if ismath:  # mathtext and TeX: measured by matplotlib
            return super().get_text_width_height_descent(s, prop, ismath)
        from matplotlib.backends.backend_agg import get_hinting_flag

        flags = get_hinting_flag()
        items = self._layout_items(s, prop, self._font_key(prop), flags, None, None)
        if not items:
            return 0.0, 0.0, 0.0
        size = prop.get_size_in_points()
        metrics = self._glyph_metrics
        low, high = 32000, -32000
        prepared = False
        for font, index, _gx, gy in items:
            key = (font, index, size, self.dpi, flags)
            box = metrics.get(key)
            if box is None:
                if not prepared:  # sizes set and transforms reset, as before set_text
                    self._prepare_font(prop)
                    prepared = True
                glyph = font.load_glyph(index, flags)
                if len(metrics) >= MAX_ENTRIES * 4:
                    metrics.clear()
                box = metrics[key] = (glyph.bbox[1], glyph.bbox[3], glyph.horiAdvance)
            pen_y = round(gy * 64)
            low, high = min(low, box[0] + pen_y), max(high, box[1] + pen_y)
        last = items[-1]
        width = round(last[2] * 64) + metrics[(last[0], last[1], size, self.dpi, flags)][2]
        return width / 64.0, (high - low) / 64.0, -low / 64.0

    def _draw_glyphs(self, gc, x, y, s, prop, angle, font_key, features, language):
        """What :meth:`RendererAgg.draw_text` (matplotlib 3.11) does for plain text, with two caches.

        The string's layout (which glyph of which font at which offset) is
        kept per string and font, so a string drawn at a new fractional pixel
        position is not shaped again; each glyph's bitmap is kept per glyph,
        size, angle and fractional pixel position (in FreeType's 1/64 pixel),
        and drawn shifted by the whole-pixel difference: rendering a glyph
        outline moved by whole pixels gives the same bitmap, moved.
        """
        from matplotlib.backends.backend_agg import get_hinting_flag
        from matplotlib.ft2font import RenderMode

        flags = get_hinting_flag()
        items = self._layout_items(s, prop, font_key, flags, features, language)
        size = prop.get_size_in_points()
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = None
        antialiased = bool(gc.get_antialiased())
        height = self.height
        core = self._renderer
        glyphs = self._glyphs
        for font, index, dx, dy in items:  # dy is upwards
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            gkey = (font, size, self.dpi, index, angle, flags, antialiased, px & 63, py & 63)
            glyph = glyphs.get(gkey)
            if glyph is None:
                import numpy as np

                if matrix is None:
                    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [px, py])
                bitmap = font._render_glyph(index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = bitmap.buffer
                if not antialiased:
                    buffer *= 0xff
                glyph = (buffer.copy(), bitmap.left - (px >> 6), bitmap.top - (py >> 6))
                if len(glyphs) >= MAX_ENTRIES * 4:
                    glyphs.clear()
                glyphs[gkey] = glyph
            buffer, left, top = glyph
            # draw_text_image's y is downwards & the bitmap bottom side.
            core.draw_text_image(buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0], 0, gc)


class TextCachingCanvas(FigureCanvasAgg):
    """:class:`FigureCanvasAgg` whose renderer is a :class:`TextCachingRenderer` (kept across draws)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer

    def draw(self):
        # Font rcParams cannot change while a figure is drawn: look them up once.
        renderer = self.get_renderer()
        renderer._rc_key = renderer.font_rc_key()
        try:
            super().draw()
        finally:
            renderer._rc_key = None

    def draw_over(self, background) -> None:
        """Put back ``background`` (from :meth:`copy_from_bbox` of the whole figure), then draw the figure's
        visible artists on it (the caller hides what the background already holds)."""
        renderer = self.get_renderer()
        renderer.restore_region(background)
        renderer._rc_key = renderer.font_rc_key()
        try:
            self.figure.draw(renderer)
        finally:
            renderer._rc_key = None


__all__ = [
    "MAX_ENTRIES",
    "TextCachingCanvas",
    "TextCachingRenderer",
    "VERIFIED",
    "canvas_class",
    "verified",
]
