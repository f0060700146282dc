"""The admin blueprint and the access helpers its views share."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, current_app, flash, render_template, request
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.auth.access import current_staff, login_redirect, staff_pages
from surveyapp.errors import InputError, NotFoundError
from surveyapp.i18n import problem_text
from surveyapp.models import Agency, User
from surveyapp.services.agencies import get_agency

bp = staff_pages(Blueprint("admin", __name__, url_prefix="/admin"))


def require_admin() -> User:
    """Return the signed-in admin; send anonymous visitors to sign in, answer others 404."""
    user = current_staff()
    if user is None:
        abort(login_redirect())
    if user.role != "admin":
        abort(404)
    return user


def require_staff() -> User:
    """Return the signed-in admin or agency user (the console's users), else abort."""
    user = current_staff()
    if user is None:
        abort(login_redirect())
    if user.role not in ("admin", "agency"):
        abort(404)
    return user


def require_manager(code: str) -> tuple[User, Agency]:
    """Return the user and agency ``code`` when the user manages it (admin, or its own)."""
    user = require_staff()
    try:
        agency = get_agency(db_app.session(), code)
    except NotFoundError:  # an unknown code answers like another agency's
        abort(404)
    if user.role != "admin" and user.agency_id != agency.id:
        abort(404)
    return user, agency


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render an admin page, telling the layout who is signed in."""
    user = cast(User, current_staff())
    body = render_template(template, user=user, is_admin=user.role == "admin", **context)
    return Response(body, status=status, mimetype="text/html")


def flash_problems(exc: InputError) -> None:
    for message in exc.messages:
        flash(problem_text(message), "error")


#: Room for the multipart envelope and the form's other fields around an uploaded file.
FORM_OVERHEAD = 64 * 1024


def allow_upload(limit: int) -> None:
    """Let this request's body carry a file of up to ``limit`` bytes.

    The app-wide ``MAX_CONTENT_LENGTH`` is sized for respondents' forms; an upload
    view raises it for its own request only (never lowers it). Werkzeug then raises
    RequestEntityTooLarge when the form is read from a larger body.
    """
    configured = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    request.max_content_length = max(configured, limit + FORM_OVERHEAD)
