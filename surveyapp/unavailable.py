"""Answer 503 with Retry-After when the database cannot take a request for now.

A SQLite writer that waited longer than the busy timeout ("database is locked"),
a database file or disk that is read-only or full, and a PostgreSQL server that
cannot be reached (restarting, refusing connections, pool exhausted) are
passing conditions: the client should send the same request again later. Every
write runs in one transaction, so nothing of the request was stored, and a form
resent with the same token stores one response (the token's nonce is unique).

Any other database error is not ours to hide: it propagates to Flask's usual
500 handling.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template_string, request
from sqlalchemy import exc as sa_exc

#: Seconds a client is asked to wait before retrying.
RETRY_AFTER_SECONDS = 5

#: Lower-case fragments of driver messages that mean "try again later".
_SQLITE_MARKERS = (
    "database is locked",
    "database table is locked",
    "readonly database",
    "read-only database",
    "database or disk is full",
    "disk full",
    "disk i/o error",
)
_POSTGRES_MARKERS = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "connection is closed",
    "consuming input failed",
    "connection failed",
    "no space left on device",
    "read-only transaction",
    "could not receive data from server",
    "could not send data to server",
)

_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ message }}</p></main></body></html>
"""

_TEXTS = {
    "vi": (
        "Hệ thống đang bận",
        "Phiếu của ông/bà chưa được lưu. Xin vui lòng gửi lại sau ít giây.",
    ),
    "en": (
        "The service is busy",
        "Your form was not stored. Please send it again in a few seconds.",
    ),
}


def init_app(app: Flask) -> None:
    """Register the 503 handler for temporary database failures."""
    app.register_error_handler(sa_exc.OperationalError, _handle)
    app.register_error_handler(sa_exc.InterfaceError, _handle)
    app.register_error_handler(sa_exc.TimeoutError, _handle)


def is_temporary(error: BaseException) -> bool:
    """Return whether ``error`` is a database failure a later retry may not meet."""
    if isinstance(error, sa_exc.TimeoutError):
        return True  # the connection pool had no connection to give in time
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    text = str(error.orig if error.orig is not None else error).lower()
    return any(marker in text for marker in (*_SQLITE_MARKERS, *_POSTGRES_MARKERS))


def _handle(error: Exception) -> Response:
    if not is_temporary(error):
        raise error
    current_app.logger.warning(
        "database unavailable, answered 503: %s", str(getattr(error, "orig", error))[:200]
    )
    if request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    ):
        response = jsonify(
            {
                "error": "the database is unavailable for now; retry",
                "retry_after": RETRY_AFTER_SECONDS,
            }
        )
    else:
        lang = "en" if request.args.get("lang") == "en" else "vi"
        title, message = _TEXTS[lang]
        response = current_app.make_response(
            render_template_string(_PAGE, lang=lang, title=title, message=message)
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
