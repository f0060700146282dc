"""Security headers sent with every response unless a view chose its own."""

from __future__ import annotations

from flask import Flask, Response

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    # A view that allows framing sets its own frame-ancestors and no X-Frame-Options.
    if "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""):
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response
