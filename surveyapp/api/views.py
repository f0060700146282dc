"""JSON API for kiosks and agencies' own front ends.

``GET /api/v1/questionnaires/<slug>[?agency=CODE]`` returns the newest definition
and a form token; ``POST /api/v1/responses`` takes
``{"questionnaire": slug, "token": ..., "answers": {...}, "agency": CODE (portal
tokens only), "dossier_code": ..., "lang": "vi"|"en"}`` with the same checks as
the HTML form. CORS is granted only to origins listed by an agency (the exact
origin is echoed, with ``Vary: Origin``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from surveyapp import db_app
from surveyapp.definitions import AnswerError
from surveyapp.embedding import origin_or_none
from surveyapp.errors import NotFoundError
from surveyapp.i18n import LANGUAGES, current_language, set_language
from surveyapp.jsonbody import JSONBodyError, read_json
from surveyapp.limits import (
    client_and_questionnaire,
    client_key,
    limiter,
    submit_limit,
    view_limit,
)
from surveyapp.models import AgencyOrigin
from surveyapp.public.common import origin_headers, policy
from surveyapp.services import submissions
from surveyapp.services.submissions import Invalid, Submission, SubmissionRefusedError
from surveyapp.tokens import TokenError, issue_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MESSAGES = {
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    410: "gone",
    413: "request body too large",
    415: "send the body as application/json",
    429: "too many requests",
}


def _error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def api_error(exc: HTTPException) -> Response:
    """Answer an HTTP error of an API URL as JSON, keeping Allow and Retry-After."""
    code = exc.code or 500
    response = _error(code, MESSAGES.get(code, exc.name.lower()))
    for key, value in exc.get_headers():
        if key in ("Allow", "Retry-After"):
            response.headers[key] = value
    return _cors(response)


def _listed_origin(origin: str | None, agency_code: str | None = None) -> str | None:
    """Return ``origin`` when an agency (the given one, else any) lists it exactly."""
    canonical = origin_or_none(origin)
    if canonical is None:
        return None
    query = select(AgencyOrigin.origin).where(AgencyOrigin.origin == canonical)
    if agency_code:
        from surveyapp.models import Agency

        query = query.join(Agency).where(Agency.code == agency_code.strip().upper())
    return canonical if db_app.session().scalar(query.limit(1)) else None


def _cors(response: Response, agency_code: str | None = None) -> Response:
    response.vary.add("Origin")
    allowed = _listed_origin(request.headers.get("Origin"), agency_code)
    if allowed is not None:
        response.headers["Access-Control-Allow-Origin"] = allowed
    return response


@bp.route("/responses", methods=["OPTIONS"])
@bp.route("/questionnaires/<slug>", methods=["OPTIONS"])
def preflight(slug: str | None = None) -> Response:
    """Answer CORS preflight requests for listed origins only."""
    response = current_app.make_response(("", 204))
    _cors(response)
    if "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/questionnaires/<slug>")
@limiter.limit(view_limit, key_func=client_and_questionnaire)
def questionnaire(slug: str) -> Response:
    """Return the newest definition of ``slug`` and a token to answer it with."""
    agency_code = request.args.get("agency") or None
    try:
        opened = submissions.open_form(db_app.session(), slug, agency_code)
    except NotFoundError as exc:
        return _cors(_error(404, str(exc)), agency_code)
    except SubmissionRefusedError as exc:
        return _cors(_error(exc.status, exc.reason), agency_code)
    token = issue_token(
        str(current_app.config["SECRET_KEY"]),
        opened.version.id,
        opened.agency.id if opened.agency else None,
    )
    body = {
        "slug": slug,
        "version": opened.version.version,
        "agency": opened.agency.code if opened.agency else None,
        "dossier_code_required": opened.dossier_required,
        "token": token,
        "definition": opened.document,
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return _cors(response, agency_code)


def _slug_key() -> str:
    # A body that cannot be read still counts, against the client with no questionnaire.
    try:
        body = read_json() if request.is_json else None
    except JSONBodyError:
        body = None
    slug = body.get("questionnaire") if isinstance(body, dict) else None
    return f"{client_key()}:{slug if isinstance(slug, str) else '-'}"


def _errors_json(errors: list[AnswerError], lang: str) -> list[dict[str, str]]:
    return [{"field": e.item_key, "message": e.message(lang)} for e in errors]


@bp.post("/responses")
@limiter.limit(submit_limit, key_func=_slug_key)
def responses() -> Response:
    """Check and store one response; 201 with its receipt, 200 for a replay, 422 errors."""
    if not request.is_json:
        return _cors(_error(415, MESSAGES[415]))
    try:
        body = read_json()
    except JSONBodyError as exc:
        return _cors(_error(400, str(exc)))
    if not isinstance(body, dict):
        return _cors(_error(400, "the body must be a JSON object"))
    lang = body.get("lang")
    if isinstance(lang, str) and lang in LANGUAGES:
        set_language(lang)
    lang = current_language()
    answers = body.get("answers", {})
    fields = {k: body.get(k) for k in ("questionnaire", "token", "agency", "dossier_code")}
    if not isinstance(answers, dict) or not all(
        v is None or isinstance(v, str) for v in fields.values()
    ):
        return _cors(_error(400, "answers must be an object; other fields strings"))
    if not fields["questionnaire"] or not fields["token"]:
        return _cors(_error(400, "questionnaire and token are required"))
    submission = Submission(
        slug=fields["questionnaire"],
        token=fields["token"],
        answers=answers,
        channel="api",
        chosen_agency=fields["agency"],
        dossier_code=fields["dossier_code"],
        headers=origin_headers(),
        reject_unknown=True,
    )
    try:
        outcome = submissions.submit(db_app.get_db(), submission, policy(allow_headerless=True))
    except SubmissionRefusedError as exc:
        # 400 is kept for bodies that do not match the OpenAPI schema; a well-formed
        # token this server did not issue for this form is refused as content, 422.
        return _cors(_error(422 if exc.status == 400 else exc.status, exc.reason))
    except TokenError:
        return _cors(_error(422, "the token has expired; fetch the questionnaire again"))
    if isinstance(outcome, Invalid):
        return _cors(
            _error(422, "some answers were refused", errors=_errors_json(outcome.errors, lang))
        )
    response = jsonify(
        {
            "receipt": outcome.receipt,
            "replayed": outcome.replayed,
        }
    )
    response.status_code = 200 if outcome.replayed else 201
    return _cors(response)


# Routes of the token-protected API and the OpenAPI document join this blueprint.
from surveyapp.api import openapi, tokens  # noqa: E402, F401
