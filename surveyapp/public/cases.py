"""A respondent's petition or complaint: the form on the receipt page and ``/r/<receipt>``.

The form is posted from the receipt page (never the questionnaire's own submission),
bound to its response by a signed expiring token, and checked like the public form
against cross-site requests (``Origin``/``Sec-Fetch-Site``/``Referer`` must be the
app's own): no cookie, so it works inside an agency's cross-site iframe, and no
JavaScript. ``/r/<receipt>`` shows the case and its answer, nothing else of the
response; it is rate-limited, and a wrong code is a plain 404 page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from surveyapp import db_app
from surveyapp.embedding import OriginRefusedError, check_request_origin, origin_or_none, public_csp
from surveyapp.errors import NotFoundError
from surveyapp.i18n import LANGUAGE_NAMES, current_language
from surveyapp.limits import client_key, limiter
from surveyapp.models import Response as ResponseRow
from surveyapp.public.common import app_origins, origin_headers
from surveyapp.services import case_intake, feedback_cases
from surveyapp.services.case_intake import CaseForm, CaseInputError, CaseTokenError

bp = Blueprint("cases_public", __name__)

KEPT = ("lang", "embed", "parent")
KIND_LABELS = {"petition": lazy_gettext("Petition"), "complaint": lazy_gettext("Complaint")}
ERROR_TEXTS = {
    "choose": lazy_gettext("Choose whether this is a petition or a complaint."),
    "required": lazy_gettext("Write your petition or complaint."),
    "too_long": lazy_gettext("Shorten the text to at most 2,000 characters."),
    "characters": lazy_gettext("Remove the control characters from this field."),
    "phone": lazy_gettext("Enter a telephone number of digits, for example 0283 829 1234."),
    "email": lazy_gettext("Enter an e-mail address such as name@example.com."),
    "exists": lazy_gettext("A petition or complaint has already been left with this receipt."),
}


def lookup_limit() -> str:
    return str(current_app.config["RATELIMIT_LOOKUP"])


def _kept(**extra: str) -> dict[str, str]:
    return {**{k: request.args[k] for k in KEPT if k in request.args}, **extra}


def render_public(template: str, status: int, origins: list[str], **context: Any) -> Response:
    """Render a public page framable by ``origins`` (CSP), never cached."""
    lang = current_language()
    other = "en" if lang == "vi" else "vi"
    parent = origin_or_none(request.args.get("parent"))
    switch = (
        request.path + "?" + urlencode({**request.args.to_dict(), "lang": other}),
        other,
        LANGUAGE_NAMES[other],
    )
    body = render_template(
        template,
        lang=lang,
        embed=request.args.get("embed") == "1",
        parent_origin=parent if parent in origins else None,
        switch=switch,
        posted=request.method == "POST",
        **context,
    )
    response = current_app.make_response((body, status))
    response.headers["Content-Security-Policy"] = public_csp(origins)
    response.headers["Cache-Control"] = "no-store"
    return response


def not_found(message: str) -> Response:
    return render_public("public/problem.html", 404, [], message=message, portal_url=None)


@dataclass
class CaseOffer:
    """The case form of a receipt page, or the link to the case already left."""

    action: str
    token: str
    lookup_url: str
    exists: bool
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, Any] = field(default_factory=lambda: dict(KIND_LABELS))


def case_offer(slug: str, receipt: str) -> CaseOffer:
    """Return what the receipt page shows of feedback cases (called by the thanks view)."""
    response = case_intake.response_of_receipt(db_app.session(), receipt)
    exists = (
        response is not None
        and case_intake.case_of_response(db_app.session(), response.id) is not None
    )
    return CaseOffer(
        action=url_for("cases_public.leave_case", slug=slug, receipt=receipt, **_kept()),
        token=case_intake.issue_case_token(str(current_app.config["SECRET_KEY"]), receipt),
        lookup_url=url_for("cases_public.lookup", receipt=receipt, **_kept()),
        exists=exists,
    )


def _receipt_page(receipt: str, offer: CaseOffer, status: int, response: ResponseRow) -> Response:
    lang = current_language()
    version, agency = response.questionnaire_version, response.agency
    return render_public(
        "public/thanks.html",
        status,
        [o.origin for o in agency.origins],
        receipt=receipt,
        title=version.title_en if lang == "en" else version.title_vi,
        agency_name=agency.name_en if lang == "en" else agency.name_vi,
        case_offer=offer,
    )


@bp.post("/q/<slug>/thanks/<receipt>/case")
@limiter.limit(lambda: str(current_app.config["RATELIMIT_SUBMIT"]), key_func=client_key)
def leave_case(slug: str, receipt: str) -> Response:
    """Store a petition or complaint for the response of ``receipt``; go to its lookup page."""
    config = current_app.config
    try:
        check_request_origin(origin_headers(), app_origins())
    except OriginRefusedError:
        current_app.logger.info("case form refused: origin")
        return render_public(
            "public/problem.html",
            403,
            [],
            message=_("This form can only be sent from the questionnaire's own page."),
            portal_url=None,
        )
    session = db_app.session()
    response = case_intake.response_of_receipt(session, receipt)
    if response is None or response.questionnaire_version.questionnaire.slug != slug:
        abort(not_found(_("No response has this receipt code.")))
    sent = request.form
    form = CaseForm(
        kind=sent.get("kind", ""),
        text=sent.get("text", ""),
        phone=sent.get("phone", ""),
        email=sent.get("email", ""),
    )
    offer = case_offer(slug, receipt)
    offer.values = {k: sent.get(k, "")[:4000] for k in ("kind", "text", "phone", "email")}
    try:
        case_intake.check_case_token(
            str(config["SECRET_KEY"]),
            sent.get("_token", ""),
            receipt,
            int(config["FORM_TOKEN_MAX_AGE"]),
        )
        with db_app.get_db().write() as writing:
            own = writing.get(ResponseRow, response.id)
            if own is None:
                abort(404)
            case_intake.open_case(writing, own, form, timezone=str(config["TIMEZONE"]))
    except CaseTokenError:
        offer.errors = {"form": _("This page was open for too long. Send the form again.")}
        return _receipt_page(receipt, offer, 422, response)
    except CaseInputError as exc:
        offer.errors = {exc.field: str(ERROR_TEXTS[exc.code])}
        if exc.code == "exists":
            offer.exists = True
        return _receipt_page(receipt, offer, 422, response)
    target = url_for("cases_public.lookup", receipt=receipt, sent="1", **_kept())
    return redirect(target, code=303)  # type: ignore[return-value]


@bp.get("/r/<receipt>")
@limiter.limit(lookup_limit, key_func=client_key)
def lookup(receipt: str) -> Response:
    """Show the petition or complaint left with ``receipt`` and the agency's answer."""
    session = db_app.session()
    try:
        found = feedback_cases.lookup(session, receipt[:32], str(current_app.config["TIMEZONE"]))
    except NotFoundError:
        return not_found(_("No petition or complaint has this receipt code."))
    lang = current_language()
    return render_public(
        "public/case.html",
        200,
        list(found.origins),
        case=found,
        receipt=receipt,
        kind=KIND_LABELS[found.kind],
        agency_name=found.agency_en if lang == "en" else found.agency_vi,
        sent=request.args.get("sent") == "1",
    )
