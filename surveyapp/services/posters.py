"""QR posters for one-stop-shop counters: the agency's name and a QR code to its form.

An agency's poster links to its form; a counter's poster (``counter_poster``)
names the counter and links to that counter's kiosk page
(``/k/counter?agency=CODE&counter=C``), which a personal phone opens as an
ordinary form. PDF (A4 or A5, vector QR code, for printing) with fpdf2 and PNG
(for screens and messages) with Pillow; the agency's theme colour, if it has
one, bands the top and bottom. Both use both use DejaVu Sans, shipped with matplotlib, which
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

from surveyapp.models import Agency
from surveyapp.models.counters import Counter

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FORMATS = ("pdf", "png")
#: Paper sizes of the PDF, portrait, in millimetres.
SIZES = {"a4": (210.0, 297.0), "a5": (148.0, 210.0)}
#: The questionnaire a counter's poster opens (the kiosk page's).
COUNTER_SLUG = "counter"
SCAN_VI = "Quét mã để đánh giá sự hài lòng"
SCAN_EN = "Scan the code to rate our service"


@dataclass(frozen=True)
class PosterText:
    """Everything printed on a poster."""

    agency_vi: str
    agency_en: str
    title_vi: str
    title_en: str
    url: str
    #: The counter's names, for a counter's poster.
    counter_vi: str | None = None
    counter_en: str | None = None
    #: The agency's theme colour (``#rrggbb``), None for black and white.
    theme_color: str | None = None


def counter_url(base_url: str, agency_code: str, counter_code: str) -> str:
    """Return the link a counter's QR code carries: that counter's kiosk page."""
    query = urlencode({"agency": agency_code, "counter": counter_code})
    return f"{base_url.rstrip('/')}/k/{COUNTER_SLUG}?{query}"


def counter_poster(agency: Agency, counter: Counter, public_url: str) -> PosterText:
    """What a counter's poster prints: agency, counter, and the link to its kiosk page."""
    return PosterText(
        agency.name_vi,
        agency.name_en,
        "Đánh giá sự hài lòng tại quầy tiếp nhận và trả kết quả",
        "Rate our service at the counter",
        counter_url(public_url, agency.code, counter.code),
        counter_vi=counter.name_vi,
        counter_en=counter.name_en,
        theme_color=agency.theme_color,
    )


def _rgb(color: str | None) -> tuple[int, int, int] | None:
    if not color or len(color) != 7 or not color.startswith("#"):
        return None
    try:
        return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
    except ValueError:
        return None


def poster_url(link: str, *, counter: bool) -> str:
    """Return the form link, marked ``channel=counter`` when the poster hangs at a counter."""
    if not counter:
        return link
    parts = urlsplit(link)
    query = [*parse_qsl(parts.query), ("channel", "counter")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def poster_pdf(text: PosterText, *, size: str = "a4") -> bytes:
    """Return a portrait poster as PDF on A4 (``size="a4"``) or A5 paper."""
    if size not in SIZES:
        raise ValueError(f"unknown poster size {size!r}: use one of {', '.join(SIZES)}")
    page_w, page_h = SIZES[size]
    k = page_w / 210  # every length and font size is drawn for A4, then scaled
    pdf = FPDF(format=(page_w, page_h), unit="mm")
    title = text.counter_vi or text.title_vi
    pdf.set_title(f"{text.agency_vi} - {title}")
    pdf.set_creator("surveyapp")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    band = _rgb(text.theme_color)
    if band is not None:
        pdf.set_fill_color(*band)
        pdf.rect(0, 0, page_w, 10 * k, style="F")
        pdf.rect(0, page_h - 10 * k, page_w, 10 * k, style="F")
    margin = 20 * k
    width = page_w - 2 * margin

    def lines(value: str, style: str, points: float, height: float) -> None:
        pdf.set_font("DejaVu", style, points * k)
        pdf.set_x(margin)
        pdf.multi_cell(width, height * k, value, align="C")

    pdf.set_xy(margin, 20 * k)
    lines(text.agency_vi, "B", 24, 11)
    lines(text.agency_en, "", 14, 7)
    pdf.ln(6 * k)
    if text.counter_vi:
        lines(text.counter_vi, "B", 30, 13)
        lines(text.counter_en or "", "", 15, 8)
        pdf.ln(2 * k)
        lines(text.title_vi, "", 13, 7)
    else:
        lines(text.title_vi, "B", 18, 9)
        lines(text.title_en, "", 13, 7)
    qr = qr_code(text.url)
    qr_size = 120.0 * k
    top = max(pdf.get_y() + 8 * k, 110.0 * k)
    _draw_qr(pdf, qr, (page_w - qr_size) / 2, top, qr_size)
    pdf.set_xy(margin, top + qr_size + 6 * k)
    lines(SCAN_VI, "B", 15, 8)
    lines(SCAN_EN, "", 12, 6)
    lines(text.url, "", 9, 5)
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
    band = _rgb(text.theme_color)
    if band is not None:
        draw.rectangle((0, 0, width, round(47 * scale)), fill=band)
        draw.rectangle((0, height - round(47 * scale), width, height), fill=band)
    if text.counter_vi:
        blocks: tuple[tuple[str, Path, int], ...] = (
            (text.agency_vi, FONT_BOLD, 56),
            (text.agency_en, FONT, 34),
            (text.counter_vi, FONT_BOLD, 70),
            (text.counter_en or "", FONT, 36),
        )
    else:
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
        (SCAN_VI, FONT_BOLD, 36),
        (SCAN_EN, FONT, 28),
        (text.url, FONT, 20),
    ):
        font = ImageFont.truetype(str(font_path), round(points * scale))
        line_width = draw.textlength(value, font=font)
        draw.text(((width - line_width) / 2, y), value, font=font, fill="black")
        y += round(points * scale * 1.4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
