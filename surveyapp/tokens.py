"""Stateless signed form tokens: CSRF protection that needs no cookie.

A public form may be shown in a cross-site iframe where third-party cookies are
blocked, so it cannot rely on a session. Each rendered form carries a token
signed with the app's secret key that names the questionnaire version, the
agency (None on the city portal, where the respondent chooses), the issue time
and a random nonce. The nonce is the submission's idempotency key: it is stored
under a unique constraint with the response (see services.submissions).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "surveyapp.form-token.v1"
#: How long a rendered form may be submitted, in seconds (a slow respondent has a day).
DEFAULT_MAX_AGE = 24 * 3600
#: Longer strings are refused unread (a real token is about 130 characters).
MAX_TOKEN_LENGTH = 512
#: Allowed clock skew between workers when checking the issue time, in seconds.
CLOCK_SKEW = 60


class TokenError(ValueError):
    """A form token was refused; ``reason`` is a short machine-readable word."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"form token refused: {reason}")


@dataclass(frozen=True)
class FormToken:
    """What a form token vouches for."""

    questionnaire_version_id: int
    #: None on the city portal: the respondent chooses the agency in the form.
    agency_id: int | None
    #: Unix time (seconds) when the form was rendered.
    issued_at: int
    #: Random single-use value; the idempotency key of the submission.
    nonce: str


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def issue_token(
    secret_key: str,
    questionnaire_version_id: int,
    agency_id: int | None,
    *,
    now: float | None = None,
) -> str:
    """Return a new signed token with a fresh nonce for one rendering of a form."""
    payload = {
        "v": questionnaire_version_id,
        "a": agency_id,
        "t": int(time.time() if now is None else now),
        "n": secrets.token_urlsafe(24),
    }
    return _serializer(secret_key).dumps(payload)


def read_token(
    secret_key: str, token: str, *, max_age: int = DEFAULT_MAX_AGE, now: float | None = None
) -> FormToken:
    """Check ``token``'s signature and age; return what it vouches for.

    Raises TokenError("invalid") for a missing, malformed or tampered token and
    TokenError("expired") for one older than ``max_age`` seconds.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("invalid")
    try:
        payload = _serializer(secret_key).loads(token)
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(payload, dict):
        raise TokenError("invalid")
    version, agency, issued, nonce = (payload.get(k) for k in ("v", "a", "t", "n"))
    if (
        not isinstance(version, int)
        or not (agency is None or isinstance(agency, int))
        or not isinstance(issued, int)
        or not isinstance(nonce, str)
        or not 16 <= len(nonce) <= 64
    ):
        raise TokenError("invalid")
    current = time.time() if now is None else now
    if issued > current + CLOCK_SKEW:
        raise TokenError("invalid")
    if current - issued > max_age:
        raise TokenError("expired")
    return FormToken(version, agency, issued, nonce)
