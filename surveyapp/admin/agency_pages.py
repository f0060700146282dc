"""An agency's own pages: webmaster (snippet, preview, origin check), QR poster, dossier codes.

Admins reach every agency's; an agency user only its own (others answer 404).
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.admin.blueprint import allow_upload, bp, flash_problems, page, require_manager
from surveyapp.admin.diagnosis import diagnose
from surveyapp.admin.forms import (
    CsvUploadForm,
    DossierGenerateForm,
    DossierRequireForm,
    OriginCheckForm,
)
from surveyapp.admin.preview import preview_language, render_form
from surveyapp.auth.downloads import download_response
from surveyapp.embedding import form_link, make_snippet
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency, QuestionnaireVersion, User
from surveyapp.origins import display_origin
from surveyapp.receipts import ALPHABET
from surveyapp.security import DEFAULT_CSP
from surveyapp.services import audit, dossiers, posters
from surveyapp.services.questionnaires import definition_of, get_version, list_versions

CODES_LIMIT = 2 * 1024 * 1024
#: The live preview may be framed by the console's own pages only.
FRAME_CSP = DEFAULT_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _version(slug: str) -> QuestionnaireVersion:
    try:
        return get_version(db_app.session(), slug)
    except NotFoundError:
        abort(404)


def _slugs() -> list[str]:
    return sorted({v.questionnaire.slug for v in list_versions(db_app.session())})


def _public_url() -> str:
    return str(current_app.config["PUBLIC_URL"])


@bp.route("/agencies/<code>/webmaster/<slug>", methods=["GET", "POST"])
def webmaster(code: str, slug: str) -> Response:
    """The snippet to copy, a live preview, the allowed origins and a check of a page's URL."""
    _user, agency = require_manager(code)
    version = _version(slug)
    lang = preview_language()
    title = version.title_en if lang == "en" else version.title_vi
    snippet = make_snippet(_public_url(), slug, agency.code, lang, title)
    origins = [o.origin for o in agency.origins]
    form = OriginCheckForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            result = diagnose(form.page_url.data or "", origins, _public_url())
        else:
            status = 400 if "csrf_token" in form.errors else 422
    return page(
        "admin/webmaster.html",
        status,
        agency=agency,
        slug=slug,
        lang=lang,
        snippet=snippet,
        origins=origins,
        origins_shown=[display_origin(o) for o in origins],
        form=form,
        result=result,
        slugs=_slugs(),
    )


@bp.get("/agencies/<code>/webmaster/<slug>/frame")
def webmaster_frame(code: str, slug: str) -> Response:
    """The agency's form as the embedded iframe shows it, framable by the console only."""
    _user, agency = require_manager(code)
    version = _version(slug)
    body = render_form(definition_of(version), preview_language(), agency=agency, embed=True)
    # Not a staff page's headers: this page exists to be framed by the webmaster page.
    g.surveyapp_staff_page = False
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAME_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/agencies/<code>/poster/<slug>.<fmt>")
def poster(code: str, slug: str, fmt: str) -> Response:
    """A printable QR poster (PDF or PNG) linking to the agency's form; ``?counter=1`` marks it."""
    _user, agency = require_manager(code)
    if fmt not in posters.FORMATS:
        abort(404)
    version = _version(slug)
    lang = preview_language()
    url = posters.poster_url(
        form_link(_public_url(), slug, agency.code, lang),
        counter=request.args.get("counter") == "1",
    )
    text = posters.PosterText(
        agency.name_vi, agency.name_en, version.title_vi, version.title_en, url
    )
    if fmt == "pdf":
        return download_response(
            posters.poster_pdf(text), f"poster-{agency.code}-{slug}.pdf", "application/pdf"
        )
    return download_response(
        posters.poster_png(text), f"poster-{agency.code}-{slug}.png", "image/png"
    )


def new_codes(count: int, prefix: str) -> list[str]:
    """Return ``count`` random one-time codes like ``Q1-7K3Q-XM2D`` (40 random bits each)."""
    return [
        f"{prefix}-"
        + "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(2))
        for _ in range(count)
    ]


