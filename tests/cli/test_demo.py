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
