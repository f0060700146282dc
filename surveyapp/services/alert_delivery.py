"""Sending alerts: e-mail through SMTP and signed webhooks, with retries and a log.

Webhooks are POSTed as JSON with these headers (docs/deployment.md#alerts):

* ``X-Surveyapp-Event``: the event's kind (``serious``, ``watch``, ``signal``, ``digest``);
* ``X-Surveyapp-Delivery``: the delivery's id (the same on every retry);
* ``X-Surveyapp-Timestamp``: seconds since the epoch when this attempt was signed;
* ``X-Surveyapp-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the
  recipient's secret, of ``TIMESTAMP + "." + BODY`` (the raw body bytes).

A receiver recomputes the HMAC, compares in constant time and refuses timestamps
older than a few minutes (replays). A delivery that fails is retried within the run
with backoff (``RETRY_DELAYS``), then again by later runs after
``RETRY_AFTER * 2**attempts`` until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

#: Pauses between attempts within one run, in seconds.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0)
#: Attempts over all runs before a delivery stays failed.
MAX_ATTEMPTS = 8
RETRY_AFTER = dt.timedelta(minutes=5)
TIMEOUT_SECONDS = 15.0


class DeliveryError(Exception):
    """A delivery attempt failed; the message says why (kept in the delivery log)."""


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str
    language: str


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    url: str
    security: str
    sender: str


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send_mail(settings: SmtpSettings, mail: Mail) -> None:
    """Send one message through the configured SMTP server; raise DeliveryError."""
    if not settings.url:
        raise DeliveryError("SURVEYAPP_SMTP_URL is not set")
    parts = urlsplit(settings.url)
    host = parts.hostname or "localhost"
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["Content-Language"] = mail.language
    message.set_content(mail.body)
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host,
                parts.port or 465,
                timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(host, parts.port or 587, timeout=TIMEOUT_SECONDS)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {host}: {exc}") from None


def post_webhook(
    url: str, secret: str, kind: str, delivery_id: int, payload: dict[str, Any]
) -> None:
    """POST ``payload`` signed; a non-2xx answer or no answer raises DeliveryError."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "surveyapp-alerts",
            "X-Surveyapp-Event": kind,
            "X-Surveyapp-Delivery": str(delivery_id),
            "X-Surveyapp-Timestamp": timestamp,
            "X-Surveyapp-Signature": signature(secret, timestamp, body),
        },
    )
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("a webhook must be an http(s) URL")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook answered {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"webhook unreachable: {exc}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered {status}")


def with_retries(
    attempt: Callable[[], None],
    delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, str | None]:
    """Run ``attempt`` until it succeeds or ``delays`` run out; (attempts made, last error)."""
    made = 0
    for pause in (*delays, None):
        made += 1
        try:
            attempt()
        except DeliveryError as exc:
            if pause is None:
                return made, str(exc)[:500]
            sleep(pause)
        else:
            return made, None
    return made, None  # pragma: no cover - the loop always returns
