"""Questionnaires: upload and check a definition, preview, publish, open and close (admin)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import PurePath

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from surveyapp import db_app
from surveyapp.admin import xlsform_upload
from surveyapp.admin.blueprint import (
    allow_upload,
    bp,
    flash_problems,
    page,
    require_admin,
    require_staff,
)
from surveyapp.admin.forms import AvailabilityForm, DefinitionUploadForm, PublishForm
from surveyapp.admin.preview import preview_language, render_form
from surveyapp.definitions import DefinitionError, parse_text
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency
from surveyapp.services import audit, availability
from surveyapp.services.agencies import list_agencies
from surveyapp.services.questionnaires import (
    DEFINITION_SUFFIXES,
    definition_of,
    get_version,
    list_versions,
    store_version,
)
from surveyapp.xlsform import MAX_BYTES as XLSFORM_MAX_BYTES

#: The definition format's own limit (docs/questionnaire-format.md).
MAX_DEFINITION_BYTES = 256 * 1024
ALL_AGENCIES = "*"
PREVIEW_MESSAGE = _("Preview: nothing was stored.")


def _filename(raw: str | None) -> str:
    """Return the uploaded file's base name; raise InputError unless it is a .yaml file."""
    name = PurePath((raw or "").replace("\\", "/")).name
    if not name or PurePath(name).suffix not in DEFINITION_SUFFIXES:
        raise InputError(
            Problem("the file must be a .yaml or .yml definition; its name is the slug")
        )
    return name


def _source_lines(source: str, bad: set[int]) -> list[tuple[int, str, bool]]:
    return [(n, line, n in bad) for n, line in enumerate(source.splitlines(), start=1)]


@bp.get("/questionnaires")
def questionnaires() -> Response:
    """List every questionnaire and its versions; offer the upload form."""
    require_admin()
    return page(
        "admin/questionnaires.html",
        versions=list_versions(db_app.session()),
        form=DefinitionUploadForm(),
    )


@bp.post("/questionnaires/check")
def questionnaire_check() -> Response:
    """Check an uploaded definition: its problems with line numbers, or publish and preview."""
    require_admin()
    allow_upload(XLSFORM_MAX_BYTES)  # an XLSForm workbook may be larger than a YAML file
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a file"), "error")
        return redirect(url_for("admin.questionnaires"), 303)
    if _is_xlsform(form.file.data.filename):
        converted = xlsform_upload.convert_upload(form.file.data)
        if isinstance(converted, xlsform_upload.Refused):
            name = PurePath((form.file.data.filename or "").replace("\\", "/")).name
            return page(
                "admin/xlsform_refused.html",
                422,
                filename=name,
                message=converted.message,
                report=converted.report,
            )
        return _checked_page(converted.filename, converted.source, converted.report)
    raw = form.file.data.read(MAX_DEFINITION_BYTES + 1)
    try:
        filename = _filename(form.file.data.filename)
        if len(raw) > MAX_DEFINITION_BYTES:
            raise InputError(
                Problem("the file is larger than %(n)s KiB", n=MAX_DEFINITION_BYTES // 1024)
            )
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(Problem("the file is not UTF-8 text")) from None
    except InputError as exc:
        flash_problems(exc)
        return redirect(url_for("admin.questionnaires"), 303)
    return _checked_page(filename, source)


def _is_xlsform(raw: str | None) -> bool:
    return PurePath((raw or "").replace("\\", "/")).suffix.lower() == ".xlsx"


def _checked_page(
    filename: str, source: str, report: list[xlsform_upload.ReportLine] | None = None
) -> Response:
    """Show a definition's problems with line numbers, or offer to publish and preview it.

    ``report``: the XLSForm conversion's notes, shown above the Publish button.
    """
    try:
        definition = parse_text(source, filename)
    except DefinitionError as exc:
        return page(
            "admin/questionnaire_check.html",
            422,
            filename=filename,
            problems=exc.problems,
            lines=_source_lines(source, {p.line for p in exc.problems}),
            definition=None,
            publish_form=None,
        )
    publish_form = PublishForm(formdata=None, data={"filename": filename, "source": source})
    return page(
        "admin/questionnaire_check.html",
        filename=filename,
        problems=[],
        lines=[],
        definition=definition,
        items=len(definition.items()),
        publish_form=publish_form,
        report=report or [],
    )


def _checked(form: PublishForm) -> tuple[str, str]:
    if not form.validate_on_submit():
        abort(400)
    try:
        filename = _filename(form.filename.data)
    except InputError:
        abort(400)
    return filename, form.source.data or ""


@bp.post("/questionnaires/publish")
def questionnaire_publish() -> Response:
    """Store a checked definition as the questionnaire's newest version."""
    user = require_admin()
    filename, source = _checked(PublishForm())
    try:
        definition = parse_text(source, filename)
    except DefinitionError:
        flash(_("The file has problems; upload it again"), "error")
        return redirect(url_for("admin.questionnaires"), 303)
    with db_app.get_db().write() as session:
        result = store_version(session, definition, source)
        if result.created:
            audit.record(
                session,
                user,
                "questionnaire.publish",
                f"questionnaire:{result.slug}",
                {"version": result.version},
            )
    if result.created:
        flash(
            _("Published %(slug)s version %(version)s", slug=result.slug, version=result.version),
            "ok",
        )
    else:
        flash(
            _(
                "Unchanged: same as %(slug)s version %(version)s",
                slug=result.slug,
                version=result.version,
            ),
            "ok",
        )
    return redirect(url_for("admin.questionnaire", slug=result.slug), 303)


@bp.post("/questionnaires/preview")
def questionnaire_draft_preview() -> Response:
    """Show a checked, not yet published definition as respondents will see it."""
    require_admin()
    filename, source = _checked(PublishForm())
    try:
        definition = parse_text(source, filename)
    except DefinitionError:
        abort(400)
    portal = list_agencies(db_app.session())
    return Response(
        render_form(definition, preview_language(), agency=None, portal_agencies=portal),
        mimetype="text/html",
    )


@bp.route("/preview-sink", methods=["POST"])
def preview_sink() -> Response:
    """Answer a preview form sent by mistake: nothing is stored."""
    require_staff()  # previews are shown to admins and, in the webmaster page, agency users
    return page("admin/message.html", message=PREVIEW_MESSAGE)


def _local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(str(current_app.config["TIMEZONE"]))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=_local_zone()).astimezone(dt.UTC)


