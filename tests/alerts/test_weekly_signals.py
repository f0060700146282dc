"""Weekly control-chart signals: ISO weeks in the city's timezone across a year boundary,
one event per agency and week, sent once, and no weekly chart for a small agency."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, AlertEvent, AlertRecipient, utcnow
from surveyapp.reporting.extract import local_week, week_label
from surveyapp.services import alert_digest, alert_run, alert_signals
from surveyapp.services.questionnaires import definition_of, get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.admin.conftest import OTHER, OWN, QUESTIONNAIRES, Staff
from tests.alerts.conftest import Mailbox

TZ = "Asia/Ho_Chi_Minh"  # UTC+7 all year: no daylight saving time
HCM = zoneinfo.ZoneInfo(TZ)
#: 20 ISO weeks, the last 2026-W02; 2026-W01 runs from Monday 2025-12-29 to 2026-01-04.
LAST_WEEK = dt.date(2026, 1, 5)
WEEKS = [LAST_WEEK - dt.timedelta(days=7 * k) for k in range(19, -1, -1)]
#: Monday of 2026-W03, morning: 2026-W02 is the latest complete week.
NOW = dt.datetime(2026, 1, 12, 3, 0, tzinfo=dt.UTC)
ITEMS = ("access_seating", "access_equipment", "staff_polite", "staff_guidance")
BIG, SMALL = 60, 12  # respondents a week of OWN and of OTHER


def _history(db: Database, fall: float, extra: tuple[tuple[str, dt.datetime], ...] = ()) -> None:
    """OWN has 60 responses a week, OTHER 12, 85 % satisfied; both fall to ``fall``
    satisfied in the last week (exact shares: a stable history is exactly stable)."""
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
        version = get_version(session, "sipas")
        definition = definition_of(version)
        ids = {c: i for c, i in session.execute(select(Agency.code, Agency.id))}

        def response(code: str, when: dt.datetime, happy: bool) -> NewResponse:
            answers = {key: ("5" if happy else "2") for key in ITEMS}
            checked = check_answers(definition, answers, require=False)
            return NewResponse(version.id, ids[code], "web", checked.answers, submitted_at=when)

        batch = []
        for week in WEEKS:
            for code, size in ((OWN, BIG), (OTHER, SMALL)):
                share = fall if week == LAST_WEEK else 0.85
                happy = round(share * size)
                for k in range(size):
                    # Local office hours, Monday to Friday.
                    local = dt.datetime.combine(
                        week + dt.timedelta(days=k % 5), dt.time(8 + k % 9, k % 60), tzinfo=HCM
                    )
                    batch.append(response(code, local.astimezone(dt.UTC), k < happy))
        batch += [response(code, when, True) for code, when in extra]
        store_responses(session, batch)
        for email, role in (("head@q1.example.vn", "head"), ("inspector@example.vn", "inspector")):
            session.add(
                AlertRecipient(
                    agency_id=ids[OWN], role=role, email=email, language="en", wants_digest=False
                )
            )
        session.add(
            AlertRecipient(
                agency_id=ids[OTHER], role="head", email="head@other.example.vn", wants_digest=False
            )
        )


def test_iso_weeks_in_local_time_across_the_year_boundary() -> None:
    # 2026-01-04 23:30 in Ho Chi Minh City is 16:30 UTC: still 2026-W01 (Sunday).
    sunday = dt.datetime(2026, 1, 4, 16, 30, tzinfo=dt.UTC)
    # 2026-01-05 00:30 local is 2026-01-04 17:30 UTC: already 2026-W02.
    monday = dt.datetime(2026, 1, 4, 17, 30, tzinfo=dt.UTC)
    assert local_week(sunday, HCM) == dt.date(2025, 12, 29)
    assert local_week(monday, HCM) == dt.date(2026, 1, 5)
    assert week_label(dt.date(2025, 12, 29)) == "2026-W01"  # ISO year, not calendar year
    assert week_label(dt.date(2025, 12, 22)) == "2025-W52"
    assert week_label(dt.date(2020, 12, 28)) == "2020-W53"


def test_weekly_series_counts_each_local_week(app: Flask, db: Database, staff: Staff) -> None:
    sunday_night = dt.datetime(2026, 1, 4, 16, 30, tzinfo=dt.UTC)  # 2026-W01 locally
    monday_early = dt.datetime(2026, 1, 4, 17, 30, tzinfo=dt.UTC)  # 2026-W02 locally
    _history(db, fall=0.85, extra=((OWN, sunday_night), (OWN, monday_early)))
    with db.session() as session:
        series = alert_signals.weekly_series(session, TZ, NOW)
        assert series is not None
        assert series.unit == "week" and series.periods == WEEKS
        labels = [series.label(w) for w in series.periods]
        assert labels[-3:] == ["2025-W52", "2026-W01", "2026-W02"]
        row = {a.code: i for i, a in enumerate(series.agencies)}
        n = series.n[alert_signals.INDEX]
        assert n[row[OWN]].tolist() == [BIG] * 18 + [BIG + 1, BIG + 1]
        assert n[row[OTHER]].tolist() == [SMALL] * 20
        chart = series.chart(alert_signals.INDEX)
        # OWN is charted (60 a week, p0 = 0.85: needs 34); OTHER (12 a week) is not.
        assert not np.isnan(chart.centre[row[OWN]]) and np.isnan(chart.centre[row[OTHER]])
        assert not chart.monitored[row[OTHER]].any()


def test_a_weekly_fall_raises_one_event_sent_once(
    app: Flask, db: Database, staff: Staff, in_app: None, smtp_server: tuple[Mailbox, Any]
) -> None:
    box, smtp = smtp_server
    _history(db, fall=0.2)
    for _ in range(2):
        result = alert_run.run(db, TZ, smtp, "http://localhost", now=NOW, delays=(0.01,))
        assert result.failed == 0
    with db.session() as session:
        events = list(session.scalars(select(AlertEvent).where(AlertEvent.kind == "signal")))
        weekly = [e for e in events if ":week:" in e.key]
        assert [e.key for e in weekly] == [f"signal:{OWN}:week:2026-W02"]
        assert weekly[0].payload["unit"] == "week" and weekly[0].payload["period"] == "2026-W02"
        assert not any(e.key.startswith(f"signal:{OTHER}:") for e in events)
        # The digest lists it among the week's signals.
        agency = session.get_one(Agency, weekly[0].agency_id)
        ctx = alert_digest.DigestContext(
            session, agency, None, utcnow() - dt.timedelta(days=1), utcnow()
        )
        with app.test_request_context("/?lang=en"):
            lines = alert_digest.render(alert_digest.collect(ctx))
        assert any(line.startswith("Fall signalled in week 2026-W02: ") for line in lines)
    mails = [m for m in box.messages if "2026-W02" in m["Subject"]]
    assert sorted(m["To"] for m in mails) == ["head@q1.example.vn", "inspector@example.vn"]
    assert all("fell in week 2026-W02" in m["Subject"] for m in mails)
    assert len(box.messages) == len(events) * 2  # one e-mail a signal and recipient, once
    assert not any(m["To"] == "head@other.example.vn" for m in box.messages)


def test_a_stable_history_raises_no_weekly_event(
    app: Flask, db: Database, staff: Staff, in_app: None, smtp_server: tuple[Mailbox, Any]
) -> None:
    _box, smtp = smtp_server
    _history(db, fall=0.85)
    alert_run.run(db, TZ, smtp, "http://localhost", now=NOW, delays=(0.01,))
    with db.session() as session:
        keys = list(session.scalars(select(AlertEvent.key).where(AlertEvent.kind == "signal")))
    assert not [k for k in keys if ":week:" in k]
