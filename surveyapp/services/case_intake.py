"""A respondent's petition or complaint, left on the receipt page, becomes a case.

The receipt page carries a small form bound to its response by a signed, expiring
token (no cookie: the page may be inside a cross-site iframe where third-party
cookies are blocked). The token names the receipt; the case is stored with the
response's agency and a deadline in that agency's working days. The way to answer
the respondent, if given, goes to ``case_contacts``, apart from the case.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.definitions.characters import forbidden
from surveyapp.models import CaseContact, FeedbackCase, Response, utcnow
from surveyapp.models.feedback import CASE_KINDS, MAX_CASE_TEXT
from surveyapp.services.feedback_cases import deadline_days_of, due_on

SALT = "surveyapp.case-token.v1"
MAX_TOKEN_LENGTH = 256
MAX_PHONE = 32
MAX_EMAIL = 254
PHONE_RE = re.compile(r"\+?[0-9 ().-]{6,32}")
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


class CaseInputError(ValueError):
    """A case form was refused: ``field`` names what, ``code`` why (the view words it)."""

    def __init__(self, field: str, code: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: {code}")


class CaseTokenError(ValueError):
    """The case form's token is missing, tampered with, expired or of another receipt."""


@dataclass(frozen=True)
class CaseForm:
    """What the respondent sent with the case form."""

    kind: str
    text: str
    phone: str = ""
    email: str = ""


def issue_case_token(secret_key: str, receipt: str) -> str:
    """Return a token binding a case form to the response of ``receipt``."""
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"r": receipt})


def check_case_token(secret_key: str, token: str, receipt: str, max_age: int) -> None:
    """Raise CaseTokenError unless ``token`` was issued for ``receipt`` within ``max_age`` s."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise CaseTokenError("invalid")
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise CaseTokenError("expired") from None
    except BadSignature:
        raise CaseTokenError("invalid") from None
    if not isinstance(payload, dict) or payload.get("r") != receipt:
        raise CaseTokenError("invalid")


def clean_form(form: CaseForm) -> CaseForm:
    """Return the form stripped and checked; CaseInputError names the first bad field."""
    if form.kind not in CASE_KINDS:
        raise CaseInputError("kind", "choose")
    text = form.text.replace("\r\n", "\n").strip()
    if not text:
        raise CaseInputError("text", "required")
    if len(text) > MAX_CASE_TEXT:
        raise CaseInputError("text", "too_long")
    phone, email = form.phone.strip(), form.email.strip()
    for field, value in (("text", text), ("phone", phone), ("email", email)):
        if forbidden(value) is not None:
            raise CaseInputError(field, "characters")
    if phone and (
        len(phone) > MAX_PHONE
        or not PHONE_RE.fullmatch(phone)
        or sum(c.isdigit() for c in phone) < 6
    ):
        raise CaseInputError("phone", "phone")
    if email and (len(email) > MAX_EMAIL or not EMAIL_RE.fullmatch(email)):
        raise CaseInputError("email", "email")
    return CaseForm(form.kind, text, phone, email)


def response_of_receipt(session: Session, receipt: str) -> Response | None:
    """Return the accepted or held response with ``receipt``, or None."""
    return session.scalar(
        select(Response).where(Response.receipt_code == receipt, Response.status != "deleted")
    )


def case_of_response(session: Session, response_id: int) -> FeedbackCase | None:
    return session.scalar(select(FeedbackCase).where(FeedbackCase.response_id == response_id))


def open_case(
    session: Session,
    response: Response,
    form: CaseForm,
    *,
    timezone: str,
    now: dt.datetime | None = None,
) -> FeedbackCase:
    """Store a checked case for ``response`` (one a response: ValueError for a second)."""
    cleaned = clean_form(form)
    if case_of_response(session, response.id) is not None:
        raise CaseInputError("text", "exists")
    moment = now or utcnow()
    today = moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    case = FeedbackCase(
        response_id=response.id,
        agency_id=response.agency_id,
        kind=cleaned.kind,
        text=cleaned.text,
        created_at=moment,
        due_on=due_on(today, deadline_days_of(session, response.agency_id)),
    )
    if cleaned.phone or cleaned.email:
        case.contact = CaseContact(phone=cleaned.phone or None, email=cleaned.email or None)
    session.add(case)
    session.flush()
    return case
