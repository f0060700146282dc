"""QR posters for one-stop-shop counters: the agency's name and a QR code to its form.

PDF (A4, vector QR code, for printing) with fpdf2 and PNG (for screens and
messages) with Pillow; both use DejaVu Sans, shipped with matplotlib, which
covers Vietnamese. The QR code is made by segno with error correction level M
(a poster may get a little dirty or creased).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import matplotlib
import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FORMATS = ("pdf", "png")


@dataclass(frozen=True)
class PosterText:
    """Everything printed on a poster."""

    agency_vi: str
    agency_en: str
    title_vi: str
    title_en: str
    url: str


def poster_url(link: str, *, counter: bool) -> str:
    """Return the form link, marked ``channel=counter`` when the poster hangs at a counter."""
    if not counter:
        return link
    parts = urlsplit(link)
    query = [*parse_qsl(parts.query), ("channel", "counter")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def poster_pdf(text: PosterText) -> bytes:
    """Return an A4 portrait poster as PDF."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(f"{text.agency_vi} - {text.title_vi}")
    pdf.set_creator("surveyapp")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_xy(20, 20)
    pdf.set_font("DejaVu", "B", 24)
    pdf.multi_cell(width, 11, text.agency_vi, align="C")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_x(20)
    pdf.multi_cell(width, 7, text.agency_en, align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 18)
    pdf.set_x(20)
    pdf.multi_cell(width, 9, text.title_vi, align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_x(20)
    pdf.multi_cell(width, 7, text.title_en, align="C")
    qr = qr_code(text.url)
    size = 120.0
    top = max(pdf.get_y() + 8, 110.0)
    _draw_qr(pdf, qr, (pdf.w - size) / 2, top, size)
    pdf.set_xy(20, top + size + 6)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 8, "Quét mã để đánh giá sự hài lòng", align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_x(20)
    pdf.multi_cell(width, 6, "Scan the code to rate our service", align="C")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_x(20)
    pdf.multi_cell(width, 5, text.url, align="C")
    return bytes(pdf.output())


def _draw_qr(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """Draw the code as vector rectangles (one per run of dark modules in a row)."""
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def poster_png(text: PosterText, *, width: int = 1240) -> bytes:
    """Return the poster as a PNG ``width`` pixels wide (A4 proportions)."""
    height = round(width * 297 / 210)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    margin = width // 12
    y = margin
    scale = width / 1240
    blocks = (
        (text.agency_vi, FONT_BOLD, 56),
        (text.agency_en, FONT, 34),
        (text.title_vi, FONT_BOLD, 42),
        (text.title_en, FONT, 30),
    )
    for index, (value, font_path, points) in enumerate(blocks):
        font = ImageFont.truetype(str(font_path), round(points * scale))
        for line in _wrap(draw, value, font, width - 2 * margin):
            line_width = draw.textlength(line, font=font)
            draw.text(((width - line_width) / 2, y), line, font=font, fill="black")
            y += round(points * scale * 1.3)
        if index == 1:
            y += round(30 * scale)
    qr = qr_code(text.url)
    buffer = io.BytesIO()
    modules = qr.symbol_size(scale=1, border=4)[0]
    qr.save(buffer, kind="png", scale=max(1, int(width * 0.6) // modules), border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    y += round(30 * scale)
    image.paste(code, ((width - code.width) // 2, y))
    y += code.height + round(20 * scale)
    for value, font_path, points in (
        ("Quét mã để đánh giá sự hài lòng", FONT_BOLD, 36),
        ("Scan the code to rate our service", FONT, 28),
    ):
        font = ImageFont.truetype(str(font_path), round(points * scale))
        line_width = draw.textlength(value, font=font)
        draw.text(((width - line_width) / 2, y), value, font=font, fill="black")
        y += round(points * scale * 1.4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
