"""On the demo data, ``surveyapp alerts run`` e-mails District 8's head and the inspector once.

District 8 is busy enough for weekly charts too, so each of them gets the fall of
December 2017 (monthly chart) and of its last week, 2017-W52 (weekly chart): one
e-mail a signal and recipient, and a second run sends nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from surveyapp.db import Database
from tests.alerts.conftest import Mailbox


def test_demo_fall_is_mailed_once(
    app: Flask, db: Database, cli: Any, smtp_server: tuple[Mailbox, Any]
) -> None:
    box, smtp = smtp_server
    app.config.update(SMTP_URL=smtp.url, SMTP_SECURITY=smtp.security, SMTP_FROM=smtp.sender)
    assert cli("demo").exit_code == 0
    first = cli("alerts", "run")
    assert first.exit_code == 0, first.output
    got = sorted(
        (m["To"], "2017-W52" if "2017-W52" in m["Subject"] else m["Subject"])
        for m in box.messages
        if "2017-12" not in m["Subject"]
    ) + sorted(m["To"] for m in box.messages if "2017-12" in m["Subject"])
    assert got == [
        ("lanhdao.q8@example.gov.vn", "2017-W52"),
        ("thanhtra@example.gov.vn", "2017-W52"),
        "lanhdao.q8@example.gov.vn",
        "thanhtra@example.gov.vn",
    ]
    assert all("Quận 8 (Q8)" in m["Subject"] for m in box.messages)
    weekly = [m["Subject"] for m in box.messages if "2017-W52" in m["Subject"]]
    assert all(s.endswith("sụt giảm trong tuần 2017-W52") for s in weekly)
    assert "sent 0" in cli("alerts", "run").output
    assert len(box.messages) == 4
