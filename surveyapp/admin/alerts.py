"""An agency's alert settings in the console: watch list, recipients, delivery log.

Admins reach every agency's; an agency user only its own (others answer 404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from surveyapp import db_app
from surveyapp.admin.blueprint import bp, flash_problems, page, require_manager
from surveyapp.admin.forms import RecipientForm, WatchListForm
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency
from surveyapp.services import alert_settings, audit


def _recipient_form(agency: Agency) -> RecipientForm:
    form = RecipientForm()
    accounts = alert_settings.accounts_for(db_app.session(), agency)
    form.account.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.email, f"{u.email} ({u.role})") for u in accounts
    ]
    return form


def _render(agency: Agency, status: int = 200, **forms: object) -> Response:
    session = db_app.session()
    watch = forms.get("watch") or WatchListForm(
        data={"watch_list": alert_settings.watch_list(session, agency)}
    )
    return page(
        "admin/alerts.html",
        status,
        agency=agency,
        watch_form=watch,
        recipient_form=forms.get("recipient") or _recipient_form(agency),
        recipients=alert_settings.recipients(session, agency),
        log=alert_settings.delivery_log(session, agency),
    )


@bp.route("/agencies/<code>/alerts")
def alerts(code: str) -> Response:
    """The agency's watch list, recipients and delivery log."""
    _user, agency = require_manager(code)
    return _render(agency)


@bp.route("/agencies/<code>/alerts/watch-list", methods=["POST"])
def alert_watch_list(code: str) -> Response:
    """Replace the agency's watch list."""
    user, agency = require_manager(code)
    form = WatchListForm()
    if not form.validate_on_submit():
        return _render(agency, 400, watch=form)
    try:
        with db_app.get_db().write() as session:
            terms = alert_settings.set_watch_list(session, agency, form.watch_list.data or "")
            audit.record(session, user, "alerts.watch_list", agency.code, {"terms": len(terms)})
    except InputError as exc:
        flash_problems(exc)
        return _render(agency, 422, watch=form)
    flash(_("Watch list saved: %(n)s terms.", n=len(terms)), "ok")
    return redirect(url_for("admin.alerts", code=agency.code), 303)


@bp.route("/agencies/<code>/alerts/recipients", methods=["POST"])
def alert_recipient_add(code: str) -> Response:
    """Add a recipient of the agency's alerts."""
    user, agency = require_manager(code)
    form = _recipient_form(agency)
    if not form.validate_on_submit():
        return _render(agency, 400, recipient=form)
    new = alert_settings.NewRecipient(
        role=form.role.data or "",
        language=form.language.data or "",
        email=form.email.data or "",
        account=form.account.data or "",
        webhook_url=form.webhook_url.data or "",
        wants_immediate=bool(form.wants_immediate.data),
        wants_signals=bool(form.wants_signals.data),
        wants_digest=bool(form.wants_digest.data),
    )
    try:
        with db_app.get_db().write() as session:
            recipient, secret = alert_settings.add_recipient(session, agency, new)
            audit.record(session, user, "alerts.recipient_add", agency.code, {"id": recipient.id})
    except InputError as exc:
        flash_problems(exc)
        return _render(agency, 422, recipient=form)
    if secret is not None:
        flash(
            _("Webhook added. Its signing secret, shown only now: %(secret)s", secret=secret),
            "ok",
        )
    else:
        flash(_("Recipient added."), "ok")
    return redirect(url_for("admin.alerts", code=agency.code), 303)


@bp.route("/agencies/<code>/alerts/recipients/<int:recipient_id>/remove", methods=["POST"])
def alert_recipient_remove(code: str, recipient_id: int) -> Response:
    """Stop sending the agency's alerts to one recipient (its log stays)."""
    user, agency = require_manager(code)
    if not WatchListForm().validate_on_submit():  # any form: it checks the CSRF token
        abort(400)
    try:
        with db_app.get_db().write() as session:
            alert_settings.remove_recipient(session, agency, recipient_id)
            audit.record(
                session, user, "alerts.recipient_remove", agency.code, {"id": recipient_id}
            )
    except NotFoundError:
        abort(404)
    flash(_("Recipient removed."), "ok")
    return redirect(url_for("admin.alerts", code=agency.code), 303)
