"""Staff accounts and access: sign-in, sign-out, sessions and the access-control helpers.

Report views and downloads build on ``surveyapp.auth.access`` (who may see
what) and ``surveyapp.auth.downloads`` (file responses).

Settings read here (until they move to surveyapp/config.py): none from the
environment. Session cookies are made HttpOnly and SameSite=Lax, and Secure
when ``PUBLIC_URL`` is https; a test or deployment may make them stricter,
never looser.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_login import LoginManager

from surveyapp import db_app
from surveyapp.auth import access
from surveyapp.models import User
from surveyapp.services import accounts

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
    login_manager.init_app(app)
    app.after_request(access.staff_headers)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)


def secret_key() -> str:
    """Return the app's secret key (keys the hashes of addresses and typed e-mails)."""
    return str(current_app.config["SECRET_KEY"])
