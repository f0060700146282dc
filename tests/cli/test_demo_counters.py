"""``surveyapp demo`` gives District 1 (and two other districts) counters and counter
ratings, once: District 1's counter report is not empty, and running the demo again
adds nothing."""

from __future__ import annotations

import zoneinfo
from typing import Any

from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Agency, Response
from surveyapp.models.counters import Counter
from surveyapp.reporting.build import agency_report

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Counter.id))) or 0,
            session.scalar(select(func.count(Response.id)).where(Response.channel == "counter"))
            or 0,
            session.scalar(select(func.count(Response.id))) or 0,
        )


def test_demo_adds_counters_and_counter_ratings_once(cli: Any, db: Database) -> None:
    result = cli("demo", "--responses", "400", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert "counter v1: 400 counter ratings generated" in result.output
    first = _counts(db)
    assert first[:2] == (10, 400)
    with db.session() as session:
        q1_counters = session.scalars(
            select(Counter.code).join(Agency).where(Agency.code == "Q1").order_by(Counter.code)
        ).all()
        assert q1_counters == ["1", "2", "3", "4"]
        ratings = session.scalars(select(Response).where(Response.channel == "counter")).all()
    assert {r.agency_id for r in ratings} <= {a.id for a in _agencies(db, "Q1", "Q3", "Q8")}
    assert all(r.counter_id is not None and r.given_at is not None for r in ratings)
    assert all(r.submitted_at >= r.given_at for r in ratings)
    for rating in ratings:  # given during office hours, local time
        local = rating.given_at.astimezone(TZ) if rating.given_at else None
        assert local is not None and (7, 30) <= (local.hour, local.minute) < (17, 0)
    officers = {r.officer_code for r in ratings}
    assert None in officers and len(officers - {None}) >= 6
    again = cli("demo", "--responses", "400", "--seed", "5")
    assert again.exit_code == 0, again.output
    assert "counter v1: 400 responses already there" in again.output
    assert _counts(db) == first


def _agencies(db: Database, *codes: str) -> list[Agency]:
    with db.session() as session:
        return list(session.scalars(select(Agency).where(Agency.code.in_(codes))))


def test_district_1_s_counter_report_has_counters_hours_and_lateness(
    cli: Any, db: Database
) -> None:
    assert cli("demo", "--responses", "1500", "--seed", "2").exit_code == 0
    with db.session() as session:
        report = agency_report(
            session, "Q1", slug="counter", timezone="Asia/Ho_Chi_Minh", officers=True
        )
    section = report.counter
    assert section is not None and section.n_responses > 100
    shown = {c.key for c in section.by_counter.cells if not c.suppressed}
    assert {"1", "2", "3", "4"} <= shown
    assert section.by_hour.cells and all(7 <= int(c.key) <= 16 for c in section.by_hour.cells)
    assert section.by_officer is not None and section.by_officer.cells
    # The counter questionnaire's "was your result late" is the late service fact.
    assert section.by_late is not None and section.by_late.question == "result_late"
    late = {c.key: c for c in section.by_late.cells}
    assert {"yes", "no"} <= set(late) and not late["yes"].suppressed
    assert late["yes"].n + late["no"].n <= section.n_responses
