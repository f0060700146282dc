"""The public side: questionnaire forms, thank-you pages and embed.js.

Its settings (``MIN_FILL_SECONDS``, ``FORM_TOKEN_MAX_AGE``) come from surveyapp/config.py.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Read the public settings and register the public and API blueprints."""
    from surveyapp import i18n, limits
    from surveyapp.api import views as api_views
    from surveyapp.public import cases, theme, views

    i18n.init_app(app)
    limits.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(cases.bp)  # petitions and complaints, /r/<receipt>
    theme.init_app(app)  # agencies' colours and logos on their forms
    for code in PUBLIC_ERRORS:
        app.register_error_handler(code, _public_error)


#: Errors shown in the respondent's language (HTML) or as JSON (API).
PUBLIC_ERRORS = (400, 404, 405, 413, 429)


def _public_error(exc: HTTPException) -> Response | HTTPException:
    """Answer errors of public URLs in their own format; leave other URLs' errors alone."""
    from surveyapp.api import views as api_views
    from surveyapp.public import views

    if request.path.startswith("/api/"):
        return api_views.api_error(exc)
    if request.path.startswith(("/q/", "/r/", "/results")) or request.path == "/embed.js":
        return views.public_error(exc)
    return exc
