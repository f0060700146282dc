"""Public form views: the questionnaire form, its thank-you page and embed.js.

URLs: ``/q/<slug>?agency=CODE`` (an agency's form, embeddable by its listed
origins), ``/q/<slug>`` (the city portal form: the respondent chooses the
agency), ``/q/<slug>/thanks/<receipt>`` and ``/embed.js``. Query parameters:
``lang`` (vi|en), ``embed=1`` (inside an iframe), ``parent`` (the embedding
page's origin, for auto-resizing), ``code`` (prefills a dossier code).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from surveyapp import db_app
from surveyapp.definitions import AnswerError
from surveyapp.embedding import origin_or_none, public_csp
from surveyapp.errors import NotFoundError
from surveyapp.forms.builder import (
    AgencyChoice,
    ErrorLink,
    PublicForm,
    answers_from_formdata,
    build_form,
    error_text,
    page_of,
)
from surveyapp.i18n import LANGUAGE_NAMES, current_language, set_language
from surveyapp.limits import client_and_questionnaire, limiter, submit_limit, view_limit
from surveyapp.public import blank_form, theme
from surveyapp.public.cases import case_offer
from surveyapp.public.common import origin_headers, policy
from surveyapp.services import submissions
from surveyapp.services.submissions import (
    AGENCY_KEY,
    DOSSIER_KEY,
    Invalid,
    OpenForm,
    Submission,
    SubmissionRefusedError,
)
from surveyapp.tokens import TokenError, issue_token

bp = Blueprint("public", __name__)

SHARED_KEYS = ("lang", "embed", "parent")
#: Sent (by form.js) when the respondent switches language: nothing is stored.
SWITCH_FIELD = "_switch"
#: Browsers ask for /favicon.ico on every site; a day's caching spares the requests.
FAVICON_MAX_AGE = 86400


def _keep_query(**changes: str | None) -> dict[str, str]:
    """Return the query parameters a page carries on to the next (embed mode, language)."""
    kept = {k: request.args[k] for k in SHARED_KEYS if k in request.args}
    for key, value in changes.items():
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value
    return kept


def _frame_setup(origins: list[str]) -> tuple[str, str | None]:
    """Return the page's CSP and the parent origin it may post its height to."""
    parent = origin_or_none(request.args.get("parent"))
    return public_csp(origins), parent if parent in origins else None


def _fix_form_language(languages: Sequence[str]) -> None:
    """Show a one-language questionnaire's page in its language, with no switch."""
    if len(languages) == 1:
        set_language(languages[0])
        g.one_language = True


def _switch_link() -> tuple[str, str, str] | None:
    """Return (url, language code, name) of the language switch (None: one language)."""
    if g.get("one_language"):
        return None
    other = "en" if current_language() == "vi" else "vi"
    url = request.path + "?" + urlencode({**request.args.to_dict(), "lang": other})
    return url, other, LANGUAGE_NAMES[other]


def _render(template: str, status: int, origins: list[str], **context: Any) -> Response:
    csp, parent = _frame_setup(origins)
    body = render_template(
        template,
        lang=current_language(),
        embed=request.args.get("embed") == "1",
        parent_origin=parent,
        switch=_switch_link(),
        # form.js turns the history entry of a POST's answer into a GET one: going back
        # to it then shows the form (answers restored by the browser), not "Confirm Form
        # Resubmission".
        posted=request.method == "POST",
        **context,
    )
    response = current_app.make_response((body, status))
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    return response


def _agency_choices(opened: OpenForm, lang: str) -> list[AgencyChoice] | None:
    if opened.agency is not None:
        return None
    return [
        AgencyChoice(a.code, a.name_en if lang == "en" else a.name_vi, a.kind)
        for a in opened.choices
    ]


