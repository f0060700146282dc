"""Helpers shared by the public form views and the JSON API."""

from __future__ import annotations

from flask import current_app, request

from surveyapp.embedding import own_origins
from surveyapp.services.submissions import Policy

ORIGIN_HEADERS = ("Origin", "Sec-Fetch-Site", "Referer")


def app_origins() -> frozenset[str]:
    """Return the app's own origins, from its public URL (never the request's Host)."""
    return own_origins(str(current_app.config["PUBLIC_URL"]))


def origin_headers() -> dict[str, str]:
    return {name: request.headers[name] for name in ORIGIN_HEADERS if name in request.headers}


def policy(*, allow_headerless: bool = False) -> Policy:
    config = current_app.config
    return Policy(
        secret_key=str(config["SECRET_KEY"]),
        app_origins=app_origins(),
        token_max_age=int(config["FORM_TOKEN_MAX_AGE"]),
        min_fill_seconds=float(config["MIN_FILL_SECONDS"]),
        allow_headerless=allow_headerless,
    )
