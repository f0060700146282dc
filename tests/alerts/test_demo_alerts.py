"""On the demo data, ``surveyapp alerts run`` e-mails District 8's head and the inspector once.

District 8 is busy enough for weekly charts too: its last week, 2017-W52, falls as
well as December 2017, but one fall is told once a month (``month_keys``), so each
recipient gets one e-mail, and a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from surveyapp.db import Database
from surveyapp.services.alert_signals import month_keys, month_of_period
from tests.alerts.conftest import Mailbox


def test_demo_fall_is_mailed_once(
    app: Flask, db: Database, cli: Any, smtp_server: tuple[Mailbox, Any]
) -> None:
    box, smtp = smtp_server
    app.config.update(SMTP_URL=smtp.url, SMTP_SECURITY=smtp.security, SMTP_FROM=smtp.sender)
    assert cli("demo").exit_code == 0
    first = cli("alerts", "run")
    assert first.exit_code == 0, first.output
    assert sorted(m["To"] for m in box.messages) == [
        "lanhdao.q8@example.gov.vn",
        "thanhtra@example.gov.vn",
    ]
    assert all("Quận 8 (Q8)" in m["Subject"] and "2017-12" in m["Subject"] for m in box.messages)
    assert "sent 0" in cli("alerts", "run").output
    assert len(box.messages) == 2


def test_a_week_counts_in_the_month_of_its_thursday() -> None:
    # 2017-W52 is Mon 25 - Sun 31 December; 2018-W05 is Mon 29 January - Sun 4 February
    # (Thursday 1 February); 2020-W53 is Mon 28 December 2020 - Sun 3 January 2021.
    assert month_of_period("week", dt.date(2017, 12, 25)) == dt.date(2017, 12, 1)
    assert month_of_period("week", dt.date(2018, 1, 29)) == dt.date(2018, 2, 1)
    assert month_of_period("week", dt.date(2020, 12, 28)) == dt.date(2020, 12, 1)
    assert month_of_period("month", dt.date(2018, 2, 1)) == dt.date(2018, 2, 1)
    assert month_keys("Q8", dt.date(2018, 2, 1)) == [
        "signal:Q8:month:2018-02",
        "signal:Q8:week:2018-W05",
        "signal:Q8:week:2018-W06",
        "signal:Q8:week:2018-W07",
        "signal:Q8:week:2018-W08",
    ]
    assert month_keys("Q8", dt.date(2020, 12, 1))[-1] == "signal:Q8:week:2020-W53"
