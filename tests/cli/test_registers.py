"""``surveyapp registers import|plan``: checked whole, nothing stored on error, re-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.errors import InputError
from surveyapp.models import Agency, Register
from surveyapp.services import registers


def _agencies(db: Database, *codes: str) -> None:
    with db.write() as session:
        for code in codes:
            session.add(Agency(code=code, name_vi=f"Quận {code}", name_en=code, kind="district"))


def _stored(db: Database) -> list[tuple[str, str, str, str, int]]:
    with db.session() as session:
        rows = session.execute(
            select(Agency.code, Register.period, Register.respondent_type, Register.channel,
                   Register.dossiers).join(Agency).order_by(Agency.code, Register.respondent_type)
        )  # fmt: skip
        return [tuple(r) for r in rows]


def test_import_then_reimport_replaces(cli: Any, db: Database, tmp_path: Path) -> None:
    _agencies(db, "Q1", "Q3")
    first = tmp_path / "r.csv"
    first.write_text("agency,period,dossiers\nq1,2017,1000\nQ3,2017,400\n", encoding="utf-8")
    result = cli("registers", "import", str(first))
    assert result.exit_code == 0, result.output
    assert "2 rows stored" in result.output
    assert _stored(db) == [("Q1", "2017", "", "", 1000), ("Q3", "2017", "", "", 400)]
    split = tmp_path / "s.csv"
    split.write_text(
        "agency,period,dossiers,respondent_type\nQ1,2017,700,citizen\nQ1,2017,350,business\n",
        encoding="utf-8",
    )
    again = cli("registers", "import", str(split))
    assert again.exit_code == 0, again.output
    assert "1 agency periods replaced" in again.output
    assert _stored(db) == [
        ("Q1", "2017", "business", "", 350),
        ("Q1", "2017", "citizen", "", 700),
        ("Q3", "2017", "", "", 400),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agency,period\nQ1,2017\n", "row 1: missing column(s) dossiers"),
        ("agency,period,dossiers,colour\nQ1,2017,5,red\n", "row 1: unknown column(s) colour"),
        ("agency,period,dossiers\nQ1,2017,5\nQ9,2017,5\n", "row 3, column agency: no agency"),
        ("agency,period,dossiers\nQ1,17,5\n", "row 2, column period:"),
        ("agency,period,dossiers\nQ1,2017-13,5\n", "row 2, column period:"),
        ("agency,period,dossiers\nQ1,2017,-5\n", "row 2, column dossiers: must be a whole"),
        ("agency,period,dossiers\nQ1,2017,1.5\n", "row 2, column dossiers: must be a whole"),
        (
            "agency,period,dossiers\nQ1,2017,999999999999\n",
            "row 2, column dossiers: must be at most",
        ),
        ("agency,period,dossiers\nQ1,2017,5\nQ1,2017,6\n", "row 3: Q1 2017 repeats row 2"),
        ("agency,period,dossiers,channel\nQ1,2017,5,\n", "row 2, column channel: empty"),
        ("agency,period,dossiers,channel\nQ1,2017,5,Quầy\n", "row 2, column channel:"),
        ("agency,period,dossiers\nQ1,2017,5,6\n", "row 2: more cells than columns"),
        ("agency,period,dossiers\n", "no registers"),
    ],
)
def test_bad_files_name_row_and_column_and_store_nothing(
    cli: Any, db: Database, tmp_path: Path, text: str, message: str
) -> None:
    _agencies(db, "Q1")
    path = tmp_path / "bad.csv"
    path.write_text("agency,period,dossiers\nQ1,2016,77\n", encoding="utf-8")
    assert cli("registers", "import", str(path)).exit_code == 0
    path.write_text(text, encoding="utf-8")
    result = cli("registers", "import", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert _stored(db) == [("Q1", "2016", "", "", 77)]


def test_periods_are_calendar_spans() -> None:
    assert registers.period_days("2017") == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert registers.period_days("2017-Q4") == (dt.date(2017, 10, 1), dt.date(2017, 12, 31))
    assert registers.period_days("2016-02") == (dt.date(2016, 2, 1), dt.date(2016, 2, 29))
    with pytest.raises(ValueError, match="YYYY"):
        registers.period_days("2017-Q5")


def test_console_entry_refuses_bad_values(db: Database) -> None:
    _agencies(db, "Q1")
    with db.write() as session, pytest.raises(InputError, match="dossiers"):
        registers.set_total(session, "Q1", "2017", "many")
    with db.write() as session:
        registers.set_total(session, "q1", "2017", "1200")
    assert _stored(db) == [("Q1", "2017", "", "", 1200)]


def test_plan_prints_quotas_and_who_is_behind(cli: Any, db: Database, tmp_path: Path) -> None:
    _agencies(db, "Q1", "Q3")
    path = tmp_path / "r.csv"
    path.write_text("agency,period,dossiers\nQ1,2017,1000\nQ3,2017,100000\n", encoding="utf-8")
    assert cli("registers", "import", str(path)).exit_code == 0
    result = cli("registers", "plan", "--period", "2017")
    assert result.exit_code == 0, result.output
    # Slovin, e = 5%: 1000 / 3.5 = 285.7 -> 286; 100000 / 251 = 398.4 -> 399
    assert "Q1\t1000\t286\t0\t0\tBEHIND" in result.output
    assert "Q3\t100000\t399\t0\t0\tBEHIND" in result.output
    assert "2 of 2 agencies behind quota" in result.output
    proportion = cli("registers", "plan", "--period", "2017", "--rule", "proportion",
                     "--margin", "10%")  # fmt: skip
    # Cochran: n0 = 1.96^2 / 4 / 0.01 = 96.04; 96.04 / (1 + 95.04 / 1000) = 87.7 -> 88
    assert "Q1\t1000\t88\t" in proportion.output
    bad = cli("registers", "plan", "--period", "2017", "--margin", "abc")
    assert bad.exit_code == 1 and "margin" in bad.output
