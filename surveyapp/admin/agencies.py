"""Agencies: list, add, edit, deactivate and import from CSV (admin only)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.admin.blueprint import allow_upload, bp, flash_problems, page, require_admin
from surveyapp.admin.forms import ActionForm, AgencyEditForm, AgencyForm, CsvUploadForm
from surveyapp.auth import require_recent_auth
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency
from surveyapp.services import agency_theme, audit
from surveyapp.services.agencies import (
    AgencyInput,
    add_agency,
    get_agency,
    import_agencies,
    list_agencies,
    stored_forms,
)

#: Largest agency CSV accepted by the console's import.
CSV_LIMIT = 1024 * 1024


def _flash_stored_forms(data: AgencyInput) -> None:
    """Tell the admin which origins were stored in another form (punycode) than typed."""
    for given, stored in stored_forms(data.origins):
        flash(_("%(given)s is stored as %(stored)s", given=given, stored=stored), "ok")


def _input(form: AgencyForm) -> AgencyInput:
    return AgencyInput(
        code=form.code.data or "",
        name_vi=form.name_vi.data or "",
        name_en=form.name_en.data or "",
        kind=form.kind.data or "",
        origins=(form.origins.data or "").split(),
    )


@bp.route("/", methods=["GET"])
def index() -> Response:
    """The console's home: what the signed-in user may manage."""
    from surveyapp.admin.blueprint import require_staff
    from surveyapp.services import triage

    user = require_staff()
    session = db_app.session()
    if user.role == "admin":
        return page(
            "admin/index.html",
            agencies=list_agencies(session, include_inactive=True),
            held=triage.count_held(session),
        )
    return page("admin/index.html", agencies=[user.agency], held=None)


@bp.route("/agencies", methods=["GET", "POST"])
def agencies() -> Response:
    """List every agency; add one (POST)."""
    user = require_admin()
    form = AgencyForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with db_app.get_db().write() as session:
                    agency = add_agency(session, _input(form))
                    audit.record(session, user, "agency.add", f"agency:{agency.code}")
            except InputError as exc:
                flash_problems(exc)
                status = 422
            else:
                flash(_("Added %(code)s", code=agency.code), "ok")
                _flash_stored_forms(_input(form))
                return redirect(url_for("admin.agencies"), 303)
        else:
            status = 400 if "csrf_token" in form.errors else 422
    return page(
        "admin/agencies.html",
        status,
        form=form,
        import_form=CsvUploadForm(),
        action_form=ActionForm(),
        agencies=list_agencies(db_app.session(), include_inactive=True),
    )


@bp.route("/agencies/<code>", methods=["GET", "POST"])
def agency_edit(code: str) -> Response:
    """Edit an agency's names, kind, origins and theme (colour, logo); the code stays."""
    user = require_admin()
    try:
        agency = get_agency(db_app.session(), code)
    except NotFoundError:
        abort(404)
    if request.method == "POST":
        # The embed origins decide who may frame the form: a recent password first.
        require_recent_auth(url_for("admin.agency_edit", code=agency.code))
        # A logo may be larger than what other forms may send (MAX_CONTENT_LENGTH).
        allow_upload(agency_theme.LOGO_MAX_BYTES)
    try:
        form = AgencyEditForm()
    except RequestEntityTooLarge:
        flash(
            _("logo: the file is larger than %(kib)s KiB", kib=agency_theme.LOGO_MAX_BYTES // 1024),
            "error",
        )
        return _edit_page(agency, _filled(AgencyEditForm(formdata=None), agency), 413)
    status = 200
    if request.method == "GET":
        _filled(form, agency)
    elif form.validate_on_submit():
        data = _input(form)
        data.code = agency.code
        upload = form.logo.data
        try:
            # Decoding and re-encoding the image happens before the write lock is taken.
            theme = agency_theme.check_theme(
                form.theme_color.data,
                upload.read(agency_theme.LOGO_MAX_BYTES + 1) if upload else None,
                remove_logo=bool(form.remove_logo.data),
            )
            with db_app.get_db().write() as session:
                was_active = agency.active
                saved = add_agency(session, data, replace=True)
                saved.active = was_active
                changed = agency_theme.apply_theme(session, saved, theme)
                audit.record(
                    session,
                    user,
                    "agency.edit",
                    f"agency:{saved.code}",
                    {"origins": [o.origin for o in saved.origins], **changed},
                )
        except InputError as exc:
            flash_problems(exc)
            status = 422
        else:
            flash(_("Saved %(code)s", code=agency.code), "ok")
            _flash_stored_forms(data)
            return redirect(url_for("admin.agency_edit", code=agency.code), 303)
    else:
        status = 400 if "csrf_token" in form.errors else 422
    return _edit_page(agency, form, status)


def _filled(form: AgencyEditForm, agency: Agency) -> AgencyEditForm:
    form.code.data = agency.code
    form.name_vi.data = agency.name_vi
    form.name_en.data = agency.name_en
    form.kind.data = agency.kind
    form.origins.data = "\n".join(o.origin for o in agency.origins)
    form.theme_color.data = agency.theme_color or ""
    return form


def _edit_page(agency: Agency, form: AgencyEditForm, status: int) -> Response:
    with db_app.get_db().session() as session:
        theme = agency_theme.get_theme(session, agency.code)
    return page(
        "admin/agency_edit.html",
        status,
        form=form,
        agency=agency,
        action_form=ActionForm(formdata=None),  # the body may be unreadable (413)
        logo_size=theme.logo_size if theme else None,
        logo_version=theme.logo_sha256[:16] if theme and theme.logo_sha256 else None,
    )


@bp.post("/agencies/<code>/active")
def agency_active(code: str) -> Response:
    """Deactivate an agency (it keeps its responses, takes no new ones) or reactivate it."""
    user = require_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    make_active = request.form.get("active") == "1"
    with db_app.get_db().write() as session:
        try:
            agency = get_agency(session, code)
        except NotFoundError:
            abort(404)
        if agency.active != make_active:
            agency.active = make_active
            action = "agency.activate" if make_active else "agency.deactivate"
            audit.record(session, user, action, f"agency:{agency.code}")
    flash(
        f"{agency.code}: " + (_("active") if make_active else _("deactivated")),
        "ok",
    )
    return redirect(url_for("admin.agencies"), 303)


@bp.post("/agencies/import")
def agencies_import() -> Response:
    """Add or update agencies from a CSV file, all or nothing."""
    user = require_admin()
    allow_upload(CSV_LIMIT)
    try:
        form = CsvUploadForm()
    except RequestEntityTooLarge:
        flash(_("file: the file is larger than %(kib)s KiB", kib=CSV_LIMIT // 1024), "error")
        return redirect(url_for("admin.agencies"), 303)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a CSV file"), "error")
        return redirect(url_for("admin.agencies"), 303)
    raw = form.file.data.read(CSV_LIMIT + 1)
    try:
        if len(raw) > CSV_LIMIT:
            raise InputError(Problem("the file is larger than %(n)s KiB", n=CSV_LIMIT // 1024))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(Problem("the file is not UTF-8 text")) from None
        with db_app.get_db().write() as session:
            result = import_agencies(session, text)
            audit.record(
                session,
                user,
                "agency.import",
                None,
                {"added": result.added, "updated": result.updated},
            )
    except InputError as exc:
        flash_problems(exc)
    else:
        flash(
            _(
                "Imported: %(added)s added, %(updated)s updated",
                added=result.added,
                updated=result.updated,
            ),
            "ok",
        )
    return redirect(url_for("admin.agencies"), 303)
