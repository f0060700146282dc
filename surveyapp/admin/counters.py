"""Counters and kiosks: an agency's counters (add, rename, deactivate, posters) and the
shared devices enrolled at them (enrol, list, revoke). Admin only, but for the
counter posters, which an agency's own users may print as they print its QR poster.

A kiosk's secret is shown once, on the page that answers the enrolment, as a link
and its QR code; only its hash is stored, so no page can show it again.
"""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from surveyapp import db_app
from surveyapp.admin.blueprint import bp, flash_problems, page, require_admin, require_manager
from surveyapp.admin.forms import ActionForm, CounterForm, CounterNamesForm, KioskEnrolForm
from surveyapp.auth import require_recent_auth
from surveyapp.auth.downloads import download_response
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency
from surveyapp.models.counters import Counter, Kiosk
from surveyapp.services import audit, counters, kiosks, posters
from surveyapp.services.agencies import get_agency, list_agencies


def _csrf_first() -> None:
    """On a POST, refuse a missing or bad CSRF token (400) before anything is looked up.

    A forged request then learns nothing, not even whether an agency, counter or kiosk
    exists (ASVS 4.2.2; tests/hostile/test_asvs_access.py).
    """
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            abort(400)


def _agency(code: str) -> Agency:
    try:
        return get_agency(db_app.session(), code)
    except NotFoundError:
        abort(404)


def _counter(agency: Agency, code: str) -> Counter:
    counter = counters.find_counter(db_app.session(), agency.id, code)
    if counter is None:
        abort(404)
    return counter


def _enrol_form(agency: Agency) -> KioskEnrolForm:
    form = KioskEnrolForm()
    form.counter.choices = [
        (row.counter.code, f"{row.counter.code} · {row.counter.name_vi}")
        for row in counters.list_counters(db_app.session(), agency.code)
        if row.counter.active
    ]
    return form


def _counters_page(
    agency: Agency, form: CounterForm, enrol_form: KioskEnrolForm, status: int = 200
) -> Response:
    session = db_app.session()
    return page(
        "admin/counters.html",
        status,
        agency=agency,
        form=form,
        enrol_form=enrol_form,
        action_form=ActionForm(),
        rows=counters.list_counters(session, agency.code),
        kiosks=kiosks.list_kiosks(session, agency.id),
    )


@bp.route("/agencies/<code>/counters", methods=["GET", "POST"])
def counters_list(code: str) -> Response:
    """List an agency's counters and kiosks; add a counter (POST)."""
    user = require_admin()
    _csrf_first()
    agency = _agency(code)
    form = CounterForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with db_app.get_db().write() as session:
                    counter = counters.add_counter(
                        session,
                        agency.code,
                        form.code.data or "",
                        form.name_vi.data or "",
                        form.name_en.data or "",
                    )
                    audit.record(
                        session,
                        user,
                        "counter.add",
                        f"counter:{agency.code}/{counter.code}",
                        {"name_vi": counter.name_vi, "name_en": counter.name_en},
                    )
                    added = counter.code
            except InputError as exc:
                flash_problems(exc)
                status = 422
            else:
                flash(_("Added counter %(code)s", code=added), "ok")
                return redirect(url_for("admin.counters_list", code=agency.code), 303)
        else:
            status = 400 if "csrf_token" in form.errors else 422
    return _counters_page(agency, form, _enrol_form(agency), status)


@bp.route("/agencies/<code>/counters/<counter>", methods=["GET", "POST"])
def counter_edit(code: str, counter: str) -> Response:
    """Change a counter's names (its code stays: it is printed and in links)."""
    user = require_admin()
    _csrf_first()
    agency = _agency(code)
    row = _counter(agency, counter)
    form = CounterNamesForm()
    status = 200
    if request.method == "GET":
        form.name_vi.data = row.name_vi
        form.name_en.data = row.name_en
    elif form.validate_on_submit():
        try:
            with db_app.get_db().write() as session:
                saved = counters.rename_counter(
                    session, agency.code, row.code, form.name_vi.data or "", form.name_en.data or ""
                )
                audit.record(
                    session,
                    user,
                    "counter.edit",
                    f"counter:{agency.code}/{saved.code}",
                    {"name_vi": saved.name_vi, "name_en": saved.name_en},
                )
        except InputError as exc:
            flash_problems(exc)
            status = 422
        else:
            flash(_("Saved counter %(code)s", code=row.code), "ok")
            return redirect(url_for("admin.counters_list", code=agency.code), 303)
    else:
        status = 400 if "csrf_token" in form.errors else 422
    return page("admin/counter_edit.html", status, agency=agency, counter=row, form=form)


