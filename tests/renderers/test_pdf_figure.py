"""Charts drawn onto PDF pages as vectors and text look like the Agg pictures."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from surveyapp.renderers import charts, pdf_figure
from surveyapp.renderers.fonts import FAMILY, font_path
from surveyapp.renderers.pdf import Document
from tests.conftest import needs_tool
from tests.renderers.test_charts import _item, _row

ITEMS = [
    _item("a", [5, 10, 20, 40, 25]),
    _item("b", [30, 25, 20, 15, 10], reliable=False),
    _item("c", [0, 0, 10, 45, 45]),
]


def _text_and_images(pdf: Document) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf.output_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


def test_chart_labels_are_pdf_text_not_pixels() -> None:
    pdf = Document("Biểu đồ", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.figure(charts.diverging_bars(ITEMS).figure)
    pdf.figure(charts.caterpillar([_row("Q1", 61.5), _row("Q7", 48.0)]).figure)
    text, images = _text_and_images(pdf)
    assert images == 0
    assert "Câu hỏi a về thủ tục hành chính" in text
    assert "Câu hỏi b về thủ tục hành chính (n nhỏ)" in text  # the small-sample flag
    assert "Rất hài lòng" in text and "% câu trả lời" in text  # legend, axis label
    assert "45" in text and "Q7" in text


def test_a_chart_with_an_image_is_placed_as_pixels() -> None:
    pdf = Document("Bản đồ nhiệt", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.figure(charts.heatmap(["Q1", "Q7"], ["Tiếp cận", "Thủ tục"], [[80.0, None], [55.0, 61.0]]))
    assert _text_and_images(pdf)[1] == 1


def _pdf_page(fig: Any, tmp_path: Path) -> Any:
    """The figure drawn alone on a page of its own size, rendered by poppler at 72 dpi."""
    width, height = (float(v) * 72 for v in fig.get_size_inches())
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.add_font(FAMILY, "", str(font_path()))
    pdf.add_font(FAMILY, "B", str(font_path(bold=True)))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    assert pdf_figure.draw(pdf, fig, 0, 0, width) == pytest.approx(height)
    path = tmp_path / "chart.pdf"
    path.write_bytes(bytes(pdf.output()))
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", str(path), str(tmp_path / "chart")],
        check=True,
    )
    return np.asarray(Image.open(tmp_path / "chart.png").convert("L"), dtype=float)


def test_vector_chart_matches_the_agg_picture(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        needs_tool("pdftoppm (Debian poppler-utils) renders PDF pages")
    for make in (
        lambda: charts.diverging_bars(ITEMS),
        lambda: charts.caterpillar([_row("Q1", 61.5), _row("Q7", None), _row("Q9", 30.0)]),
    ):
        agg = np.asarray(charts.raster(make().figure, dpi=72).convert("L"), dtype=float)
        vector = _pdf_page(make().figure, tmp_path)
        assert abs(vector.shape[0] - agg.shape[0]) <= 1 and vector.shape[1] == agg.shape[1]
        rows = min(vector.shape[0], agg.shape[0])  # a fractional page height rounds either way
        agg, vector = agg[:rows], vector[:rows]
        # The same marks in the same places: as much ink (dark pixels) in each row and
        # column band. Text is measured with unhinted advances (a little wider than
        # Agg's hinted ones at 72 dpi), so labels shift by a few pixels, no more.
        ink_agg, ink_vector = agg < 160, vector < 160
        for axis, band in ((0, 8), (1, 8)):
            a = _bands(ink_agg.sum(axis=axis), band)
            v = _bands(ink_vector.sum(axis=axis), band)
            assert np.abs(a - v).sum() <= 0.15 * a.sum(), (axis, np.abs(a - v).sum() / a.sum())
        assert np.abs(agg - vector).mean() < 6


def _bands(profile: Any, width: int) -> Any:
    """Sum a 1-D ink profile over bands of ``width`` pixels."""
    cut = len(profile) // width * width
    return profile[:cut].reshape(-1, width).sum(axis=1)
