"""Report charts with matplotlib's object API: thread-safe under a server.

Every function takes ``ax=None`` and returns the Axes it drew on; without an
Axes it makes its own :class:`~matplotlib.figure.Figure` on an Agg canvas.
Nothing here touches ``pyplot`` or ``rcParams``: the text uses matplotlib's
default family, DejaVu Sans, which covers Vietnamese (see ``fonts``).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, FigureBase
from matplotlib.patches import Patch
from PIL import Image

from surveyapp.definitions.characters import printable
from surveyapp.renderers.fonts import nfc
from surveyapp.renderers.wording import N_, pick, t
from surveyapp.reporting.model import AgencyRow, DimensionReport, ItemReport, Trend

#: Diverging palette for 5 answer steps, disagree (red) to agree (blue); colour-blind safe.
STEPS5 = ("#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0")
ACCENT = "#0b4f8a"
CITY = "#8c8c8c"
FLAGGED = "#b36b00"


def new_figure(width: float, height: float) -> Figure:
    """Return a Figure of ``width`` x ``height`` inches on its own Agg canvas."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _axes(
    ax: Axes | None,
    width: float,
    height: float,
    *,
    left: float = 0.6,
    bottom: float = 0.45,
    top: float = 0.15,
    right: float = 0.2,
) -> Axes:
    """Return ``ax``, or the Axes of a new figure with margins given in inches.

    Fixed margins instead of a constrained layout: the layout solver would draw
    every chart twice, and reports draw many charts.
    """
    if ax is not None:
        return ax
    fig = new_figure(width, height)
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )
    return fig.add_subplot()


def root(fig: FigureBase) -> Figure:
    """Return the top-level Figure of ``fig`` (a chart's ``ax.figure`` may be a SubFigure)."""
    while not isinstance(fig, Figure):
        parent = fig.figure
        if parent is None or parent is fig:
            raise TypeError("the chart is not drawn on a Figure")
        fig = parent
    return fig


def png(fig: FigureBase, dpi: int = 150) -> bytes:
    """Return ``fig`` as PNG bytes."""
    fig = root(fig)
    out = io.BytesIO()
    # Light compression: PNG encoding dominates rendering time; fpdf2 embeds the data as is.
    fig.savefig(out, format="png", dpi=dpi, pil_kwargs={"compress_level": 2})
    return out.getvalue()


def raster(fig: FigureBase, dpi: int = 150) -> Image.Image:
    """Return ``fig`` drawn at ``dpi`` as an RGB image, without encoding it.

    For documents that compress pixels themselves: fpdf2 decodes a PNG and deflates
    its pixels again, so encoding one first only costs time (~40 ms a chart).
    """
    fig = root(fig)
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    # matplotlib's Agg canvas methods carry no annotations.
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height(physical=True)
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return Image.frombuffer("RGBA", (width, height), pixels).convert("RGB")


def svg(fig: FigureBase) -> bytes:
    """Return ``fig`` as SVG bytes (text drawn as paths: no font needed to view it)."""
    fig = root(fig)
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def literal(text: str) -> str:
    """Return ``text`` for a matplotlib Text that draws it exactly as written.

    matplotlib reads text between two ``$`` as math (``$5 to $10``, or a 500 for
    ``$\\nosuchcommand$``); every ``$`` escaped, none is, and matplotlib shows
    ``\\$`` as ``$``. Escaping each string, rather than ``parse_math=False`` on
    each Text, also covers the tick labels matplotlib makes while drawing.
    Characters no document may hold become U+FFFD.
    """
    return printable(nfc(text)).replace("$", r"\$")


def _wrap(text: str, width: int = 48, lines: int = 2) -> str:
    wrapped = textwrap.wrap(printable(nfc(text)), width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1] + "…"]
    return literal("\n".join(wrapped))