@bp.post("/agencies/<code>/counters/<counter>/active")
def counter_active(code: str, counter: str) -> Response:
    """Deactivate a counter (its ratings stay counted, it takes no new ones) or reactivate it."""
    user = require_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    agency = _agency(code)
    row = _counter(agency, counter)
    make_active = request.form.get("active") == "1"
    with db_app.get_db().write() as session:
        if row.active != make_active:
            counters.set_active(session, agency.code, row.code, make_active)
            action = "counter.activate" if make_active else "counter.deactivate"
            audit.record(session, user, action, f"counter:{agency.code}/{row.code}")
    if make_active:
        flash(_("Counter %(code)s takes ratings again", code=row.code), "ok")
    else:
        flash(_("Counter %(code)s deactivated", code=row.code), "ok")
    return redirect(url_for("admin.counters_list", code=agency.code), 303)


@bp.get("/agencies/<code>/counters/<counter>/poster.<fmt>")
def counter_poster(code: str, counter: str, fmt: str) -> Response:
    """A counter's QR poster (PDF, A4 or ``?size=a5``; or PNG) to its kiosk page."""
    _user, agency = require_manager(code)
    size = request.args.get("size", "a4")
    if fmt not in posters.FORMATS or size not in posters.SIZES:
        abort(404)
    row = _counter(agency, counter)
    text = posters.counter_poster(agency, row, str(current_app.config["PUBLIC_URL"]))
    name = f"poster-{agency.code}-counter-{row.code}"
    if fmt == "pdf":
        return download_response(
            posters.poster_pdf(text, size=size), f"{name}-{size}.pdf", "application/pdf"
        )
    return download_response(posters.poster_png(text), f"{name}.png", "image/png")


@bp.post("/agencies/<code>/kiosks")
def kiosk_enrol(code: str) -> Response:
    """Enrol a device at a counter; the answer shows its link and QR code, this once."""
    user = require_admin()
    _csrf_first()
    agency = _agency(code)
    require_recent_auth(url_for("admin.counters_list", code=agency.code))
    form = _enrol_form(agency)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _counters_page(agency, CounterForm(formdata=None), form, 422)
    try:
        with db_app.get_db().write() as session:
            kiosk, secret = kiosks.enrol(
                session, agency.code, form.counter.data or "", form.label.data or "", actor=user
            )
            audit.record(
                session,
                user,
                "kiosk.enrol",
                f"kiosk:{kiosk.id}",
                {"agency": agency.code, "counter": form.counter.data, "label": kiosk.label},
            )
            label, counter_code = kiosk.label, kiosk.counter.code if kiosk.counter else ""
    except (InputError, NotFoundError) as exc:
        flash_problems(exc if isinstance(exc, InputError) else InputError(str(exc)))
        return _counters_page(agency, CounterForm(formdata=None), form, 422)
    link = enrolment_link(str(current_app.config["PUBLIC_URL"]), secret)
    return page(
        "admin/kiosk_enrolled.html",
        201,
        agency=agency,
        label=label,
        counter_code=counter_code,
        link=link,
        qr=segno.make(link, error="m", micro=False).png_data_uri(scale=6, border=4),
    )


def enrolment_link(public_url: str, secret: str) -> str:
    """The link a device opens to enrol: the secret in the fragment, never sent in a URL."""
    return f"{public_url.rstrip('/')}/k/enrol#{secret}"


@bp.get("/kiosks")
def kiosks_list() -> Response:
    """Every enrolled kiosk (or one agency's, ``?agency=``), with its last contact."""
    require_admin()
    session = db_app.session()
    agency = None
    if request.args.get("agency"):
        agency = _agency(request.args["agency"])
    return page(
        "admin/kiosks.html",
        agency=agency,
        agencies=list_agencies(session, include_inactive=True),
        kiosks=kiosks.list_kiosks(session, agency.id if agency else None),
    )


@bp.route("/kiosks/<int:kiosk_id>/revoke", methods=["GET", "POST"])
def kiosk_revoke(kiosk_id: int) -> Response:
    """Ask to confirm (GET), then revoke a kiosk (POST): its queue is refused from then on."""
    user = require_admin()
    _csrf_first()
    kiosk = db_app.session().get(Kiosk, kiosk_id)
    if kiosk is None:
        abort(404)
    form = ActionForm()
    if request.method == "GET":
        return page("admin/kiosk_revoke.html", kiosk=kiosk, action_form=form)
    if not form.validate_on_submit():
        abort(400)
    with db_app.get_db().write() as session:
        was_revoked = kiosk.revoked_at is not None
        revoked = kiosks.revoke(session, kiosk_id)
        if not was_revoked:
            audit.record(
                session,
                user,
                "kiosk.revoke",
                f"kiosk:{revoked.id}",
                {"agency": revoked.agency.code, "label": revoked.label},
            )
    flash(_("Revoked the kiosk %(label)s", label=kiosk.label), "ok")
    return redirect(url_for("admin.kiosks_list"), 303)
