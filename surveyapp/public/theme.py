"""Agencies' themes on the public form: ``/a/<CODE>/theme.css`` and ``/a/<CODE>/logo``.

The public pages' Content-Security-Policy forbids inline styles, so an agency's
colour reaches its form as a small stylesheet of CSS custom properties, which
``form.css`` uses with its own colours as fallbacks. The form views pass
``page_theme(code)`` to the page as ``agency_theme``: None, or an AgencyTheme with
the URLs to link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Blueprint, Flask, abort, request, url_for
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.errors import NotFoundError
from surveyapp.services import agency_theme

bp = Blueprint("theme", __name__)

#: Browsers and proxies may reuse these for an hour, then revalidate (ETag); the form
#: page links them with the logo's hash or the colour as ``v``, so a change shows at once.
CACHE_CONTROL = "public, max-age=3600"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@dataclass(frozen=True)
class LogoImage:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class AgencyTheme:
    """What the form page links: the stylesheet (when a colour is set) and the logo."""

    stylesheet_url: str | None
    logo: LogoImage | None


def page_theme(code: str) -> AgencyTheme | None:
    """Return what an agency's form page links for its theme; None when it has none."""
    with db_app.get_db().session() as session:
        found = agency_theme.get_theme(session, code[:64])
    return page_theme_of(found)


def page_theme_of(found: agency_theme.ThemeSummary | None) -> AgencyTheme | None:
    """Return what a form page links for a theme already read; None when it has none."""
    if found is None or found.is_empty:
        return None
    stylesheet = None
    if found.color is not None:
        stylesheet = url_for("theme.stylesheet", code=found.code, v=found.color[1:])
    logo = None
    if found.logo_sha256 is not None and found.logo_size is not None:
        url = url_for("theme.logo", code=found.code, v=found.logo_sha256[:16])
        logo = LogoImage(url, *found.logo_size)
    return AgencyTheme(stylesheet, logo)


def _cacheable(response: Response, etag: str) -> Response:
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get("/a/<code>/theme.css")
def stylesheet(code: str) -> Response:
    """Serve the CSS custom properties of an agency's colour; 404 without a colour."""
    with db_app.get_db().session() as session:
        found = agency_theme.get_theme(session, code)
    if found is None or found.color is None:
        abort(404)
    css = agency_theme.stylesheet(found.color)
    response = Response(css, mimetype="text/css")
    return _cacheable(response, hashlib.sha256(css.encode()).hexdigest()[:32])


@bp.get("/a/<code>/logo")
def logo(code: str) -> Response:
    """Serve an agency's logo as stored (PNG or JPEG); 404 when there is none."""
    try:
        with db_app.get_db().session() as session:
            stored = agency_theme.get_logo(session, code)
    except NotFoundError:
        abort(404)
    response = Response(stored.data, mimetype=stored.content_type)
    extension = "png" if stored.content_type == "image/png" else "jpg"
    response.headers["Content-Disposition"] = f'inline; filename="logo.{extension}"'
    response.last_modified = stored.updated_at
    return _cacheable(response, stored.sha256)
