"""Security headers sent with every response unless a view chose its own, and the
last-resort error handler: an API URL answers every error as JSON, no page shows
a traceback (ASVS 4.0.3 V7.4, V13.1, V14.4)."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Sent when the public URL is https (ASVS 14.4.5). Browsers ignore it over plain http.
HSTS = "max-age=31536000; includeSubDomains"
#: An API answer opened in a browser tab is saved, never shown as a page (ASVS 14.4.2).
API_DISPOSITION = 'attachment; filename="api.json"'


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    # Registered for the HTTPException class, so the public side's handlers for
    # particular codes (400, 404, 405, 413, 429) still come first; this one takes
    # every other code and the 500 Flask makes of an unhandled exception.
    app.register_error_handler(HTTPException, _http_error)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    # A view that allows framing sets its own frame-ancestors and no X-Frame-Options.
    if "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""):
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if str(current_app.config.get("PUBLIC_URL", "")).startswith("https:"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith("/api/") and response.mimetype == "application/json":
        headers.setdefault("Content-Disposition", API_DISPOSITION)
    return response


def _http_error(exc: HTTPException) -> Response | HTTPException:
    """Answer an error of an API URL as ``{"error": ...}``; leave pages to Werkzeug's own.

    Werkzeug's pages name the status only (an unhandled exception is a bare "500
    Internal Server Error"); Flask logs the exception with its traceback.
    """
    if exc.code is None or not request.path.startswith("/api/"):
        return exc
    from surveyapp.api.views import MESSAGES, api_error

    try:
        return api_error(exc)
    except SQLAlchemyError:
        # Answering CORS reads the listed origins; with the database failing as well,
        # the answer goes without (a cross-origin page sees a network error).
        response = jsonify({"error": MESSAGES.get(exc.code, exc.name.lower())})
        response.status_code = exc.code
        return response