def _form_page(
    opened: OpenForm,
    form: PublicForm,
    status: int,
    errors: list[AnswerError] | None = None,
    notice: str | None = None,
    *,
    blank: bool = False,
) -> Response:
    """Render the form page; ``blank`` (a new form) reuses the rendered questions."""
    lang = current_language()
    messages = {e.item_key: e.message(lang) for e in errors or []}
    links: list[ErrorLink] = []
    if blank:
        # The blank form's own fields are not needed: the sections are made once.
        sections_html = blank_form.blank_sections(
            opened.version.content_hash,
            lang,
            lambda: page_of(
                build_form(opened.definition, lang)(formdata=None), opened.definition, lang
            )[0],
        )
    else:
        sections, links = page_of(form, opened.definition, lang, messages)
        sections_html = blank_form.render_sections(sections)
    for key, target, text in (
        (AGENCY_KEY, "b-agency", _("Agency")),
        (DOSSIER_KEY, "b-dossier", _("Dossier code")),
    ):
        if key in messages:
            links.insert(0, ErrorLink(target, error_text(text, messages[key])))
    agency = opened.agency
    return _render(
        "public/form.html",
        status,
        list(agency.origins) if agency else [],
        form=form,
        title=opened.definition.title.get(lang),
        description=opened.definition.description.get(lang)
        if opened.definition.description
        else None,
        agency_name=(agency.name_en if lang == "en" else agency.name_vi) if agency else None,
        agency_theme=theme.page_theme_of(agency.theme) if agency else None,
        sections_html=sections_html,
        error_links=links,
        messages=messages,
        notice=notice,
        action=request.path + ("?" + urlencode(request.args.to_dict()) if request.args else ""),
    )


def _problem(
    status: int, message: str, origins: list[str] | None = None, portal_url: str | None = None
) -> Response:
    return _render(
        "public/problem.html", status, origins or [], message=message, portal_url=portal_url
    )


def _open(slug: str, version_id: int | None = None) -> OpenForm:
    # A session of its own, closed before any write: an open read transaction must
    # not enclose the write (the tests' savepoints would then undo it).
    code = request.args.get("agency") or None
    try:
        with db_app.get_db().connect() as conn:
            opened = submissions.open_form(conn, slug, code, version_id)
    except NotFoundError:
        if code is not None and _portal_exists(slug):
            abort(_unknown_agency(slug))
        abort(404)
    except SubmissionRefusedError as exc:
        abort(_refused(exc))
    _fix_form_language(opened.definition.languages)
    return opened


def _portal_exists(slug: str) -> bool:
    try:
        with db_app.get_db().session() as session:
            submissions.open_form(session, slug, None)
    except (NotFoundError, SubmissionRefusedError):
        return False
    return True


def _unknown_agency(slug: str) -> Response:
    """Answer an unknown ``?agency=`` of an existing questionnaire: 404, linking the portal."""
    lang = {"lang": request.args["lang"]} if "lang" in request.args else {}
    return _problem(
        404,
        _("No agency has the code given in this address."),
        portal_url=url_for("public.form", slug=slug, **lang),
    )


@bp.get("/q/<slug>")
@limiter.limit(view_limit, key_func=client_and_questionnaire)
def form(slug: str) -> Response:
    """Show a questionnaire's form (fixed to ``?agency=``, or the city portal form)."""
    opened = _open(slug)
    token = issue_token(
        str(current_app.config["SECRET_KEY"]),
        opened.version.id,
        opened.agency.id if opened.agency else None,
    )
    # The page is the same for every respondent but for its token: built once per
    # (settings, version, agency, language, address) and process, the token put in.
    key = (
        opened.generation,
        opened.version.id,
        opened.agency.id if opened.agency else None,
        current_language(),
        request.path,
        tuple(sorted(request.args.items(multi=True))),
    )
    before, after, csp = blank_form.blank_page(key, lambda: _blank_body(opened))
    response = current_app.make_response((before + token + after, 200))
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    return response


def _blank_body(opened: OpenForm) -> tuple[str, str]:
    """Render the blank form with ``blank_form.TOKEN_MARK`` as its token: (body, CSP)."""
    lang = current_language()
    # Only the token, honeypot, agency and dossier fields: the questions are cached HTML.
    form_class = build_form(
        opened.definition,
        lang,
        agencies=_agency_choices(opened, lang),
        dossier=opened.dossier_required,
        questions=False,
    )
    data: dict[str, Any] = {"token": blank_form.TOKEN_MARK}
    if opened.dossier_required:
        data["dossier"] = request.args.get("code", "")[:64]
    page = _form_page(opened, form_class(formdata=None, data=data), 200, blank=True)
    return page.get_data(as_text=True), page.headers["Content-Security-Policy"]


