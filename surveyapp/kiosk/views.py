"""Kiosk views: the rating page, its answers (JSON), device enrolment, the service worker.

URLs: ``/k/<slug>?agency=CODE&counter=COUNTER`` (optional ``officer``, ``code``,
``lang``), ``POST /k/<slug>/answers`` (same query; a JSON rating),
``/k/enrol`` (the page the enrolment link opens; the secret travels in the
fragment, never to the server's logs) and ``/k/sw.js`` (the service worker,
scope ``/k/``). An enrolled device carries its secret in the ``surveyapp_kiosk``
cookie: its queued ratings are accepted for ``KIOSK_QUEUE_DAYS`` days; any
other browser gets the same page as an ordinary form, sent at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.embedding import OriginRefusedError, check_request_origin
from surveyapp.errors import NotFoundError
from surveyapp.i18n import LANGUAGE_NAMES, LANGUAGES, current_language
from surveyapp.jsonbody import JSONBodyError, read_json
from surveyapp.kiosk.blocks import blocks_of
from surveyapp.kiosk.intake import IntakeError, read_rating
from surveyapp.limits import client_and_questionnaire, limiter, submit_limit, view_limit
from surveyapp.models import utcnow
from surveyapp.models.counters import Counter
from surveyapp.public import theme
from surveyapp.public.common import app_origins, origin_headers, policy
from surveyapp.services import dossiers, kiosks, submissions
from surveyapp.services.counter_channel import CounterFields, clean_officer
from surveyapp.services.counters import find_counter
from surveyapp.services.submissions import DOSSIER_KEY, Invalid, OpenForm, SubmissionRefusedError
from surveyapp.tokens import TokenError, issue_token

bp = Blueprint("kiosk", __name__)

COOKIE = "surveyapp_kiosk"
#: Browsers keep a cookie at most 400 days; the device renews it with every page.
COOKIE_MAX_AGE = 400 * 86400
#: The questionnaire an enrolled kiosk opens.
KIOSK_SLUG = "counter"
#: Query parameters the page keeps for the next person (the dossier code is not kept).
KEPT = ("agency", "counter", "officer")


class RefusedError(Exception):
    """A kiosk request is refused: HTTP status, a machine word and a message for the device."""

    def __init__(self, status: int, error: str, message: str) -> None:
        self.status = status
        self.error = error
        self.message = message
        super().__init__(message)


def _revoked() -> RefusedError:
    return RefusedError(
        403,
        "kiosk_revoked",
        _(
            "This device is no longer enrolled as a kiosk, so its ratings are refused. "
            "Ask an administrator to enrol it again."
        ),
    )


def _identify() -> kiosks.KioskInfo | None:
    """Return the enrolled kiosk of this request (None: an ordinary browser)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    with db_app.get_db().write() as session:
        found = kiosks.identify(session, raw)
    if found is None:
        raise RefusedError(
            403,
            "kiosk_unknown",
            _("This device's enrolment is not known. Ask an administrator to enrol it again."),
        )
    if found.revoked:
        raise _revoked()
    return found


def _open(slug: str) -> tuple[OpenForm, Counter]:
    """Return the agency's form and the counter named by the query; RefusedError otherwise."""
    agency_code = request.args.get("agency", "")[:64]
    counter_code = request.args.get("counter", "")[:64]
    try:
        with db_app.get_db().session() as session:
            opened = submissions.open_form(session, slug, agency_code or "-")
            if opened.agency is None:  # open_form with a code always names the agency
                raise NotFoundError(agency_code)
            counter = find_counter(session, opened.agency.id, counter_code)
    except NotFoundError:
        raise RefusedError(
            404, "not_found", _("This questionnaire or agency does not exist.")
        ) from None
    except SubmissionRefusedError as exc:
        raise RefusedError(exc.status, "closed", _refusal_message(exc)) from None
    if counter is None:
        raise RefusedError(404, "no_counter", _("This agency has no counter with the code given."))
    if not counter.active:
        raise RefusedError(410, "counter_inactive", _("This counter no longer takes ratings."))
    return opened, counter


def _check_placement(kiosk: kiosks.KioskInfo | None, counter: Counter) -> None:
    if kiosk is None:
        return
    if kiosk.agency_id != counter.agency_id or (
        kiosk.counter_id is not None and kiosk.counter_id != counter.id
    ):
        raise RefusedError(
            403,
            "kiosk_elsewhere",
            _("This device is enrolled at another counter: open its own page."),
        )


def _officer() -> str | None:
    try:
        return clean_officer(request.args.get("officer"))
    except ValueError:
        raise RefusedError(
            400, "officer", _("The civil servant's staff code in this address is not valid.")
        ) from None


