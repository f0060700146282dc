"""Charts for the HTML dashboard: the PDF's charts as SVG ``data:`` images.

``data:`` images are allowed by the staff pages' CSP (``img-src 'self' data:``),
need no JavaScript and no external file, and matplotlib draws text as paths,
so they look the same without the font installed.
"""

from __future__ import annotations

import base64

from matplotlib.figure import FigureBase

from surveyapp.renderers import charts
from surveyapp.renderers.document import AgencyDocument, CityDocument


def data_uri(fig: FigureBase) -> str:
    """Return ``fig`` as a ``data:image/svg+xml;base64,...`` URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(charts.svg(fig)).decode("ascii")


def agency_charts(doc: AgencyDocument) -> dict[str, str]:
    """Return the agency page's charts by name (dimension keys for the answer bars)."""
    r = doc.report
    out: dict[str, str] = {}
    if doc.city is not None:
        out["comparison"] = data_uri(
            charts.comparison_bars(r.dimensions, doc.city.dimensions).figure
        )
    items = {i.key: i for i in r.items}
    for d in r.dimensions:
        shown = [items[k] for k in d.items if k in items]
        if shown:
            out[f"dim:{d.key}"] = data_uri(charts.diverging_bars(shown).figure)
    if r.trend.periods:
        out["trend"] = data_uri(charts.trend_chart(r.trend).figure)
    return out


def city_charts(doc: CityDocument) -> dict[str, str]:
    """Return the city page's charts: caterpillar per kind and the heatmap."""
    out = {
        f"rank:{kind}": data_uri(charts.caterpillar(doc.rows_of_kind(kind)).figure)
        for kind in doc.kinds_present()
    }
    codes = [
        r.code for k in doc.kinds_present() for r in doc.rows_of_kind(k) if r.code in doc.matrix
    ]
    if codes:
        values = [[c.value for c in doc.matrix[code]] for code in codes]
        out["heatmap"] = data_uri(charts.heatmap(codes, doc.dimension_titles, values).figure)
    return out
