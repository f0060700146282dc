"""Who may see what: the access rules and the helpers every staff view uses.

The rules, for reports and embed settings alike:

- anonymous visitors are sent to ``/login?next=<the page>``;
- ``admin`` and ``inspector`` users read every agency and the city-wide report;
- an ``agency`` user reads its own agency only. Another agency's page and an
  unknown agency code both answer **404**, the same response, so a code's
  existence is not revealed. The city-wide report also answers **404** to an
  agency user: one rule ("not yours: not found") for every report URL, and the
  city-wide pages are never linked from an agency user's pages.

Staff pages are never cached (``Cache-Control: no-store``) and never framed.
A signed-in user refused a staff page (400: no CSRF token; 403; 404: not theirs)
is logged as a warning for the operators (ASVS 7.2.2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp import db_app
from surveyapp.models import Agency, User
from surveyapp.security import DEFAULT_CSP

#: Roles that read every agency's reports and the city-wide report.
CITY_ROLES = ("admin", "inspector")
#: Staff answers logged as refusals when a signed-in user gets them.
REFUSED_STATUSES = frozenset({400, 403, 404})

F = TypeVar("F", bound=Callable[..., Any])


# -- the rules (plain functions: a user and a session in, an answer out) ------------------


def can_read_city(user: User | None) -> bool:
    """Return whether ``user`` may read the city-wide report and every agency."""
    return user is not None and user.is_active and user.role in CITY_ROLES


def may_see_officers(user: User | None, agency_id: int) -> bool:
    """Return whether ``user`` may see officer-level figures of ``agency_id``: its own
    staff and admins only (never inspectors, the API or public outputs)."""
    if user is None or not user.is_active:
        return False
    return user.role == "admin" or (user.role == "agency" and user.agency_id == agency_id)


def agency_for(session: Session, user: User | None, code: str) -> Agency | None:
    """Return the agency ``code`` when ``user`` may read it; None when unknown or not theirs."""
    if user is None or not user.is_active:
        return None
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        return None
    if can_read_city(user) or (user.role == "agency" and user.agency_id == agency.id):
        return agency
    return None


def visible_agencies(session: Session, user: User | None) -> list[Agency]:
    """Return the agencies ``user`` may read, by kind and code."""
    if user is None or not user.is_active:
        return []
    query = select(Agency).order_by(Agency.kind, Agency.code)
    if not can_read_city(user):
        if user.role != "agency" or user.agency_id is None:
            return []
        query = query.where(Agency.id == user.agency_id)
    return list(session.scalars(query))


# -- Flask helpers -------------------------------------------------------------------------


def current_staff() -> User | None:
    """Return the signed-in user, or None for an anonymous visitor."""
    if not current_user.is_authenticated:
        return None
    return cast(User, current_user._get_current_object())


def login_redirect() -> Response:
    """Send the visitor to the sign-in page, to come back to this page afterwards."""
    mark_staff_page()
    target = request.full_path if request.query_string else request.path
    return cast(Response, redirect(url_for("auth.login", next=target)))


def login_required(view: F) -> F:
    """Let only signed-in, active users reach ``view``; send others to ``/login?next=``."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        mark_staff_page()
        if current_staff() is None:
            return login_redirect()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def require_agency_access(code: str) -> Agency:
    """Return the agency ``code`` for the current user, or abort: sign-in redirect or 404."""
    mark_staff_page()
    user = current_staff()
    if user is None:
        abort(login_redirect())
    agency = agency_for(db_app.session(), user, code)
    if agency is None:
        abort(404)
    return agency


def require_city_access() -> User:
    """Return the current user when it may read the city-wide report, or abort (404)."""
    mark_staff_page()
    user = current_staff()
    if user is None:
        abort(login_redirect())
    if not can_read_city(user):
        abort(404)
    return user


def mark_staff_page() -> None:
    """Give the current response the staff page headers (no caching, no framing)."""
    g.surveyapp_staff_page = True


def staff_pages(bp: Blueprint) -> Blueprint:
    """Give every response of ``bp`` the staff page headers; return ``bp``."""
    bp.before_request(mark_staff_page)
    return bp


def staff_headers(response: Response) -> Response:
    """Forbid caching and framing of staff pages, whatever a view set."""
    if not g.get("surveyapp_staff_page"):
        return response
    if response.status_code in REFUSED_STATUSES:
        _log_refusal(response.status_code)
    headers = response.headers
    headers["Cache-Control"] = "no-store"
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if "frame-ancestors 'none'" not in headers.get("Content-Security-Policy", ""):
        headers["Content-Security-Policy"] = DEFAULT_CSP
    return response


def _log_refusal(status: int) -> None:
    user = current_staff()
    if user is None:
        return  # anonymous visitors are sent to sign in; their 400s say nothing of access
    # %r quotes the path: a CR or LF in it cannot forge a log line (ASVS 7.3.1).
    current_app.logger.warning(
        "staff request refused: %s %r -> %d (user %d, %s)",
        request.method,
        request.path,
        status,
        user.id,
        user.role,
    )