def _refusal_message(exc: SubmissionRefusedError) -> str:
    if exc.reason == submissions.CLOSED:
        return _("This questionnaire is not open for answers at the moment.")
    messages = {
        403: _("This form can only be sent from the questionnaire's own page."),
        410: _("This agency no longer takes part in surveys."),
    }
    return messages.get(
        exc.status, _("This form could not be accepted. Open the questionnaire again.")
    )


def _dossier_used() -> str:
    return _("This dossier has already been rated, or its code is not known.")


def _base_url(slug: str, **extra: str) -> str:
    kept = {k: request.args[k] for k in KEPT if request.args.get(k)}
    return request.root_path + f"/k/{slug}?" + urlencode({**kept, **extra})


def _languages(slug: str) -> list[dict[str, Any]]:
    lang = current_language()
    extra = {k: request.args[k] for k in ("code",) if request.args.get(k)}
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": _base_url(slug, **extra, **({"lang": code} if code != "vi" else {})),
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def _html(template: str, status: int, **context: Any) -> Response:
    body = render_template(template, lang=current_language(), **context)
    response = current_app.make_response((body, status))
    # The page holds a person's answers while they are given: never kept by the browser's
    # HTTP cache or back-forward cache (the service worker keeps the blank page).
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(slug: str, refusal: RefusedError) -> Response:
    return _html(
        "kiosk/problem.html",
        refusal.status,
        message=refusal.message,
        error=refusal.error,
        again_url=_base_url(slug),
        languages=_languages(slug),
        agency_name=None,
        counter_name=None,
        agency_theme=None,
    )


@bp.get("/k/<slug>")
@limiter.limit(view_limit, key_func=client_and_questionnaire)
def page(slug: str) -> Response:
    """Show the kiosk page of an agency's counter (blank, for the next person)."""
    try:
        kiosk = _identify()
        officer = _officer()
        opened, counter = _open(slug)
        _check_placement(kiosk, counter)
        agency = opened.agency
        if agency is None:  # pragma: no cover - _open always names an agency
            raise RefusedError(404, "not_found", _("This questionnaire or agency does not exist."))
        code = request.args.get("code", "")[:64].strip()
        if code and opened.dossier_required:
            with db_app.get_db().session() as session:
                if dossiers.unused_code_id(session, agency.id, code) is None:
                    raise RefusedError(409, "dossier_used", _dossier_used())
        lang = current_language()
        blocks = blocks_of(opened.definition, lang)
    except RefusedError as refusal:
        return _problem(slug, refusal)
    except ValueError:
        return _problem(
            slug,
            RefusedError(404, "not_found", _("This questionnaire cannot be shown on a kiosk.")),
        )
    token = issue_token(str(current_app.config["SECRET_KEY"]), opened.version.id, agency.id)
    config = current_app.config
    base = _base_url(slug)
    return _html(
        "kiosk/page.html",
        200,
        title=opened.definition.title.get(lang),
        description=opened.definition.description.get(lang)
        if opened.definition.description
        else None,
        agency_name=agency.name(lang),
        counter_name=counter.name_en if lang == "en" else counter.name_vi,
        agency_theme=theme.page_theme_of(agency.theme),
        blocks=blocks,
        token=token,
        dossier_required=opened.dossier_required,
        officer=officer,
        enrolled=kiosk is not None,
        post_url=request.root_path
        + f"/k/{slug}/answers?"
        + urlencode({**{k: request.args[k] for k in KEPT if request.args.get(k)}, "lang": lang}),
        base_url=base,
        cache_urls=[base, _base_url(slug, lang="en")],
        idle_seconds=int(config["KIOSK_IDLE_SECONDS"]),
        thanks_seconds=int(config["KIOSK_THANKS_SECONDS"]),
        languages=_languages(slug),
    )


def _device_key() -> str:
    """Limit an enrolled kiosk by its secret (its queue drains at its own pace), else by client."""
    raw = request.cookies.get(COOKIE)
    if raw:
        return "kiosk:" + hashlib.sha256(raw.encode()).hexdigest()[:24]
    return client_and_questionnaire()


def _json(status: int, payload: Mapping[str, Any]) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused_json(refusal: RefusedError) -> Response:
    return _json(refusal.status, {"error": refusal.error, "message": refusal.message})


