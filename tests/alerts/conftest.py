"""A real SMTP server (aiosmtpd) and a real webhook receiver, started by the tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from surveyapp.services.alert_delivery import SmtpSettings
from tests.auth.conftest import staff

__all__ = ["staff"]


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, SmtpSettings]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, SmtpSettings(f"smtp://127.0.0.1:{port}", "none", "alerts@survey.example.vn")
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook endpoint that checks every signature; the first ``fail`` answers are 500."""

    secret: str
    fail: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    receiver = Receiver(secret="s3cret-for-the-test-receiver")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stamp = self.headers["X-Surveyapp-Timestamp"]
            expected = (
                "sha256="
                + hmac.new(
                    receiver.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
            )
            valid = hmac.compare_digest(expected, self.headers["X-Surveyapp-Signature"])
            entry = {
                "valid": valid,
                "event": self.headers["X-Surveyapp-Event"],
                "delivery": self.headers["X-Surveyapp-Delivery"],
                "body": json.loads(body),
            }
            receiver.received.append(entry)
            if not valid:
                self.send_response(401)
            elif receiver.fail > 0:
                receiver.fail -= 1
                self.send_response(500)
            else:
                receiver.accepted.append(entry)
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def in_app(app: Flask) -> Iterator[None]:
    """Run in the app's context, as ``surveyapp alerts run`` does (messages are translated)."""
    with app.app_context():
        yield
