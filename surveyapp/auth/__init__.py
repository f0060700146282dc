"""Staff accounts and access: sign-in, sign-out, sessions and the access-control helpers.

Report views and downloads build on ``surveyapp.auth.access`` (who may see
what) and ``surveyapp.auth.downloads`` (file responses).

Settings read here (until they move to surveyapp/config.py): none from the
environment. Session cookies are made HttpOnly and SameSite=Lax, and Secure
and host-only (``__Host-session``) when ``PUBLIC_URL`` is https; a test or
deployment may make them stricter, never looser. A staff session ends after
``SESSION_IDLE_SECONDS`` without a request and ``SESSION_MAX_SECONDS`` after
signing in (ASVS 3.3.2, level 2); signing out ends every session of the account.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, session
from flask_login import LoginManager, logout_user

from surveyapp import db_app
from surveyapp.auth import access
from surveyapp.models import User
from surveyapp.services import accounts

#: ASVS 4.0.3 3.3.2, level 2: a staff session ends after 30 minutes without a request...
SESSION_IDLE_SECONDS = 30 * 60
#: ...and 12 hours after signing in, however busy.
SESSION_MAX_SECONDS = 12 * 3600

#: ``_seen_at`` is rewritten at most this often, so not every response sets the cookie.
_SEEN_RESOLUTION_SECONDS = 60
#: The session's times: when its user signed in and when it last made a request.
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    # None for a disabled user or an outdated session id: the session no longer works.
    # A short session of its own: the request's read session is not opened (and its
    # transaction not held) just to know who is asking.
    with db_app.get_db().session() as session:
        return accounts.load_session_user(session, session_id)


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    return access.login_redirect()


def init_app(app: Flask) -> None:
    """Secure the session cookie, start Flask-Login and register the staff pages."""
    from surveyapp.auth import views

    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if str(app.config.get("PUBLIC_URL", "")).startswith("https:"):
        app.config["SESSION_COOKIE_SECURE"] = True
        # A host-only cookie (no Domain, Path=/, Secure) that a sibling sub-domain of a
        # shared government domain cannot plant or overwrite (ASVS 3.4.4).
        if app.config.get("SESSION_COOKIE_NAME") == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_PATH"] = "/"
    login_manager.init_app(app)
    app.before_request(_end_expired_session)
    app.after_request(access.staff_headers)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)


def secret_key() -> str:
    """Return the app's secret key (keys the hashes of addresses and typed e-mails)."""
    return str(current_app.config["SECRET_KEY"])


def start_session_clock() -> None:
    """Record in the new session when its user signed in (call right after ``login_user``)."""
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def _end_expired_session() -> None:
    """Sign out a session idle too long, too old, or without its times; note this request."""
    if "_user_id" not in session:
        return  # anonymous: public pages never get a cookie from here
    now = time.time()
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if (
        not isinstance(signed_in, int | float)
        or not isinstance(seen, int | float)
        or now - signed_in > SESSION_MAX_SECONDS
        or now - seen > SESSION_IDLE_SECONDS
    ):
        logout_user()
        session.clear()
        return
    if now - seen >= _SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
