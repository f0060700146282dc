"""Token-protected API: report JSON for a token's agency (city tokens: every agency and
the city-wide report) and the list of questionnaires.

Send ``Authorization: Bearer <token>`` (tokens are created in the admin console).
A missing, unknown or revoked token answers 401, and so does an expired one, with
a message saying so; a report the token may not read answers 404, as an unknown
agency does, so codes are not revealed. Each token has its own rate limit over the
report routes (``SURVEYAPP_RATELIMIT_API_TOKEN``): beyond it, 429 with Retry-After.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from surveyapp import db_app
from surveyapp.api.views import _error, bp
from surveyapp.errors import InputError, NotFoundError
from surveyapp.limits import client_key, limiter
from surveyapp.models import Agency
from surveyapp.models.admin import ApiToken
from surveyapp.reporting import build, serialise
from surveyapp.reporting.aggregates import StaleAggregatesError
from surveyapp.reporting.bounds import check_days
from surveyapp.routing import bounded_int
from surveyapp.services import api_tokens, report_choice
from surveyapp.services.questionnaires import list_versions

#: A day as the document's `date` format writes it (fromisoformat alone takes 20170101).
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

GRAINS = ("month", "quarter", "half", "year")
#: Version numbers are 32-bit integers in the database (PostgreSQL refuses larger ones).
MAX_VERSION = 2**31 - 1
UNAUTHORISED = "send a valid API token as 'Authorization: Bearer <token>'"
EXPIRED = "this API token expired on {date}; ask an administrator for a new one"


class _RefusedError(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _unauthorised(message: str = UNAUTHORISED) -> Response:
    response = _error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="surveyapp"'
    return response


def token_key() -> str:
    """Key the token rate limit by the token sent (its hash), else by the client."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return f"no-token:{client_key()}"
    return "token:" + api_tokens.hash_token(raw.strip()[:200])[:32]


def token_limit() -> str:
    return str(current_app.config["RATELIMIT_API_TOKEN"])


#: One budget per token over every report route.
_token_limit = limiter.shared_limit(token_limit, scope="api-token", key_func=token_key)


def _token() -> ApiToken:
    """Return the request's live token or raise _RefusedError (401)."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise _RefusedError(_unauthorised())
    database = db_app.get_db()
    with database.session() as session:
        token = api_tokens.find_token(session, raw.strip())
    if token is None:
        raise _RefusedError(_unauthorised())
    now = dt.datetime.now(dt.UTC)
    if api_tokens.is_expired(token, now):
        date = token.expires_at.date().isoformat()
        raise _RefusedError(_unauthorised(EXPIRED.format(date=date)))
    last = token.last_used_at
    if last is None or now - last >= api_tokens.USE_RESOLUTION:
        with database.write() as session:
            api_tokens.note_use(session, token.id, now)
    return token


def _arg(name: str) -> str | None:
    """Return query parameter ``name``, None when absent; an empty value is refused (400),
    as the document says: leave a parameter out to take its default."""
    raw = request.args.get(name)
    if raw == "":
        raise _RefusedError(_error(400, f"{name} is empty: leave it out or give a value"))
    return raw


def _date(name: str) -> dt.date | None:
    raw = _arg(name)
    if raw is None:
        return None
    try:
        if not DAY.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _RefusedError(_error(400, f"{name} must be a date YYYY-MM-DD")) from None


def _options() -> dict[str, Any]:
    first, last = _date("from"), _date("to")
    try:
        check_days(first, last)
    except InputError as exc:
        raise _RefusedError(_error(400, str(exc))) from None
    grain = _arg("period") or "quarter"
    if grain not in GRAINS:
        raise _RefusedError(_error(400, f"period must be one of {', '.join(GRAINS)}"))
    raw_version = _arg("version")
    try:
        version = bounded_int(raw_version, "version", 1, MAX_VERSION) if raw_version else None
    except ValueError as exc:
        raise _RefusedError(_error(400, str(exc))) from None
    return {
        "slug": _arg("questionnaire"),
        "version": version,
        "first": first,
        "last": last,
        "grain": grain,
        "timezone": str(current_app.config["TIMEZONE"]),
    }


def _with_default(options: dict[str, Any], agency_id: int | None) -> dict[str, Any]:
    """Fill in the default questionnaire (the dashboard's) when none was asked for."""
    if options["slug"] is not None:
        return options
    chosen = report_choice.default_questionnaire(
        db_app.session(),
        agency_id=agency_id,
        first=options["first"],
        last=options["last"],
        timezone=options["timezone"],
    )
    return options if chosen is None else {**options, "slug": chosen.slug}


def _report(make: Any) -> Response:
    try:
        with db_app.get_db().session() as session:
            report = make(session)
    except NotFoundError as exc:
        return _error(404, str(exc).strip("'\""))
    except StaleAggregatesError as exc:
        return _error(503, str(exc))
    except InputError as exc:
        return _error(400, str(exc))
    response = Response(serialise.dumps(report, indent=None), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports/agency/<code>")
@_token_limit
def agency_report(code: str) -> Response:
    """Return one agency's report (JSON, schema surveyapp/report/agency/1)."""
    try:
        token = _token()
        options = _options()
    except _RefusedError as refused:
        return refused.response
    agency_id = db_app.session().scalar(
        select(Agency.id).where(Agency.code == code.strip().upper())
    )
    if agency_id is None or not api_tokens.may_read_agency(token, agency_id):
        return _error(404, "not found")
    options = _with_default(options, agency_id)
    return _report(lambda session: build.agency_report(session, code, **options))


@bp.get("/reports/city")
@_token_limit
def city_report() -> Response:
    """Return the city-wide comparison (JSON, schema surveyapp/report/city/1); city tokens only."""
    try:
        token = _token()
        options = _options()
    except _RefusedError as refused:
        return refused.response
    if not api_tokens.may_read_city(token):
        return _error(404, "not found")
    options = _with_default(options, None)
    return _report(lambda session: build.city_report(session, **options))


@bp.get("/questionnaires")
def questionnaire_list() -> Response:
    """List the questionnaires with their newest version (definitions are public)."""
    newest: dict[str, Any] = {}
    for version in list_versions(db_app.session()):
        newest[version.questionnaire.slug] = version
    body = {
        "questionnaires": [
            {
                "slug": slug,
                "version": v.version,
                "title": {"vi": v.title_vi, "en": v.title_en},
                "versions": [old.version for old in v.questionnaire.versions],
            }
            for slug, v in sorted(newest.items())
        ]
    }
    return jsonify(body)
