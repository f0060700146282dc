"""PDF documents with fpdf2: pure Python, embeds TrueType subsets, fetches nothing.

fpdf2 was chosen over WeasyPrint (needs Pango/Cairo system libraries and fetches
URLs found in HTML) and ReportLab (larger API, no benefit here): it installs
with pip alone, embeds DejaVu Sans for Vietnamese, and text given to ``cell`` or
``multi_cell`` is drawn literally (markdown off), so free-text answers cannot
inject markup. Charts are drawn onto the page as vectors and text (``pdf_figure``);
images are passed as pixels, never as names or URLs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF, XPos, YPos
from matplotlib.figure import FigureBase

from surveyapp.definitions.characters import printable
from surveyapp.renderers import charts, pdf_figure
from surveyapp.renderers.fonts import FAMILY, font_path, nfc
from surveyapp.renderers.wording import N_, language, t

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (11, 79, 138)
WARN = (179, 107, 0)
HEAD_FILL = (226, 234, 243)
ZEBRA = (247, 248, 250)
SMALL_SAMPLE = N_("⚠ small sample")


#: fpdf2 replaces this with the page count wherever it is printed. It holds U+FFFE,
#: which ``clean`` removes from every other text: no respondent can write it.
PAGES_ALIAS = "\ufffepages\ufffe"


def clean(text: str) -> str:
    """Return ``text`` printable, in NFC, tabs as spaces and CR LF as LF (no glyph for controls)."""
    return printable(nfc(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


@dataclass(frozen=True)
class _TableLayout:
    widths: Sequence[float]
    aligns: Sequence[str]
    size: float


class Document(FPDF):
    """An A4 report page layout: running title, page numbers, embedded DejaVu Sans."""

    def __init__(self, running_title: str, created: dt.datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = clean(running_title)
        self.add_font(FAMILY, "", str(font_path()))
        self.add_font(FAMILY, "B", str(font_path(bold=True)))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_creation_date(created)
        self.set_title(self.running_title)
        self.set_creator("surveyapp")
        self.set_lang(language())
        # Not fpdf2's default {nb}: a comment "page {nb} of 3" is printed as written.
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_text_color(*INK)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*MUTED)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        page, pages = self.page_no(), PAGES_ALIAS
        self.cell(0, 5, t(N_("Page %(page)s/%(pages)s"), page=page, pages=pages), align="C")
        self.set_text_color(*INK)

    # -- blocks ------------------------------------------------------------------------
    def h1(self, text: str) -> None:
        self.set_font(FAMILY, "B", 15)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 7.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)
        self.ln(2)

    def h2(self, text: str, *, new_page: bool = False, need: float = 60) -> None:
        """Write a section heading; start a page when less than ``need`` mm are left."""
        if new_page or self.get_y() > self.h - self.b_margin - need:
            self.add_page()
        else:
            self.ln(3)
        self.set_font(FAMILY, "B", 12)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 6.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_draw_color(*ACCENT)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_text_color(*INK)
        self.ln(2)

    def h3(self, text: str) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(1)
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(0, 5.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(0.5)

    def para(self, text: str, size: float = 9, *, colour: tuple[int, int, int] = INK) -> None:
        """Write ``text`` literally (no markup is interpreted)."""
        self.set_font(FAMILY, "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)
        self.ln(1)

    def warn(self, text: str) -> None:
        self.para(text, 8.5, colour=WARN)

    def data_table(
        self,
        head: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        align: Sequence[str] | None = None,
        size: float = 8,
        flagged: Sequence[bool] | None = None,
    ) -> None:
        """Write a table (``head`` None: no heading row); ``flagged`` rows in orange.

        Drawn with plain cells rather than fpdf2's ``table()``, which lays every
        cell out twice and was most of a report's rendering time.
        """
        aligns = [a[0] for a in align] if align else ["L"] + ["R"] * (len(widths) - 1)
        layout = _TableLayout(widths, aligns, size)
        if head is not None:
            self._table_row(layout, head, bold=True, fill=HEAD_FILL)
        for i, row in enumerate(rows):
            warn = bool(flagged and flagged[i])
            self._table_row(
                layout,
                row,
                fill=ZEBRA if i % 2 else None,
                colour=WARN if warn else INK,
                head=head,
            )
        self.set_text_color(*INK)
        self.ln(2)

    def _table_row(
        self,
        layout: _TableLayout,
        cells: Sequence[str],
        *,
        bold: bool = False,
        fill: tuple[int, int, int] | None = None,
        colour: tuple[int, int, int] = INK,
        head: Sequence[str] | None = None,
    ) -> None:
        self.set_font(FAMILY, "B" if bold else "", layout.size)
        line_h = layout.size * 0.42
        pad = 0.9
        lines = [
            self._lines(clean(t), w - 2 * pad, line_h)
            for t, w in zip(cells, layout.widths, strict=True)
        ]
        height = max(len(x) for x in lines) * line_h + 2 * pad
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            if head is not None:
                self._table_row(layout, head, bold=True, fill=HEAD_FILL)
                self.set_font(FAMILY, "", layout.size)
        x0, y0 = self.l_margin, self.get_y()
        total = sum(layout.widths)
        if fill is not None:
            self.set_fill_color(*fill)
            self.rect(x0, y0, total, height, style="F")
        self.set_text_color(*colour)
        x = x0
        for cell_lines, w, a in zip(lines, layout.widths, layout.aligns, strict=True):
            for k, line in enumerate(cell_lines):
                self.set_xy(x + pad, y0 + pad + k * line_h)
                self.cell(w - 2 * pad, line_h, line, align=a)
            x += w
        self.set_draw_color(205, 210, 216)
        self.set_line_width(0.2)
        self.line(x0, y0 + height, x0 + total, y0 + height)
        self.set_xy(x0, y0 + height)

    def _lines(self, text: str, width: float, line_h: float) -> list[str]:
        if self.get_string_width(text) <= width:
            return [text]
        found = self.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        return [str(line) for line in found] or [""]  # type: ignore[union-attr]

    def figure(self, fig: FigureBase, width: float | None = None, dpi: int = 130) -> None:
        """Place a chart, full text width unless ``width`` mm is given.

        Drawn as vectors and PDF text (``pdf_figure``); a chart with an image (a
        heatmap) as pixels at ``dpi``.
        """
        w = width or self.epw
        fig = charts.root(fig)
        fw, fh = fig.get_size_inches()
        h = w * fh / fw
        if self.get_y() + h > self.h - self.b_margin:
            self.add_page()
        x = self.l_margin + (self.epw - w) / 2
        if any(ax.images for ax in fig.axes):
            self.image(charts.raster(fig, dpi), w=w, x=x)
        else:
            top, line_width = self.get_y(), self.line_width
            font = (self.font_family, self.font_style, self.font_size_pt)
            pdf_figure.draw(self, fig, x, top, w)
            self.set_line_width(line_width)
            self.set_text_color(*INK)
            if font[0]:
                self.set_font(*font)
            self.set_y(top + h)
        self.ln(2)

    def key_figure(self, label: str, value: str, note: str = "") -> None:
        """A large figure with its label and a small note, on one line."""
        top = self.get_y()
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*MUTED)
        self.cell(62, 8, clean(label))
        self.set_font(FAMILY, "B", 13)
        self.set_text_color(*ACCENT)
        self.cell(42, 8, clean(value))
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*INK)
        self.set_xy(self.l_margin + 104, top + 0.8)
        self.multi_cell(0, 3.6, clean(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_y(max(top + 9, self.get_y() + 1.5))

    def methodology(self, sections: Sequence[tuple[str, str]]) -> None:
        """Write the methodology: each heading and its text."""
        self.h2(t(N_("Methodology")), new_page=True)
        for head, text in sections:
            self.h3(head)
            self.para(text, 8.5)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
