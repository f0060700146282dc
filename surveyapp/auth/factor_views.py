"""The second factor at sign-in, enrolment, and re-authentication before sensitive actions."""

from __future__ import annotations

import math
import time
from typing import Any, cast

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.auth import REAUTH_AT, SECOND_FACTOR, complete_sign_in, secret_key
from surveyapp.auth.access import current_staff, login_required
from surveyapp.auth.forms import CodeForm, ReauthForm
from surveyapp.auth.redirects import safe_next
from surveyapp.auth.views import bp
from surveyapp.models import User
from surveyapp.services import accounts, second_factor

#: After the password, the code must come within this many seconds.
PENDING_SECONDS = 5 * 60
#: The signed-in-by-password user waiting for its code: user id, session version, time.
PENDING = "_second_factor_pending"


def _address() -> str:
    return request.remote_addr or "unknown"


def _page(template: str, status: int = 200, **context: Any) -> Response:
    body = render_template(template, **context)
    return Response(body, status=status, mimetype="text/html")


def _throttled(template: str, retry_after: int, **context: Any) -> Response:
    minutes = max(1, math.ceil(retry_after / 60))
    message = _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes)
    response = _page(template, 429, message=message, **context)
    response.headers["Retry-After"] = str(retry_after)
    return response


def start_pending(user: User, target: str | None) -> Response:
    """Remember who typed a right password and ask for the code (a fresh session)."""
    session.clear()
    session[PENDING] = {"user": user.get_id(), "at": time.time(), "next": target or ""}
    return redirect(url_for("auth.login_code"), 303)


def _pending_user() -> tuple[User, str] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    at, user_id, target = pending.get("at"), pending.get("user"), pending.get("next")
    if not isinstance(at, int | float) or not 0 <= time.time() - at <= PENDING_SECONDS:
        return None
    if not isinstance(user_id, str):
        return None
    with db_app.get_db().session() as db_session:
        user = accounts.load_session_user(db_session, user_id)
    if user is None or not user.has_second_factor:
        return None
    return user, target if isinstance(target, str) else ""


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response:
    """Ask for the code of a user whose password was right; sign in when it is right too."""
    pending = _pending_user()
    if pending is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"), 303)
    user, target = pending
    form = CodeForm()
    if request.method == "GET":
        return _page("auth/code.html", form=form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return _page("auth/code.html", 400, form=form, message=_("The form has expired."))
        return _page("auth/code.html", form=form, message=_("Enter the code."))
    outcome = second_factor.verify(
        db_app.get_db(), user.id, form.code.data or "", secret=secret_key(), address=_address()
    )
    if outcome.retry_after is not None:
        return _throttled("auth/code.html", outcome.retry_after, form=form)
    if not outcome.ok:
        form.code.data = ""
        message = _("Wrong or already used code.")
        return _page("auth/code.html", form=form, message=message)
    complete_sign_in(user, with_second_factor=True)
    if outcome.recovery:
        with db_app.get_db().session() as db_session:
            left = second_factor.recovery_codes_left(db_session, user.id)
        flash(_("A recovery code was used; %(left)d are left.", left=left), "ok")
    return redirect(safe_next(target) or url_for("staff.home"), 303)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> Response:
    """Enrol a second factor (QR code, confirmation code, recovery codes), or show it."""
    user = cast(User, current_staff())
    target = safe_next(request.values.get("next")) or ""
    database = db_app.get_db()
    with database.session() as db_session:
        required = second_factor.is_required(db_session, user)
    if user.has_second_factor:
        if request.method == "POST":
            abort(400, description=_("Two-step sign-in is already on for your account."))
        with database.session() as db_session:
            left = second_factor.recovery_codes_left(db_session, user.id)
        return _page("auth/two_factor.html", enrolled=True, left=left, required=required)
    with database.write() as db_session:
        secret = second_factor.pending_secret(db_session, user.id)
    uri = second_factor.provisioning_uri(user.email, secret)
    form = CodeForm()
    form.next.data = target
    context: dict[str, Any] = {
        "enrolled": False,
        "required": required,
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": second_factor.qr_data_uri(uri),
    }
    if request.method == "GET":
        return _page("auth/two_factor.html", **context)
    if not form.validate_on_submit():
        status = 400 if "csrf_token" in form.errors else 422
        return _page("auth/two_factor.html", status, message=_("Enter the code."), **context)
    outcome, codes = second_factor.confirm(
        database, user.id, form.code.data or "", secret=secret_key(), address=_address()
    )
    if outcome.retry_after is not None:
        return _throttled("auth/two_factor.html", outcome.retry_after, **context)
    if not outcome.ok:
        form.code.data = ""
        message = _("Wrong code: type the six digits the app shows now.")
        return _page("auth/two_factor.html", 422, message=message, **context)
    session[SECOND_FACTOR] = True
    session[REAUTH_AT] = time.time()
    return _page("auth/recovery_codes.html", codes=codes, target=target or url_for("staff.home"))


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth() -> Response:
    """Ask for the password (and code) again, then return to the page of the action."""
    user = cast(User, current_staff())
    form = ReauthForm()
    target = safe_next(form.next.data if request.method == "POST" else request.args.get("next"))
    form.next.data = target or ""
    context: dict[str, Any] = {"form": form, "needs_code": user.has_second_factor}
    if request.method == "GET":
        return _page("auth/reauth.html", **context)
    if not form.validate_on_submit():
        status = 400 if "csrf_token" in form.errors else 200
        return _page("auth/reauth.html", status, message=_("Enter your password."), **context)
    database = db_app.get_db()
    checked = accounts.confirm_password(
        database, user.id, form.password.data or "", secret=secret_key(), address=_address()
    )
    form.password.data = ""
    if checked.retry_after is not None:
        return _throttled("auth/reauth.html", checked.retry_after, **context)
    if checked.user is None:
        return _page("auth/reauth.html", message=_("Wrong password or code."), **context)
    if user.has_second_factor:
        outcome = second_factor.verify(
            database, user.id, form.code.data or "", secret=secret_key(), address=_address()
        )
        form.code.data = ""
        if outcome.retry_after is not None:
            return _throttled("auth/reauth.html", outcome.retry_after, **context)
        if not outcome.ok:
            return _page("auth/reauth.html", message=_("Wrong password or code."), **context)
    session[REAUTH_AT] = time.time()
    flash(_("Identity confirmed: you may continue for 5 minutes."), "ok")
    return redirect(target or url_for("staff.home"), 303)
