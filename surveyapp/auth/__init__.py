"""Staff accounts and access: sign-in, sign-out, sessions and the access-control helpers.

Report views and downloads build on ``surveyapp.auth.access`` (who may see
what) and ``surveyapp.auth.downloads`` (file responses).

Settings read here (until they move to surveyapp/config.py): none from the
environment. Session cookies are made HttpOnly and SameSite=Lax, and Secure
and host-only (``__Host-session``) when ``PUBLIC_URL`` is https; a test or
deployment may make them stricter, never looser. A staff session ends after
``SESSION_IDLE_SECONDS`` without a request and ``SESSION_MAX_SECONDS`` after
signing in (ASVS 3.3.2, level 2); signing out ends every session of the account.

Second factor: a user with a TOTP secret is signed in only after its code
(``auth/factor_views``); a user who must have one (admins, and the roles an admin
chose) and has none reaches no staff page but the enrolment page. Sensitive
actions (``require_recent_auth``) need the password, and the code when the user
has one, typed within the last ``REAUTH_SECONDS``.
"""

from __future__ import annotations

import time

from flask import Flask, Response, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, login_user, logout_user

from surveyapp import db_app
from surveyapp.auth import access
from surveyapp.models import User
from surveyapp.services import accounts, second_factor

#: ASVS 4.0.3 3.3.2, level 2: a staff session ends after 30 minutes without a request...
SESSION_IDLE_SECONDS = 30 * 60
#: ...and 12 hours after signing in, however busy.
SESSION_MAX_SECONDS = 12 * 3600

#: ``_seen_at`` is rewritten at most this often, so not every response sets the cookie.
_SEEN_RESOLUTION_SECONDS = 60
#: The session's times: when its user signed in and when it last made a request.
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
#: Whether this session's user typed a second-factor code (or enrolled) at sign-in.
SECOND_FACTOR = "_second_factor"
#: When this session's user last proved who it is (signing in, or ``/reauth``).
REAUTH_AT = "_reauth_at"
#: ASVS 3.7.1 / 4.3.3: sensitive actions need a password (and code) this recent.
REAUTH_SECONDS = 5 * 60
#: Endpoints a user who must enrol a second factor may still reach.
_ENROLMENT_ENDPOINTS = frozenset(
    {"auth.two_factor", "auth.logout", "auth.login", "auth.login_code", "static"}
)
#: Blueprints of staff pages, closed to a user who must enrol first.
_GATED_BLUEPRINTS = frozenset({"admin", "staff", "dashboard", "auth"})

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
    from surveyapp.auth import factor_views, views  # noqa: F401 - factor_views adds routes

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
    app.before_request(_require_second_factor)
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


def complete_sign_in(user: User, *, with_second_factor: bool) -> None:
    """Start a new session for ``user``: nothing set before sign-in survives it."""
    session.clear()
    login_user(user)
    start_session_clock()
    session[SECOND_FACTOR] = with_second_factor
    session[REAUTH_AT] = time.time()


def must_enrol(user: User) -> bool:
    """Whether ``user`` must enrol a second factor before reaching staff pages."""
    if session.get(SECOND_FACTOR) is True or user.has_second_factor:
        return False
    return second_factor.is_required(db_app.session(), user)


def require_recent_auth(return_to: str) -> None:
    """Abort with a redirect to ``/reauth`` unless the user proved who it is recently.

    ``return_to`` is the page of the form, where ``/reauth`` sends the user back.
    """
    proved = session.get(REAUTH_AT)
    if isinstance(proved, int | float) and 0 <= time.time() - proved <= REAUTH_SECONDS:
        return
    abort(redirect(url_for("auth.reauth", next=return_to), 303))


def _require_second_factor() -> Response | None:
    """Send a signed-in user who must enrol a second factor to the enrolment page."""
    if "_user_id" not in session or request.endpoint in _ENROLMENT_ENDPOINTS:
        return None
    if request.blueprint not in _GATED_BLUEPRINTS:
        return None
    user = access.current_staff()
    if user is None or not must_enrol(user):
        return None
    access.mark_staff_page()
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.two_factor", next=target), 303)  # type: ignore[return-value]


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
