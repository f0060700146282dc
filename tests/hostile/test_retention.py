"""Retention: free text and dossier codes older than a questionnaire's period are erased.

``surveyapp retention apply`` runs on the suite's database (SQLite or PostgreSQL) over
two versions of one questionnaire (the newest version's period applies to both), old
and recent responses and dossier codes; the reports before and after are equal apart
from comments, every numeric answer stays, and each run is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, Answer, AuditEvent, DossierCode, Response
from surveyapp.reporting import build, serialise
from surveyapp.services import dossiers
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import definition_of, get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.public.conftest import DATA

SLUG = "every-type"
NOW = dt.datetime.now(dt.UTC)
OLD = NOW - dt.timedelta(days=500)
RECENT = NOW - dt.timedelta(days=30)
ANSWERS = {
    "access_overall": "4",
    "staff_polite": "5",
    "visited": "yes",
    "visits": "3",
    "channels": ["web"],
    "visit_date": "2024-03-05",
    "recommend": "8",
}


def _write(folder: Path, extra: str = "", title: str = "") -> Path:
    source = (DATA / "every-type.yaml").read_text(encoding="utf-8")
    if title:
        source = source.replace("Every question type test survey", title)
    path = folder / "every-type.yaml"
    path.write_text(source + extra, encoding="utf-8")
    return path


def _store(db: Database, version: int, at: dt.datetime, comment: str) -> int:
    with db.write() as session:
        stored = get_version(session, SLUG, version)
        agency_id = session.scalar(select(Agency.id).where(Agency.code == "Q1"))
        assert agency_id is not None
        raw = {**ANSWERS, "occupation": f"nghề {comment}", "comment": f"Góp ý {comment}"}
        checked = check_answers(definition_of(stored), raw, require=False)
        assert not checked.errors
        (receipt,) = store_responses(
            session, [NewResponse(stored.id, agency_id, "web", checked.answers, submitted_at=at)]
        )
        found = session.scalar(select(Response.id).where(Response.receipt_code == receipt))
        assert found is not None
        return found


@pytest.fixture
def history(db: Database, tmp_path: Path) -> dict[str, int]:
    """v1 (no period) and v2 (365 days), each with an old and a recent response and code."""
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
        load_files(session, [_write(tmp_path)])
    ids = {"v1 old": _store(db, 1, OLD, "cũ 1"), "v1 recent": _store(db, 1, RECENT, "mới 1")}
    (tmp_path / "v2").mkdir()
    with db.write() as session:
        load_files(
            session,
            [_write(tmp_path / "v2", "retention: {days: 365}\n", title="Every type, v2")],
        )
    ids |= {"v2 old": _store(db, 2, OLD, "cũ 2"), "v2 recent": _store(db, 2, RECENT, "mới 2")}
    with db.write() as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == "Q1"))
        assert agency_id is not None
        dossiers.load_codes(session, agency_id, ["HS-OLD-1", "HS-OLD-2", "HS-NEW-1", "HS-FREE"])
        for code, key in (
            ("HS-OLD-1", "v1 old"),
            ("HS-OLD-2", "v2 old"),
            ("HS-NEW-1", "v2 recent"),
        ):
            code_id = dossiers.unused_code_id(session, agency_id, code)
            assert code_id is not None and dossiers.claim(session, code_id, ids[key])
    return ids


def _texts(db: Database) -> dict[tuple[int, str], str | None]:
    with db.session() as session:
        rows = session.execute(
            select(Answer.response_id, Answer.question_key, Answer.value_text).where(
                Answer.question_key.in_(["occupation", "comment"])
            )
        )
        return {(r, k): t for r, k, t in rows}


def _numbers(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as session:
        rows = session.execute(
            select(Answer.response_id, Answer.question_key, Answer.value_num, Answer.is_na)
            .where(Answer.question_key.not_in(["occupation", "comment"]))
            .order_by(Answer.response_id, Answer.question_key)
        )
        choices = session.execute(
            select(Answer.response_id, Answer.question_key, Answer.value_text)
            .where(Answer.question_key.not_in(["occupation", "comment"]))
            .order_by(Answer.response_id, Answer.question_key)
        )
        return [tuple(r) for r in rows] + [tuple(r) for r in choices]


def _codes(db: Database) -> dict[int | None, str]:
    with db.session() as session:
        return {r: c for c, r in session.execute(select(DossierCode.code, DossierCode.response_id))}


#: What may differ between two builds of the same report: its comments (erased here) and
#: the time it was made (two builds can fall in different seconds).
UNCOMPARED = frozenset({"comments", "generated_at"})


def _without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_comments(v) for k, v in value.items() if k not in UNCOMPARED}
    if isinstance(value, list):
        return [_without_comments(v) for v in value]
    return value


def _reports(db: Database) -> list[Any]:
    with db.session() as session:
        return [
            _without_comments(
                json.loads(
                    serialise.dumps(
                        build.agency_report(
                            session,
                            "Q1",
                            slug=SLUG,
                            version=version,
                            first=(NOW - dt.timedelta(days=800)).date(),
                            last=NOW.date(),
                            timezone="Asia/Ho_Chi_Minh",
                            grain=grain,
                        )
                    )
                )
            )
            for version in (1, 2)
            for grain in ("month", "year")
        ]


def _audit(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.apply"))
        )


def test_apply_erases_old_free_text_and_codes_and_keeps_the_numbers(
    app: Flask, cli: Any, db: Database, history: dict[str, int]
) -> None:
    texts, numbers, codes, reports = _texts(db), _numbers(db), _codes(db), _reports(db)
    dry = cli("retention", "apply", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "every-type: would erase 4 free-text answer(s) and 2 dossier code(s)" in dry.output
    assert (_texts(db), _codes(db), _audit(db)) == (texts, codes, [])

    done = cli("retention", "apply")
    assert done.exit_code == 0, done.output
    assert "every-type: erased 4 free-text answer(s) and 2 dossier code(s)" in done.output
    after = _texts(db)
    for key, response_id in history.items():
        for question in ("occupation", "comment"):
            expected = "" if "old" in key else texts[(response_id, question)]
            assert after[(response_id, question)] == expected, (key, question)
    assert _numbers(db) == numbers
    assert _reports(db) == reports
    erased = _codes(db)
    assert erased[history["v2 recent"]] == "HS-NEW-1"
    assert erased[None] == "HS-FREE"  # an unused code is no one's: the agency's to manage
    for key in ("v1 old", "v2 old"):
        assert erased[history[key]].startswith("~ERASED-")
        assert "HS-OLD" not in erased[history[key]]
    (event,) = _audit(db)
    assert event.target == f"questionnaire:{SLUG}" and event.user_email is None
    assert event.detail["days"] == 365
    assert (event.detail["texts_erased"], event.detail["dossier_codes_erased"]) == (4, 2)

    again = cli("retention", "apply")
    assert "erased 0 free-text answer(s) and 0 dossier code(s)" in again.output
    assert len(_audit(db)) == 2
    assert _texts(db) == after


def test_an_erased_code_cannot_be_used_or_loaded_as_itself(
    cli: Any, db: Database, history: dict[str, int]
) -> None:
    assert cli("retention", "apply").exit_code == 0
    with db.write() as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == "Q1"))
        assert agency_id is not None
        erased = _codes(db)[history["v1 old"]]
        assert dossiers.unused_code_id(session, agency_id, erased) is None
        with pytest.raises(Exception, match="code"):
            dossiers.load_codes(session, agency_id, dossiers.parse_codes(erased))


def test_without_a_period_everything_is_kept(cli: Any, db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
        load_files(session, [_write(tmp_path)])
    _store(db, 1, OLD, "cũ")
    texts = _texts(db)
    done = cli("retention", "apply")
    assert done.exit_code == 0
    assert "every-type: no retention period; everything is kept" in done.output
    assert _texts(db) == texts and _audit(db) == []


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        ("retention: {days: 0}\n", ":19", "retention.days must be an integer from 1 to 36500"),
        ("retention: {days: 36501}\n", ":19", "retention.days must be an integer from 1 to"),
        ("retention: {days: 1.5}\n", ":19", "retention.days must be an integer"),
        ("retention: {days: '30'}\n", ":19", "retention.days must be an integer"),
        ("retention: {days: true}\n", ":19", "retention.days must be an integer"),
        ("retention: 730\n", ":12", "retention must be a mapping, not a number"),
        ("retention: {}\n", ":12", "retention is missing required field 'days'"),
        ("retention: {days: 30, keep: all}\n", ":23", "unknown field 'keep' in retention"),
        ("retention: {day: 30}\n", ":13", "unknown field 'day' in retention (did you mean 'days'"),
    ],
)
def test_a_bad_period_is_a_problem_with_its_position(
    cli: Any, tmp_path: Path, extra: str, where: str, message: str
) -> None:
    path = _write(tmp_path, extra)
    line = len((DATA / "every-type.yaml").read_text(encoding="utf-8").splitlines()) + 1
    result = cli("questionnaires", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:{line}{where}: {message}" in result.output