@bp.post("/k/<slug>/answers")
@limiter.limit(submit_limit, key_func=_device_key)
def answers(slug: str) -> Response:
    """Store one rating sent by a kiosk page (at once, or later from its offline queue)."""
    now = utcnow()
    try:
        try:
            rating = read_rating(read_json(), now)
        except JSONBodyError as exc:
            raise RefusedError(400, "body", str(exc)) from None
        except IntakeError as exc:
            raise RefusedError(400, exc.field, str(exc)) from None
        kiosk = _identify()
        _opened, counter = _open(slug)
        _check_placement(kiosk, counter)
        config = current_app.config
        days = int(config["KIOSK_QUEUE_DAYS"])
        if kiosk is not None and (now - rating.given_at).total_seconds() > days * 86400:
            raise RefusedError(
                410,
                "too_old",
                _(
                    "This rating was given more than %(days)s days ago and can no longer "
                    "be accepted.",
                    days=days,
                ),
            )
        outcome = _submit(slug, rating, kiosk, counter, days)
    except RefusedError as refusal:
        current_app.logger.info("kiosk rating refused: %s", refusal.error)
        return _refused_json(refusal)
    if isinstance(outcome, Invalid):
        if rating.code and any(e.item_key == DOSSIER_KEY for e in outcome.errors):
            return _refused_json(RefusedError(409, "dossier_used", _dossier_used()))
        lang = current_language()
        return _json(
            422,
            {
                "error": "invalid",
                "message": _("Some answers could not be accepted."),
                "errors": [
                    {"field": e.item_key, "message": e.message(lang)} for e in outcome.errors
                ],
            },
        )
    return _json(
        200 if outcome.replayed else 201,
        {"receipt": outcome.receipt, "replayed": outcome.replayed},
    )


def _submit(
    slug: str, rating: Any, kiosk: kiosks.KioskInfo | None, counter: Counter, days: int
) -> submissions.Stored | Invalid:
    """Hand the rating to the ordinary submission path, on the ``counter`` channel."""
    config = current_app.config
    # An enrolled kiosk's page may have been loaded days before its queue is sent;
    # an ordinary browser's form expires as any public form does.
    max_age = days * 86400 if kiosk is not None else int(config["FORM_TOKEN_MAX_AGE"])
    fields = CounterFields(
        counter_id=counter.id,
        nonce=rating.nonce,
        given_at=rating.given_at if kiosk is not None else utcnow(),
        fill_seconds=rating.fill_seconds,
        officer_code=rating.officer,
    )
    submission = submissions.Submission(
        slug=slug,
        token=rating.token,
        answers=rating.answers,
        channel="counter",
        agency_code=request.args.get("agency", ""),
        honeypot=rating.honeypot,
        dossier_code=rating.code,
        headers=origin_headers(),
        reject_unknown=True,
        counter=fields,
    )
    try:
        return submissions.submit(
            db_app.get_db(), submission, dataclasses.replace(policy(), token_max_age=max_age)
        )
    except SubmissionRefusedError as exc:
        raise RefusedError(exc.status, "refused", _refusal_message(exc)) from None
    except TokenError:
        raise RefusedError(
            410,
            "expired",
            _("This page was open for too long. The rating could not be accepted."),
        ) from None


@bp.get("/k/enrol")
def enrol_page() -> Response:
    """The page an enrolment link opens: it sends the link's secret and goes to the counter."""
    return _html("kiosk/enrol.html", 200, agency_name=None, counter_name=None, agency_theme=None)


@bp.post("/k/enrol")
def enrol() -> Response:
    """Check a device secret sent by the enrolment page; keep it in the device's cookie."""
    try:
        check_request_origin(origin_headers(), app_origins())
    except OriginRefusedError:
        return _refused_json(
            RefusedError(403, "origin", _("This form can only be sent from the app's own page."))
        )
    try:
        body = read_json()
    except JSONBodyError:
        body = None
    raw = body.get("secret") if isinstance(body, dict) else None
    if not isinstance(raw, str):
        raw = ""
    with db_app.get_db().write() as session:
        found = kiosks.identify(session, raw)
    if found is None:
        return _refused_json(
            RefusedError(403, "kiosk_unknown", _("This enrolment link is not valid."))
        )
    if found.revoked:
        return _refused_json(_revoked())
    start = (
        request.root_path
        + f"/k/{KIOSK_SLUG}?"
        + urlencode({"agency": found.agency_code, "counter": found.counter_code or ""})
    )
    response = _json(200, {"start": start})
    response.set_cookie(
        COOKIE,
        raw,
        max_age=COOKIE_MAX_AGE,
        path="/k/",
        httponly=True,
        samesite="Lax",
        secure=str(current_app.config["PUBLIC_URL"]).startswith("https:"),
    )
    return response


@bp.get("/k/sw.js")
def service_worker() -> Response:
    """Serve the kiosk's service worker from /k/ (its scope); browsers check it for updates."""
    # Read whole (a few kB) rather than streamed: a plain response gets every security
    # header of the app's other pages, and no file is left open.
    script = Path(current_app.static_folder or "static", "kiosk-sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    # Never cached: a device always gets the current worker.
    response.headers["Cache-Control"] = "no-store"
    return response
