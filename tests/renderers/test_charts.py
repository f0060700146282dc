"""Charts: object API only (no pyplot), Axes in and out, safe across threads."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from analysis import Interval
from surveyapp.renderers import charts
from surveyapp.reporting.model import AgencyRow, ItemReport, ValueCount, VersusRest

LABELS = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")


def _item(key: str, pcts: list[float], reliable: bool = True) -> ItemReport:
    dist = tuple(
        ValueCount(i + 1, lab, lab, p, p)
        for i, (lab, p) in enumerate(zip(LABELS, pcts, strict=True))
    )
    return ItemReport(
        key,
        "likert",
        "d",
        f"Câu hỏi {key} về thủ tục hành chính",
        key,
        100,
        0,
        0,
        3.5,
        1.0,
        None,
        62.5,
        50.0,
        None,
        dist,
        reliable,
        None,
        None,
    )


def _row(code: str, index: float | None) -> AgencyRow:
    ci = None if index is None else Interval(index - 5, index + 5, 0.95, "delta")
    rest = VersusRest(None, None, None, None, None, None, None)
    return AgencyRow(
        code, code, code, 50, index, ci, 1, 1, 2, 3.5, 50.0, None, rest, True, None, None
    )


def test_functions_draw_on_a_given_axes() -> None:
    fig = charts.new_figure(7, 6)
    axes = fig.subplots(2, 1)
    assert charts.diverging_bars([_item("a", [5, 10, 20, 40, 25])], ax=axes[0]) is axes[0]
    assert charts.caterpillar([_row("Q1", 60.0), _row("Q2", None)], ax=axes[1]) is axes[1]
    assert [t.get_text() for t in axes[1].get_yticklabels()] == ["Q1"]  # no index: not drawn
    left, right = axes[0].patches[0].get_x(), sum(p.get_width() for p in axes[0].patches)
    assert left == -(5 + 10 + 20 / 2)  # centred on the neutral answer
    assert right == 100


def test_no_pyplot() -> None:
    code = (
        "import sys; from surveyapp.renderers import charts, pdf_agency, pdf_city, html;"
        "charts.png(charts.new_figure(2, 2));"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_same_picture_from_many_threads() -> None:
    items = [_item(k, [5, 10, 20, 40, 25]) for k in "abcd"]

    def draw(_: int) -> bytes:
        return charts.png(charts.diverging_bars(items).figure, dpi=60)

    alone = draw(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(draw, range(8)))
    assert all(png == alone for png in together)
