"""An agency's alert settings: its watch list, its recipients and its delivery log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency, AlertDelivery, AlertRecipient, AlertSettings, User
from surveyapp.models.alerts import RECIPIENT_ROLES
from surveyapp.services.accounts import normalise_email
from surveyapp.services.alert_immediate import watch_terms

MAX_WATCH_TERMS = 200
MAX_TERM_LENGTH = 100
LOG_ROWS = 200


def watch_list(session: Session, agency: Agency) -> str:
    found = session.get(AlertSettings, agency.id)
    return found.watch_list if found else ""


def set_watch_list(session: Session, agency: Agency, text: str) -> list[str]:
    """Replace the watch list (one term a line); return the terms kept."""
    terms = watch_terms(text)
    if len(terms) > MAX_WATCH_TERMS:
        raise InputError(_("A watch list has at most %(n)s terms.", n=MAX_WATCH_TERMS))
    long = [t for t in terms if len(t) > MAX_TERM_LENGTH]
    if long:
        raise InputError(
            _("A term has at most %(n)s characters: %(term)s", n=MAX_TERM_LENGTH, term=long[0])
        )
    found = session.get(AlertSettings, agency.id)
    if found is None:
        found = AlertSettings(agency_id=agency.id)
        session.add(found)
    found.watch_list = "\n".join(terms)
    return terms


@dataclass(frozen=True)
class NewRecipient:
    role: str
    language: str
    email: str = ""
    account: str = ""
    webhook_url: str = ""
    wants_immediate: bool = True
    wants_signals: bool = True
    wants_digest: bool = True


def recipients(session: Session, agency: Agency) -> list[AlertRecipient]:
    return list(
        session.scalars(
            select(AlertRecipient)
            .where(AlertRecipient.agency_id == agency.id, AlertRecipient.active)
            .order_by(AlertRecipient.id)
        )
    )


def accounts_for(session: Session, agency: Agency) -> list[User]:
    """Accounts whose address may receive the agency's alerts: its own staff, inspectors."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.active,
                (User.agency_id == agency.id) | (User.role.in_(("inspector", "admin"))),
            )
            .order_by(User.email)
        )
    )


def add_recipient(
    session: Session, agency: Agency, new: NewRecipient
) -> tuple[AlertRecipient, str | None]:
    """Add a recipient; return it and, for a webhook, its signing secret (shown once)."""
    if new.role not in RECIPIENT_ROLES:
        raise InputError(_("Choose who the recipient is."))
    if new.language not in ("vi", "en"):
        raise InputError(_("Choose the recipient's language."))
    given = [bool(new.email.strip()), bool(new.account), bool(new.webhook_url.strip())]
    if sum(given) != 1:
        raise InputError(_("Give exactly one of: an e-mail address, an account or a webhook URL."))
    recipient = AlertRecipient(
        agency_id=agency.id,
        role=new.role,
        language=new.language,
        wants_immediate=new.wants_immediate,
        wants_signals=new.wants_signals,
        wants_digest=new.wants_digest,
    )
    secret = None
    if new.account:
        user = next((u for u in accounts_for(session, agency) if u.email == new.account), None)
        if user is None:
            raise InputError(_("No such account may receive this agency's alerts."))
        recipient.user_id, recipient.email = user.id, user.email
    elif new.email.strip():
        try:
            recipient.email = normalise_email(new.email)
        except InputError:
            raise InputError(_("Not an e-mail address: %(value)s", value=new.email)) from None
    else:
        url = new.webhook_url.strip()
        if not url.startswith(("https://", "http://")) or len(url) > 2000 or " " in url:
            raise InputError(_("A webhook URL must start with https:// (at most 2000 characters)."))
        secret = secrets.token_urlsafe(32)
        recipient.webhook_url, recipient.webhook_secret = url, secret
    session.add(recipient)
    session.flush()
    return recipient, secret


def remove_recipient(session: Session, agency: Agency, recipient_id: int) -> None:
    found = session.get(AlertRecipient, recipient_id)
    if found is None or found.agency_id != agency.id or not found.active:
        raise NotFoundError(f"no recipient {recipient_id}")
    found.active = False  # its deliveries stay in the log


def delivery_log(session: Session, agency: Agency) -> list[AlertDelivery]:
    """The agency's latest deliveries, newest first."""
    return list(
        session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.agency_id == agency.id)
            .order_by(AlertDelivery.id.desc())
            .limit(LOG_ROWS)
        )
    )
