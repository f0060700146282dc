"""Public results pages: ``/results``, ``/results/<CODE>``, open data and the scorecard.

No sign-in; Vietnamese by default, English with ``?lang=en``. Only published periods,
and in them only what ``services.public_results`` makes public. The scorecard
(``/results/<CODE>/scorecard``) follows the form's embed rules: only the agency's
listed origins may frame it (CSP frame-ancestors), and ``embed.js`` inserts it.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, abort, current_app, url_for
from flask_babel import gettext as _

from surveyapp import db_app
from surveyapp.i18n import current_language
from surveyapp.limits import client_key, limiter, view_limit
from surveyapp.public.cases import render_public
from surveyapp.renderers.cells import neutralise
from surveyapp.services import public_results
from surveyapp.services.public_results import DICTIONARY, PublicPeriod

bp = Blueprint("results", __name__, url_prefix="/results")

#: Public pages and files may be cached this long by browsers and proxies (seconds).
MAX_AGE = 300


def _min_n() -> int:
    return int(current_app.config["PUBLIC_MIN_N"])


def _periods() -> list[PublicPeriod]:
    return public_results.all_public(
        db_app.session(), str(current_app.config["TIMEZONE"]), _min_n()
    )


def _page(
    template: str, status: int = 200, origins: list[str] | None = None, **ctx: object
) -> Response:
    return render_public(template, status, origins or [], min_n=_min_n(), **ctx)


def _dictionary() -> list[tuple[str, str, str]]:
    # The meanings are translated here: msgids are DICTIONARY's English texts.
    return [(name, kind, _(meaning)) for name, kind, meaning in DICTIONARY]


@bp.get("")
@limiter.limit(view_limit, key_func=client_key)
def index() -> Response:
    """The city ranking of each published period, newest first."""
    return _page("results/index.html", periods=_periods())


@bp.get("/dictionary")
def dictionary() -> Response:
    """The data dictionary of the open data downloads."""
    return _page("results/dictionary.html", fields=_dictionary())


@bp.get("/data.json")
@limiter.limit(view_limit, key_func=client_key)
def data_json() -> Response:
    """Every published period's public figures, with the data dictionary, as JSON."""
    body = {
        "min_n": _min_n(),
        "dictionary": [{"name": n, "type": t, "description": d} for n, t, d in _dictionary()],
        "rows": public_results.open_data_rows(_periods()),
    }
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    return _open(response, "surveyapp-results.json")


@bp.get("/data.csv")
@limiter.limit(view_limit, key_func=client_key)
def data_csv() -> Response:
    """Every published period's public figures as CSV (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _kind, _meaning in DICTIONARY]
    writer.writerow(names)
    for row in public_results.open_data_rows(_periods()):
        writer.writerow(
            [
                neutralise(v) if isinstance(v, str) else ("" if v is None else v)
                for v in row.values()
            ]
        )
    return _open(Response(out.getvalue(), mimetype="text/csv"), "surveyapp-results.csv")


def _open(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<code>")
@limiter.limit(view_limit, key_func=client_key)
def agency(code: str) -> Response:
    """One agency's index in each published period (its trend), where n allows."""
    found = public_results.agency_by_code_or_none(db_app.session(), code)
    if found is None:
        abort(404)
    periods = _periods()
    trend = [(p, p.row_of(found.code)) for p in periods]
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    card = base + url_for("results.scorecard", code=found.code, lang=current_language())
    return _page(
        "results/agency.html",
        agency=found,
        trend=trend,
        scorecard_url=card,
        embed_js=base + "/embed.js",
    )


@bp.get("/<code>/scorecard")
@limiter.limit(view_limit, key_func=client_key)
def scorecard(code: str) -> Response:
    """A small card of the agency's latest published index, framable by its origins."""
    found = public_results.agency_by_code_or_none(db_app.session(), code)
    if found is None:
        abort(404)
    periods = _periods()
    latest = next(((p, p.row_of(found.code)) for p in periods), None)
    return _page(
        "results/scorecard.html",
        origins=[o.origin for o in found.origins],
        agency=found,
        latest=latest,
        total=len(latest[0].rows) if latest else 0,
        page_url=url_for("results.agency", code=found.code, lang=current_language()),
    )
