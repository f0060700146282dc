"""Drawing a matplotlib Figure straight onto an fpdf2 page, as vectors and PDF text.

A report's charts are matplotlib figures (``charts``); rasterising them with Agg
was most of a PDF's rendering time, nearly all of it FreeType measuring, hinting
and rasterising every glyph of the labels. :class:`PdfRenderer` is a matplotlib
renderer (the object API's ``Figure.draw(renderer)``, no pyplot, no global state)
that turns paths into PDF polygons and lines and text into PDF text in the
document's own embedded DejaVu Sans, measured with fpdf2's glyph widths. The
charts come out sharp at any zoom, their labels are searchable, and the file is
smaller.

Only what report charts use is supported: filled and stroked paths (curves are
flattened), solid or dashed lines, rectangular clipping, horizontal or rotated
text. Figures with images (``imshow``) are drawn with Agg instead (``charts.raster``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.transforms import Transform

from surveyapp.definitions.characters import printable
from surveyapp.renderers.fonts import FAMILY

if TYPE_CHECKING:
    from fpdf import FPDF


def _bold(prop: FontProperties) -> bool:
    weight = prop.get_weight()
    if isinstance(weight, str):
        return weight in ("semibold", "demibold", "demi", "bold", "heavy", "extra bold", "black")
    return int(weight) >= 600


def _rgb(colour: Any) -> tuple[int, int, int] | None:
    """Return 0-255 RGB, or None for a fully transparent colour."""
    if colour is None or (len(colour) == 4 and colour[3] == 0):
        return None
    return (round(colour[0] * 255), round(colour[1] * 255), round(colour[2] * 255))


class PdfRenderer(RendererBase):
    """Draw a figure laid out at 72 dpi (1 unit = 1 point) into a box on the current page.

    ``left`` and ``top`` place the figure's top-left corner (in the document's unit);
    ``scale`` is page points per figure point (the figure is fitted to a width).
    """

    def __init__(
        self, pdf: FPDF, left: float, top: float, width: float, height: float, scale: float
    ) -> None:
        super().__init__()
        self.pdf = pdf
        self.left, self.top = left, top
        self.width, self.height = width, height  # figure points
        self.scale = scale
        self.unit = scale / pdf.k  # document units per figure point
        self._extents: dict[tuple[int, str], tuple[float, float]] = {}

    # -- what matplotlib asks of a renderer --------------------------------------------
    def flipy(self) -> bool:
        return False

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self.width, self.height

    def points_to_pixels(self, points: Any) -> Any:
        return points

    def option_image_nocomposite(self) -> bool:
        return True

    def draw_image(self, gc: GraphicsContextBase, x: float, y: float, im: Any, *_: Any) -> None:
        raise NotImplementedError("figures with images are rasterised (charts.raster)")

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: bool | str
    ) -> tuple[float, float, float]:
        # Like Agg: the ink extent of these glyphs, which matplotlib uses to stack
        # tick labels and axis labels (line metrics would push labels apart).
        font = self._font(prop)
        size = prop.get_size_in_points()
        width = font.get_text_width(s, size, None)[1]
        top = bottom = 0.0
        for char in set(s):
            low, high = self._extent(font, char)
            top, bottom = max(top, high), min(bottom, low)
        return width, (top - bottom) * size, -bottom * size

    def draw_text(
        self,
        gc: GraphicsContextBase,
        x: float,
        y: float,
        s: str,
        prop: FontProperties,
        angle: float,
        ismath: bool | str = False,
        mtext: Any = None,
    ) -> None:
        colour = _rgb(gc.get_rgb())
        s = printable(s)
        if colour is None or not s:
            return
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if _bold(prop) else "", prop.get_size_in_points() * self.scale)
        pdf.set_text_color(*colour)
        px, py = self._xy(x, y)
        with pdf.rotation(angle, px, py) if angle else nullcontext():
            pdf.text(px, py, s)

    def draw_path(
        self,
        gc: GraphicsContextBase,
        path: Path,
        transform: Transform,
        rgbFace: Any = None,  # noqa: N803  # matplotlib's argument name
    ) -> None:
        fill = _rgb(rgbFace)
        width = gc.get_linewidth()
        stroke = _rgb(gc.get_rgb()) if width > 0 else None
        if fill is None and stroke is None:
            return
        pdf = self.pdf
        dashes: list[float] = []
        if fill is not None:
            pdf.set_fill_color(*fill)
        if stroke is not None:
            pdf.set_draw_color(*stroke)
            pdf.set_line_width(width * self.unit)
            pattern: Any = gc.get_dashes()[1]
            dashes = [float(d) * self.unit for d in (pattern or ())[:2]]
            if dashes:
                pdf.set_dash_pattern(*dashes)
        style = "DF" if stroke is not None else "F"
        with self._clip(gc):
            polygons: list[Any] = path.to_polygons(transform, closed_only=False)
            for points in _finite_runs(polygons, self._xy):
                # Agg fills nothing of a two-point path (a tick mark has a face colour).
                if fill is not None and len(points) > 2:
                    pdf.polygon(points, style=style)
                elif stroke is not None and len(points) > 1:
                    pdf.polyline(points, style="D")
        if dashes:
            pdf.set_dash_pattern()

    # -- helpers -----------------------------------------------------------------------
    def _font(self, prop: FontProperties) -> Any:
        key = FAMILY.lower() + ("B" if _bold(prop) else "")
        return self.pdf.fonts[key]

    def _extent(self, font: Any, char: str) -> tuple[float, float]:
        """Return the lowest and highest point of ``char``'s outline, in ems."""
        key = (id(font), char)
        found = self._extents.get(key)
        if found is None:
            ttfont = font.ttfont
            name = ttfont.getBestCmap().get(ord(char))
            glyph = ttfont["glyf"][name] if name is not None else None
            em = ttfont["head"].unitsPerEm
            found = (0.0, 0.0)
            if glyph is not None and glyph.numberOfContours:
                found = (glyph.yMin / em, glyph.yMax / em)
            self._extents[key] = found
        return found

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.unit, self.top + (self.height - y) * self.unit

    @contextmanager
    def _clip(self, gc: GraphicsContextBase) -> Iterator[None]:
        box = gc.get_clip_rectangle()
        if box is None:
            yield
            return
        (x0, y0), (x1, y1) = box.get_points()
        left, top = self._xy(x0, y1)
        right, bottom = self._xy(x1, y0)
        with self.pdf.rect_clip(left, top, right - left, bottom - top):
            yield


def _finite_runs(polygons: list[Any], place: Any) -> Iterator[list[tuple[float, float]]]:
    """Yield each polygon's runs of finite points, placed on the page.

    matplotlib leaves NaN in a path where data is missing (a gap); written to the
    PDF it would be ``nan nan l``, an operator no reader knows.
    """
    for poly in polygons:
        run: list[tuple[float, float]] = []
        for px, py in poly.tolist():
            if math.isfinite(px) and math.isfinite(py):
                run.append(place(float(px), float(py)))
            elif run:
                yield run
                run = []
        if run:
            yield run


def draw(pdf: FPDF, fig: Figure, left: float, top: float, width: float) -> float:
    """Draw ``fig`` with its top-left corner at (``left``, ``top``), ``width`` wide
    (the document's unit); return its height."""
    fig.set_dpi(72)  # one display unit = one point
    fw, fh = (float(v) for v in fig.get_size_inches())
    renderer = PdfRenderer(pdf, left, top, fw * 72, fh * 72, width * pdf.k / (fw * 72))
    fig.draw(renderer)
    return width * fh / fw
