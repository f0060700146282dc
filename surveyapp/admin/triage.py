"""Response triage: quarantined responses, accepted or deleted with a reason (admin only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.admin.blueprint import bp, flash_problems, page, require_admin
from surveyapp.admin.forms import TriageForm
from surveyapp.errors import InputError, NotFoundError
from surveyapp.services import audit, triage

REASON_LABELS = {
    # Lazy: made at import, read in each request's language.
    "honeypot": lazy_gettext("Honeypot field filled"),
    "too_fast": lazy_gettext("Sent too fast"),
}


@bp.get("/triage")
def triage_list() -> Response:
    """List the quarantined responses with why they are held."""
    require_admin()
    session = db_app.session()
    held = triage.list_held(session)
    return page(
        "admin/triage.html",
        held=held,
        total=triage.count_held(session),
        forms={h.id: TriageForm(formdata=None, prefix=f"r{h.id}") for h in held},
        labels=REASON_LABELS,
    )


@bp.post("/triage/<int:response_id>")
def triage_decide(response_id: int) -> Response:
    """Accept or soft-delete one response; the reason goes to the audit log."""
    user = require_admin()
    form = TriageForm(prefix=f"r{response_id}")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a decision and give a reason"), "error")
        return redirect(url_for("admin.triage_list"), 303)
    decide = triage.accept if form.action.data == "accept" else triage.delete
    try:
        with db_app.get_db().write() as session:
            response = decide(
                session,
                response_id,
                form.reason.data or "",
                actor=user,
                timezone=str(current_app.config["TIMEZONE"]),
            )
    except NotFoundError:
        abort(404)
    except InputError as exc:
        flash_problems(exc)
    else:
        done = (
            _("Response %(receipt)s accepted.", receipt=response.receipt_code)
            if response.status == "accepted"
            else _("Response %(receipt)s deleted.", receipt=response.receipt_code)
        )
        flash(done, "ok")
    return redirect(url_for("admin.triage_list"), 303)


@bp.get("/audit")
def audit_log() -> Response:
    """The newest audit events."""
    require_admin()
    return page("admin/audit.html", events=audit.recent(db_app.session(), limit=200))