def diverging_bars(items: Sequence[ItemReport], ax: Axes | None = None) -> Axes:
    """Draw each item's answer distribution as a bar centred on the neutral answer.

    Negative answers extend left of zero, positive ones right; the neutral middle
    step is split across zero. Items with fewer respondents than ``min_n`` are
    labelled "(n nhỏ)" in the item name.
    """
    ax = _axes(ax, 7.0, 0.45 * len(items) + 1.0, left=2.7, bottom=0.5, top=0.45)
    labels: list[str] = []
    legend: list[str] = []
    # One barh call per answer step across all items (not one per bar): building
    # a chart's artists cost as much as drawing them.
    steps: dict[tuple[int, int], tuple[list[int], list[float], list[float]]] = {}
    for row, item in enumerate(items):
        pcts = [v.pct or 0.0 for v in item.distribution]
        k = len(pcts)
        mid = k // 2 if k % 2 else None
        left = -(sum(pcts[: k // 2]) + (pcts[mid] / 2 if mid is not None else 0.0))
        for step, pct in enumerate(pcts):
            rows, lefts, widths = steps.setdefault((k, step), ([], [], []))
            rows.append(row)
            lefts.append(left)
            widths.append(pct)
            if pct >= 7:
                ax.text(left + pct / 2, row, f"{pct:.0f}", ha="center", va="center", fontsize=7)
            left += pct
        flag = "" if item.reliable else " (n nhỏ)"
        labels.append(_wrap(pick(item.text_vi, item.text_en)) + flag)
        if not legend:
            legend = [literal(pick(v.label_vi, v.label_en)) for v in item.distribution]
    for (k, step), (rows, lefts, widths) in steps.items():
        colours = STEPS5 if k == 5 else _palette(k)
        ax.barh(rows, widths, left=lefts, color=colours[step], edgecolor="white", linewidth=0.5)
    ax.set_yticks(range(len(items)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"], fontsize=7)
    ax.set_xlabel(t(N_("%% of answers")), fontsize=7)
    if legend:
        handles = [Patch(color=c) for c in (STEPS5 if len(legend) == 5 else _palette(len(legend)))]
        ax.legend(
            handles,
            legend,
            ncols=len(legend),
            fontsize=6,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            frameon=False,
            handlelength=1.2,
            columnspacing=1.0,
        )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _palette(k: int) -> list[str]:
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    return [cmap(x) for x in np.linspace(0.1, 0.9, max(k, 1))]


def comparison_bars(
    agency: Sequence[DimensionReport], city: Sequence[DimensionReport], ax: Axes | None = None
) -> Axes:
    """Draw % satisfied per dimension, agency against city, with 95% intervals."""
    ax = _axes(ax, 7.0, 0.5 * len(agency) + 0.8, left=2.3)
    by_key = {d.key: d for d in city}
    y = np.arange(len(agency))
    for offset, (label, colour, dims) in enumerate(
        (
            (t(N_("Agency")), ACCENT, list(agency)),
            (t(N_("City")), CITY, [by_key.get(d.key) for d in agency]),
        )
    ):
        values = [d.satisfied_pct if d and d.satisfied_pct is not None else np.nan for d in dims]
        err = np.array(
            [
                (v - d.satisfied_ci.lower, d.satisfied_ci.upper - v)
                if d and d.satisfied_ci and not np.isnan(v)
                else (0.0, 0.0)
                for d, v in zip(dims, values, strict=True)
            ]
        ).T
        ax.barh(
            y + 0.38 * offset,
            values,
            height=0.36,
            color=colour,
            label=label,
            xerr=err,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
    ax.set_yticks(y + 0.19, [_wrap(pick(d.title_vi, d.title_en), 30) for d in agency], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t(N_("%% satisfied (95%% CI)")), fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


#: At most this many period labels under a trend chart; more would overlap.
MAX_PERIOD_LABELS = 12


def trend_chart(trend: Trend, ax: Axes | None = None) -> Axes:
    """Draw the index per period with 95% intervals; small periods in a warning colour.

    A period without responses is a gap in the line, never a point at NaN; only
    every k-th period is labelled when there are more than ``MAX_PERIOD_LABELS``,
    and ``n`` is printed for periods that have responses.
    """
    ax = _axes(ax, 7.0, 2.6, bottom=0.55)
    rows = list(trend.periods)
    # One line per run of periods with an index: no NaN reaches a drawing.
    run: list[tuple[int, float]] = []
    for i, r in enumerate([*rows, None]):
        if r is not None and r.index is not None:
            run.append((i, r.index))
            continue
        if run:
            xs, ys = zip(*run, strict=True)
            ax.plot(xs, ys, color=ACCENT, marker="o", linewidth=1.2, markersize=3)
            run = []
    for i, r in enumerate(rows):
        if r.index is not None and r.index_ci is not None:
            colour = ACCENT if r.reliable else FLAGGED
            ax.vlines(i, r.index_ci.lower, r.index_ci.upper, color=colour, linewidth=1)
        if r.index is not None and not r.reliable:
            ax.plot(i, r.index, marker="o", color=FLAGGED, markersize=5)
    step = max(1, -(-len(rows) // MAX_PERIOD_LABELS))
    shown = range(0, len(rows), step)
    labels = [
        literal(rows[i].label) + (f"\nn={rows[i].n_responses}" if rows[i].n_responses else "")
        for i in shown
    ]
    ax.set_xticks(list(shown), labels, fontsize=6)
    ax.set_xlim(-0.5, max(len(rows) - 0.5, 0.5))
    ax.set_ylim(0, 100)
    ax.set_ylabel(t(N_("Index")), fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def caterpillar(
    rows: Sequence[AgencyRow], ax: Axes | None = None, highlight: str | None = None
) -> Axes:
    """Draw agencies' index with 95% intervals, best first; small samples in orange."""
    shown = [r for r in rows if r.index is not None]
    shown.sort(key=lambda r: -(r.index or 0.0))
    ax = _axes(ax, 7.0, 0.16 * len(shown) + 0.8, left=0.6)
    for i, r in enumerate(shown):
        colour = ACCENT if r.reliable else FLAGGED
        if r.code == highlight:
            colour = "#c00000"
        if r.index_ci is not None:
            ax.hlines(i, r.index_ci.lower, r.index_ci.upper, color=colour, linewidth=1.2)
        ax.plot(float(r.index or 0.0), i, marker="o", color=colour, markersize=3.5)
    ax.set_yticks(range(len(shown)), [literal(r.code) for r in shown], fontsize=6)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t(N_("Satisfaction index (95%% CI)")), fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def heatmap(
    codes: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    ax: Axes | None = None,
) -> Axes:
    """Draw agencies x dimensions % satisfied; the weakest cells darkest red."""
    ax = _axes(ax, 7.0, 0.18 * len(codes) + 1.4, left=0.6, top=1.0, bottom=0.2, right=0.1)
    data = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)
    if data.size == 0:
        data = np.full((max(len(codes), 1), max(len(columns), 1)), np.nan)
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn"].with_extremes(bad="#f0f0f0")
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for (i, j), v in np.ndenumerate(data):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=5.5)
    ax.set_xticks(range(len(columns)), [_wrap(c, 16) for c in columns], fontsize=6)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(codes)), [literal(c) for c in codes], fontsize=6)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.5, pad=0.02)
    colorbar.set_label(t(N_("%% satisfied")), fontsize=7)
    colorbar.ax.tick_params(labelsize=6)
    return ax


def driver_bars(names: Sequence[str], shares: Sequence[float], ax: Axes | None = None) -> Axes:
    """Draw each driver's share of explained variance (relative weight, % of R²)."""
    ax = _axes(ax, 7.0, 0.35 * len(names) + 0.8, left=2.3)
    order = np.argsort(shares)[::-1]
    ax.barh(range(len(names)), [shares[i] for i in order], color=ACCENT)
    ax.set_yticks(range(len(names)), [_wrap(names[i], 30) for i in order], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(t(N_("%% of R²")), fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
