"""Reading one kiosk rating from its JSON body: every field checked, messages per field.

Body: ``{"token", "nonce", "given_at" (ISO 8601 with offset), "fill_seconds",
"answers": {key: value}, "code", "officer", "website"}``; ``code``,
``officer`` and ``website`` (the honeypot) may be absent or null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveyapp.services.counter_channel import NONCE_RE, clean_officer

#: A device clock ahead of the server's by more than this is refused (seconds).
CLOCK_SKEW = 300
MAX_ANSWERS = 100
MAX_VALUE_LENGTH = 4000


class IntakeError(ValueError):
    """The body is refused; ``field`` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class KioskRating:
    token: str
    nonce: str
    given_at: dt.datetime
    fill_seconds: float
    answers: Mapping[str, object]
    code: str | None
    officer: str | None
    honeypot: str


def _string(body: Mapping[str, Any], key: str, *, limit: int = 512) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise IntakeError(key, f"must be a string of at most {limit} characters")
    return value


def _given_at(raw: object, now: dt.datetime) -> dt.datetime:
    if not isinstance(raw, str) or len(raw) > 40:
        raise IntakeError("given_at", "must be an ISO 8601 date and time")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise IntakeError("given_at", "must be an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise IntakeError("given_at", "must carry a time zone offset")
    moment = moment.astimezone(dt.UTC)
    if moment > now + dt.timedelta(seconds=CLOCK_SKEW):
        raise IntakeError("given_at", "is in the future")
    return moment


def _answers(raw: object) -> dict[str, object]:
    if not isinstance(raw, dict) or len(raw) > MAX_ANSWERS:
        raise IntakeError("answers", f"must be an object of at most {MAX_ANSWERS} answers")
    out: dict[str, object] = {}
    for key, value in raw.items():
        text = isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if text or number:
            out[str(key)] = value
        else:
            raise IntakeError(f"answers.{key}", "must be a string or a number")
    return out


def read_rating(body: object, now: dt.datetime) -> KioskRating:
    """Return the rating in ``body``; IntakeError naming the first bad field."""
    if not isinstance(body, dict):
        raise IntakeError("body", "must be a JSON object")
    token = _string(body, "token") or ""
    nonce = _string(body, "nonce", limit=64) or ""
    if not NONCE_RE.fullmatch(nonce):
        raise IntakeError("nonce", "must be 16-64 letters, digits, '-' or '_'")
    fill = body.get("fill_seconds", 0)
    if isinstance(fill, bool) or not isinstance(fill, int | float) or not math.isfinite(fill):
        raise IntakeError("fill_seconds", "must be a number")
    try:
        officer = clean_officer(_string(body, "officer", limit=64))
    except ValueError as exc:
        raise IntakeError("officer", str(exc).split(": ", 1)[-1]) from None
    return KioskRating(
        token=token,
        nonce=nonce,
        given_at=_given_at(body.get("given_at"), now),
        fill_seconds=max(0.0, float(fill)),
        answers=_answers(body.get("answers")),
        code=_string(body, "code", limit=64),
        officer=officer,
        honeypot=_string(body, "website", limit=200) or "",
    )
