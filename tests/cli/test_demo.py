from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Agency, Answer, Response


def snapshot(db: Database) -> list[tuple[str, str, float | None, str | None, bool]]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    Agency.code,
                    Answer.question_key,
                    Answer.value_num,
                    Answer.value_text,
                    Answer.is_na,
                )
                .join(Response, Response.id == Answer.response_id)
                .join(Agency, Agency.id == Response.agency_id)
                .order_by(Response.submitted_at, Answer.question_key)
            )
        ]


def test_demo_loads_city_and_is_reproducible(cli: Any, db: Database) -> None:
    result = cli("demo", "--responses", "150", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "44 added" in result.output
    assert "sipas v1: 150 responses generated" in result.output
    with db.session() as session:
        assert session.scalar(select(func.count(Agency.id))) == 44
        years = {r.year for r in session.scalars(select(Response.submitted_at))}
        assert years <= {2016, 2017}  # local 2017; UTC can fall on 31 Dec 2016
    first = snapshot(db)
    again = cli("demo", "--responses", "150", "--seed", "7")
    assert "150 responses already there" in again.output
    assert snapshot(db) == first
    forced = cli("demo", "--responses", "150", "--seed", "7", "--force")
    assert forced.exit_code == 0
    data = snapshot(db)
    assert len(data) == 2 * len(first)
    # The same seed draws the same answers (receipt codes and ids differ).
    assert sorted(map(repr, data)) == sorted(map(repr, first + first))


def test_demo_data_differs_between_agencies(cli: Any, db: Database) -> None:
    assert cli("demo", "--responses", "3000", "--seed", "1").exit_code == 0
    with db.session() as session:
        means = dict(
            session.execute(
                select(Agency.code, func.avg(Answer.value_num))
                .join(Response, Response.id == Answer.response_id)
                .join(Agency, Agency.id == Response.agency_id)
                .where(Answer.question_key == "overall_satisfaction")
                .group_by(Agency.code)
            ).all()
        )
    assert max(means.values()) - min(means.values()) > 0.5


def test_demo_again_keeps_what_an_admin_changed(cli: Any, db: Database) -> None:
    """``make run`` runs the demo at every start: it must not undo the console's changes."""
    assert cli("demo", "--responses", "30", "--seed", "3").exit_code == 0
    origins = cli("agencies", "set-origins", "Q1", "https://quan1.hochiminhcity.gov.vn")
    assert origins.exit_code == 0, origins.output
    with db.write() as session:
        q3 = session.scalars(select(Agency).where(Agency.code == "Q3")).one()
        q3.name_en = "District 3 (renamed)"
        q3.theme_color = "#004488"
        q3.active = False
    before = snapshot(db)
    again = cli("demo", "--responses", "30", "--seed", "3")
    assert again.exit_code == 0, again.output
    assert "0 added, 44 kept" in again.output
    listed = cli("agencies", "list", "--all").output
    assert "Q1\tdistrict\t" in listed and "https://quan1.hochiminhcity.gov.vn" in listed
    with db.session() as session:
        q3 = session.scalars(select(Agency).where(Agency.code == "Q3")).one()
        assert (q3.name_en, q3.theme_color, q3.active) == ("District 3 (renamed)", "#004488", False)
    assert snapshot(db) == before  # no response added a second time


def test_the_demo_leaves_the_planner_statistics_up_to_date(cli: Any, db: Database) -> None:
    """After its bulk load the demo runs ANALYZE on PostgreSQL (Database.refresh_statistics):
    a report or ``alerts run`` straight after is planned on today's row counts."""
    assert cli("demo", "--responses", "300").exit_code == 0
    with db.connect() as conn:
        if conn.dialect.name == "sqlite":  # SQLite plans without statistics: nothing is made
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
                ).scalar()
                == 0
            )
            return
        rows = conn.exec_driver_sql("SELECT count(*) FROM answers").scalar()
        estimate = conn.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'answers'"
        ).scalar()
    assert rows and abs(float(estimate) - rows) <= 0.1 * rows