@bp.post("/q/<slug>")
@limiter.limit(submit_limit, key_func=client_and_questionnaire)
def submit(slug: str) -> Response:
    """Check and store a submission; show the form again (422) or go to the receipt."""
    sent = request.form
    if SWITCH_FIELD in sent:
        # The language switch (form.js) sends the answers so far: show them again in
        # the other language (the URL's ``lang``), with nothing checked or stored.
        return _form_again(slug, None, sent, status=200)
    channel = "embed" if request.args.get("embed") == "1" else "web"
    submission = Submission(
        slug=slug,
        token=sent.get("_token", ""),
        answers={},
        channel=channel,
        agency_code=request.args.get("agency", ""),
        chosen_agency=sent.get(AGENCY_KEY) if "agency" not in request.args else None,
        honeypot=sent.get("_website", ""),
        dossier_code=sent.get(DOSSIER_KEY),
        headers=origin_headers(),
    )
    try:
        # The token names the version answered (a newer one may have been loaded since),
        # and so the answer fields to read; the agency and dossier come from the request.
        outcome = submissions.submit(
            db_app.get_db(),
            submission,
            policy(),
            read_answers=lambda definition: answers_from_formdata(definition, sent),
        )
    except SubmissionRefusedError as exc:
        return _refused(exc)
    except TokenError:
        return _form_again(slug, None, sent, notice=_expired_notice())
    if isinstance(outcome, Invalid):
        return _form_again(slug, outcome.version_id, sent, errors=outcome.errors)
    target = url_for("public.thanks", slug=slug, receipt=outcome.receipt, **_keep_query())
    return redirect(target, code=303)  # type: ignore[return-value]


def _expired_notice() -> str:
    return _(
        "This form was open for too long to be accepted. "
        "Check your answers and send the form again."
    )


def _form_again(
    slug: str,
    version_id: int | None,
    sent: Any,
    *,
    errors: list[AnswerError] | None = None,
    notice: str | None = None,
    status: int = 422,
) -> Response:
    """Show the form again with the answers sent (422): with errors, or a new token."""
    lang = current_language()
    opened = _open(slug, version_id)
    form_class = build_form(
        opened.definition,
        lang,
        agencies=_agency_choices(opened, lang),
        dossier=opened.dossier_required,
    )
    bound = form_class(formdata=sent)
    if notice is not None:
        bound.token.data = issue_token(
            str(current_app.config["SECRET_KEY"]),
            opened.version.id,
            opened.agency.id if opened.agency else None,
        )
    return _form_page(opened, bound, status, errors, notice)


def _refused(exc: SubmissionRefusedError) -> Response:
    messages = {
        400: _("This form could not be accepted. Open the questionnaire again and resend it."),
        403: _("This form can only be sent from the questionnaire's own page."),
        410: _("This agency no longer takes part in surveys."),
    }
    if exc.reason == submissions.CLOSED:
        messages[410] = _("This questionnaire is not open for answers at the moment.")
    current_app.logger.info("public submission refused: %s", exc.reason)
    return _problem(exc.status, messages.get(exc.status, messages[400]))


@bp.get("/q/<slug>/thanks/<receipt>")
def thanks(slug: str, receipt: str) -> Response:
    """Show the receipt of a stored response."""
    try:
        found = submissions.find_receipt(db_app.session(), slug, receipt)
    except NotFoundError:
        abort(404)
    _fix_form_language(found.version.definition.get("languages") or ())
    lang = current_language()
    return _render(
        "public/thanks.html",
        200,
        [o.origin for o in found.agency.origins],
        receipt=found.receipt,
        title=found.version.title_en if lang == "en" else found.version.title_vi,
        agency_name=found.agency.name_en if lang == "en" else found.agency.name_vi,
        case_offer=case_offer(slug, found.receipt),  # a petition or complaint (public/cases.py)
    )


@bp.get("/embed.js")
def embed_js() -> Response:
    """Serve the script that agencies' pages load to insert the form's iframe."""
    response = send_from_directory(
        current_app.static_folder or "static", "embed.js", mimetype="text/javascript", max_age=3600
    )
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Serve the site's small icon (16 and 32 px)."""
    response = send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=FAVICON_MAX_AGE,
    )
    response.headers["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}"
    return response


def public_error(exc: HTTPException) -> Response:
    """Show an error of a public page (404, 405, 413, 429) in the respondent's language."""
    code = exc.code or 500
    messages = {
        404: _("This questionnaire or agency does not exist."),
        405: _("This address does not accept that kind of request."),
        413: _("The form sent is too large."),
        429: _("Too many forms were sent from your connection. Wait a little and try again."),
    }
    response = _problem(code, messages.get(code, exc.description or ""))
    for key, value in exc.get_headers():
        if key in ("Allow", "Retry-After"):
            response.headers[key] = value
    return response