def _dossier_page(user: User, agency: Agency, status: int = 200) -> Response:
    session = db_app.session()
    loaded, used = dossiers.count_codes(session, agency.id)
    required = []
    for slug in _slugs():
        version = get_version(session, slug)
        is_required = dossiers.is_required(session, agency.id, version.questionnaire_id)
        form = DossierRequireForm(
            formdata=None, data={"questionnaire": slug, "required": is_required}
        )
        required.append((slug, is_required, form))
    return page(
        "admin/dossiers.html",
        status,
        agency=agency,
        loaded=loaded,
        used=used,
        upload_form=CsvUploadForm(),
        generate_form=DossierGenerateForm(formdata=None, data={"count": 100}),
        required=required,
    )


@bp.get("/agencies/<code>/dossiers")
def dossier_codes(code: str) -> Response:
    """How many of the agency's dossier codes are loaded and used; load or generate more."""
    user, agency = require_manager(code)
    return _dossier_page(user, agency)


@bp.post("/agencies/<code>/dossiers/upload")
def dossier_upload(code: str) -> Response:
    """Load the codes of a file (one a line, or CSV with a ``code`` column), all or nothing."""
    user, agency = require_manager(code)
    allow_upload(CODES_LIMIT)
    try:
        form = CsvUploadForm()
    except RequestEntityTooLarge:
        flash(
            _("file: the file is larger than %(mib)s MiB", mib=CODES_LIMIT // 1024 // 1024), "error"
        )
        return redirect(url_for("admin.dossier_codes", code=agency.code), 303)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a file"), "error")
        return redirect(url_for("admin.dossier_codes", code=agency.code), 303)
    raw = form.file.data.read(CODES_LIMIT + 1)
    try:
        if len(raw) > CODES_LIMIT:
            raise InputError(
                Problem("the file is larger than %(n)s MiB", n=CODES_LIMIT // 1024 // 1024)
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(Problem("the file is not UTF-8 text")) from None
        with db_app.get_db().write() as session:
            result = dossiers.load_codes(session, agency.id, dossiers.parse_codes(text))
            audit.record(
                session,
                user,
                "dossier.load",
                f"agency:{agency.code}",
                {"added": result.added, "existing": result.existing},
            )
    except InputError as exc:
        flash_problems(exc)
    else:
        flash(
            _(
                "Added %(added)s codes (%(existing)s already loaded)",
                added=result.added,
                existing=result.existing,
            ),
            "ok",
        )
    return redirect(url_for("admin.dossier_codes", code=agency.code), 303)


@bp.post("/agencies/<code>/dossiers/generate")
def dossier_generate(code: str) -> Response:
    """Generate, load and download (CSV) new one-time codes for the agency."""
    user, agency = require_manager(code)
    form = DossierGenerateForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Between 1 and 10000 codes"), "error")
        return redirect(url_for("admin.dossier_codes", code=agency.code), 303)
    codes = new_codes(int(form.count.data or 0), agency.code)
    with db_app.get_db().write() as session:
        result = dossiers.load_codes(session, agency.id, codes)
        audit.record(
            session, user, "dossier.generate", f"agency:{agency.code}", {"added": result.added}
        )
    body = "code\n" + "".join(f"{c}\n" for c in codes)
    return download_response(body, f"dossier-codes-{agency.code}.csv", "text/csv")


@bp.post("/agencies/<code>/dossiers/require")
def dossier_require(code: str) -> Response:
    """Require a dossier code for one of the agency's questionnaires, or stop requiring it."""
    user, agency = require_manager(code)
    form = DossierRequireForm()
    if not form.validate_on_submit():
        abort(400)
    version = _version(form.questionnaire.data or "")
    with db_app.get_db().write() as session:
        dossiers.set_required(
            session, agency.id, version.questionnaire_id, bool(form.required.data)
        )
        audit.record(
            session,
            user,
            "dossier.require" if form.required.data else "dossier.unrequire",
            f"agency:{agency.code}",
            {"questionnaire": form.questionnaire.data},
        )
    flash(_("Saved"), "ok")
    return redirect(url_for("admin.dossier_codes", code=agency.code), 303)


@bp.get("/agencies/<code>/embedding")
def webmaster_index(code: str) -> Response:
    """The agency's questionnaires, each with its webmaster page and QR posters."""
    _user, agency = require_manager(code)
    return page("admin/embedding.html", agency=agency, slugs=_slugs())
