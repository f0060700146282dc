"""Sign-in, sign-out and the staff home page."""

from __future__ import annotations

import math
from typing import cast

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.auth import complete_sign_in, must_enrol, secret_key, staff_home
from surveyapp.auth.access import (
    current_staff,
    login_required,
    staff_pages,
)
from surveyapp.auth.forms import LanguageForm, LoginForm, LogoutForm
from surveyapp.auth.redirects import safe_next
from surveyapp.models import User
from surveyapp.services import accounts, audit

bp = staff_pages(Blueprint("auth", __name__))
staff_bp = staff_pages(Blueprint("staff", __name__))

#: The one answer to a wrong e-mail, a wrong password and a disabled account alike.
LOGIN_FAILED = _l("Wrong e-mail or password.")
LOGIN_MISSING = _l("Enter your e-mail and password.")
FORM_EXPIRED = _l("The form has expired; please try again.")


def _render_login(form: LoginForm, message: object = None, status: int = 200) -> Response:
    form.password.data = ""
    shown = None if message is None else str(message)
    body = render_template("auth/login.html", form=form, message=shown)
    return Response(body, status=status, mimetype="text/html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Show the sign-in form; sign in and go to ``next`` (a local path) or the staff home."""
    form = LoginForm()
    raw_next = form.next.data if request.method == "POST" else request.args.get("next")
    target = safe_next(raw_next)
    form.next.data = target or ""
    if request.method == "GET":
        if current_staff() is not None:
            return redirect(target or url_for("staff.home"), 303)
        return _render_login(form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return _render_login(form, FORM_EXPIRED, 400)
        return _render_login(form, LOGIN_MISSING)
    outcome = accounts.authenticate(
        db_app.get_db(),
        form.email.data or "",
        form.password.data or "",
        secret=secret_key(),
        address=request.remote_addr or "unknown",
    )
    if outcome.retry_after is not None:
        minutes = max(1, math.ceil(outcome.retry_after / 60))
        response = _render_login(
            form,
            _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes),
            429,
        )
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    if outcome.user is None:
        return _render_login(form, LOGIN_FAILED)
    if outcome.user.has_second_factor:
        from surveyapp.auth.factor_views import start_pending

        return start_pending(outcome.user, target)
    # A new session for the signed-in user: nothing set before sign-in survives it.
    complete_sign_in(outcome.user, with_second_factor=False)
    if must_enrol(outcome.user):
        return redirect(url_for("auth.two_factor", next=target or None), 303)
    return redirect(target or url_for("staff.home"), 303)


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with the form's CSRF token) and return to the sign-in page.

    Every session of the account ends, including copies of this session's cookie.
    """
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400, description=str(FORM_EXPIRED))
    user = current_staff()
    if user is not None:
        with db_app.get_db().write() as write:
            accounts.end_sessions(write, user.id)
            audit.record(write, user, "logout", f"user:{user.email}")
    logout_user()
    session.clear()
    response = redirect(url_for("auth.login"), 303)
    # Cached staff pages and any storage of this origin go too (ASVS 8.2.3).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/account/language")
@login_required
def language() -> Response:
    """Keep the language chosen in the staff navigation on the account; back to the page."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400, description=str(FORM_EXPIRED))
    user = cast(User, current_staff())
    with db_app.get_db().write() as write:
        accounts.set_language(write, user.id, form.language.data or "vi")
    return redirect(safe_next(form.next.data) or url_for("staff.home"), 303)


@staff_bp.get("/staff")
@login_required
def home() -> str:
    """Show the signed-in user's home: what the role can do (``staff_home``)."""
    return staff_home.render_home(cast(User, current_staff()))