def _availability_form(agencies: list[Agency]) -> AvailabilityForm:
    form = AvailabilityForm()
    form.agency.choices = [SelectChoice(ALL_AGENCIES, _("All agencies"))] + [
        SelectChoice(a.code, f"{a.code} · {a.name_vi}") for a in agencies
    ]
    return form


@bp.get("/questionnaires/<slug>")
def questionnaire(slug: str) -> Response:
    """A questionnaire's versions (all readable), previews and open/close settings."""
    require_admin()
    session = db_app.session()
    try:
        newest = get_version(session, slug)
    except NotFoundError:
        abort(404)
    agencies = list_agencies(session, include_inactive=True)
    names = {a.id: a.code for a in agencies}
    zone = _local_zone()
    settings = [
        {
            "agency": names.get(s.agency_id, "") if s.agency_id else None,
            "open": s.is_open,
            "from": s.opens_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if s.opens_at else "",
            "until": s.closes_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if s.closes_at else "",
        }
        for s in availability.settings_of(session, newest.questionnaire_id)
    ]
    return page(
        "admin/questionnaire.html",
        slug=slug,
        versions=list(reversed(newest.questionnaire.versions)),
        settings=settings,
        form=_availability_form(agencies),
        timezone=str(current_app.config["TIMEZONE"]),
    )


@bp.get("/questionnaires/<slug>/v<int:version>/preview")
def questionnaire_preview(slug: str, version: int) -> Response:
    """Show one stored version (old ones too) as respondents see it; ``?agency=`` and ``?lang=``."""
    require_admin()
    session = db_app.session()
    try:
        stored = get_version(session, slug, version)
    except NotFoundError:
        abort(404)
    agency = None
    code = request.args.get("agency")
    if code:
        agency = next((a for a in list_agencies(session) if a.code == code.upper()), None)
        if agency is None:
            abort(404)
    body = render_form(
        definition_of(stored),
        preview_language(),
        agency=agency,
        portal_agencies=list_agencies(session) if agency is None else None,
    )
    return Response(body, mimetype="text/html")


@bp.get("/questionnaires/<slug>/v<int:version>/source")
def questionnaire_source(slug: str, version: int) -> Response:
    """Send a stored version's definition file as it was loaded."""
    require_admin()
    try:
        stored = get_version(db_app.session(), slug, version)
    except NotFoundError:
        abort(404)
    response = Response(stored.source_text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-v{version}.yaml"'
    return response


@bp.post("/questionnaires/<slug>/availability")
def questionnaire_availability(slug: str) -> Response:
    """Open (optionally for a period) or close a questionnaire for one agency or all."""
    user = require_admin()
    session = db_app.session()
    try:
        newest = get_version(session, slug)
    except NotFoundError:
        abort(404)
    agencies = list_agencies(session, include_inactive=True)
    form = _availability_form(agencies)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for field, messages in form.errors.items():
            label = form[field].label.text if field in form else field
            flash(_("%(field)s: %(problems)s", field=label, problems="; ".join(messages)), "error")
        return redirect(url_for("admin.questionnaire", slug=slug), 303)
    code = form.agency.data
    agency = next((a for a in agencies if a.code == code), None)
    target = f"questionnaire:{slug}" + (f"@{agency.code}" if agency else "")
    try:
        with db_app.get_db().write() as write:
            availability.set_availability(
                write,
                newest.questionnaire_id,
                agency.id if agency else None,
                open_=form.state.data == "open",
                opens_at=_aware(form.opens_at.data),
                closes_at=_aware(form.closes_at.data),
                actor=user,
                target=target,
            )
    except InputError as exc:
        flash_problems(exc)
    else:
        flash(_("Saved"), "ok")
    return redirect(url_for("admin.questionnaire", slug=slug), 303)
