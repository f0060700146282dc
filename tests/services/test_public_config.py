"""The public forms' settings kept in memory: triggers, reuse, and changes seen at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from surveyapp import schema
from surveyapp.db import Database, make_engine
from surveyapp.definitions import StoredAnswer
from surveyapp.schema import UNMODELLED_TABLES
from surveyapp.services import public_config
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.availability import set_availability
from surveyapp.services.public_config import GENERATION_TABLE, WATCHED_TABLES
from surveyapp.services.questionnaires import load_files
from surveyapp.services.responses import NewResponse, store_responses

DATA = Path(__file__).parents[1] / "public" / "data"
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)

#: One row of each watched table, parents first (a parent's id is bound by name).
ROWS: list[tuple[str, str, str]] = [
    (
        "agencies",
        "INSERT INTO agencies (code, name_vi, name_en, kind, active, created_at) "
        "VALUES ('GX', 'Cơ quan X', 'Agency X', 'other', true, CURRENT_TIMESTAMP)",
        "code",
    ),
    (
        "agency_origins",
        "INSERT INTO agency_origins (agency_id, origin) VALUES (:agency, 'https://x.example')",
        "origin",
    ),
    (
        "agency_logos",
        "INSERT INTO agency_logos (agency_id, content_type, data, sha256, width, height, "
        "updated_at) VALUES (:agency, 'image/png', :blob, :sha, 1, 1, CURRENT_TIMESTAMP)",
        "width",
    ),
    (
        "questionnaires",
        "INSERT INTO questionnaires (slug, created_at) VALUES ('gx', CURRENT_TIMESTAMP)",
        "slug",
    ),
    (
        "questionnaire_versions",
        "INSERT INTO questionnaire_versions (questionnaire_id, version, content_hash, "
        "title_vi, title_en, definition, source_text, created_at) "
        "VALUES (:questionnaire, 1, 'h', 't', 't', '{}', '', CURRENT_TIMESTAMP)",
        "title_en",
    ),
    (
        "questionnaire_availability",
        "INSERT INTO questionnaire_availability (questionnaire_id, agency_id, is_open, "
        "updated_at) VALUES (:questionnaire, :agency, false, CURRENT_TIMESTAMP)",
        "is_open",
    ),
    (
        "dossier_requirements",
        "INSERT INTO dossier_requirements (agency_id, questionnaire_id, created_at) "
        "VALUES (:agency, :questionnaire, CURRENT_TIMESTAMP)",
        "created_at",
    ),
]


def _generation(session: Session) -> int:
    return int(session.execute(text(f"SELECT value FROM {GENERATION_TABLE}")).scalar_one())  # noqa: S608


def test_every_watched_table_has_a_row_here() -> None:
    assert [table for table, _, _ in ROWS] == list(WATCHED_TABLES)
    assert GENERATION_TABLE in UNMODELLED_TABLES


def test_each_insert_update_and_delete_of_a_watched_table_changes_the_generation(
    db: Database,
) -> None:
    params = {"blob": b"\x89PNG", "sha": "0" * 64}
    seen: list[int] = []
    with db.write() as session:
        seen.append(_generation(session))
        for table, insert, column in ROWS:
            session.execute(text(insert), params)
            if table == "agencies":
                params["agency"] = session.execute(
                    text("SELECT id FROM agencies WHERE code = 'GX'")
                ).scalar_one()
            if table == "questionnaires":
                params["questionnaire"] = session.execute(
                    text("SELECT id FROM questionnaires WHERE slug = 'gx'")
                ).scalar_one()
            after_insert = _generation(session)
            assert after_insert != seen[-1], f"INSERT INTO {table} kept the generation"
            session.execute(text(f"UPDATE {table} SET {column} = {column}"))  # noqa: S608
            after_update = _generation(session)
            assert after_update != after_insert, f"UPDATE {table} kept the generation"
            seen += [after_insert, after_update]
        for table, _, _ in reversed(ROWS):
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608
            after_delete = _generation(session)
            assert after_delete != seen[-1], f"deleting from {table} kept the generation"
            seen.append(after_delete)
    assert len(set(seen)) == len(seen)


def test_storing_responses_leaves_the_generation_alone(db: Database) -> None:
    """Submissions write only unwatched tables: they never make a process read settings."""
    with db.write() as session:
        _survey(session)
    with db.session() as session:
        config = public_config.current(session)
    version = config.newest["every-type"]
    new = NewResponse(
        questionnaire_version_id=version.id,
        agency_id=config.agencies_by_code["Q1"].id,
        channel="web",
        answers={"access_overall": StoredAnswer(value_num=4.0, value_text=None, is_na=False)},
    )
    with db.write() as session:
        store_responses(session, [new])
    with db.session() as session:
        assert _generation(session) == config.generation
        assert public_config.current(session) is config


def _survey(session: Session) -> None:
    load_files(session, [DATA / "every-type.yaml"])
    add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district", ["https://a.vn"]))
    add_agency(session, AgencyInput("SNV", "Sở Nội vụ", "Home Affairs", "department"))


def test_the_snapshot_is_reused_until_a_setting_changes(db: Database) -> None:
    with db.write() as session:
        _survey(session)
    with db.session() as session:
        first = public_config.current(session)
        assert public_config.current(session) is first
    assert first.agency_by_code(" q1 ").origins == ("https://a.vn",)  # type: ignore[union-attr]
    assert [a.code for a in first.portal_agencies] == ["SNV", "Q1"]  # department, district
    version = first.newest["every-type"]
    assert first.takes_answers(first.agencies_by_code["Q1"].id, version.questionnaire_id, NOW)

    with db.write() as session:
        add_agency(
            session,
            AgencyInput("Q1", "Quận 1", "District 1", "district", ["https://b.vn"], "#005a9c"),
            replace=True,
        )
        set_availability(
            session,
            version.questionnaire_id,
            first.agencies_by_code["Q1"].id,
            open_=False,
            actor=None,
            target="every-type/Q1",
        )
    with db.session() as session:
        second = public_config.current(session)
    assert second is not first
    q1 = second.agencies_by_code["Q1"]
    assert q1.origins == ("https://b.vn",)
    assert q1.theme.color == "#005a9c"
    assert not second.takes_answers(q1.id, version.questionnaire_id, NOW)
    assert second.takes_answers(second.agencies_by_code["SNV"].id, version.questionnaire_id, NOW)


def test_a_change_rolled_back_leaves_the_earlier_settings(db: Database) -> None:
    with db.write() as session:
        _survey(session)
    with db.session() as session:
        before = public_config.current(session)
    session = db.session()
    with session.begin_nested() as nested:
        add_agency(session, AgencyInput("Q3", "Quận 3", "District 3", "district"))
        session.flush()
        assert "Q3" in public_config.current(session).agencies_by_code
        nested.rollback()
    after = public_config.current(session)
    session.close()
    assert "Q3" not in after.agencies_by_code
    assert after.generation == before.generation


def test_another_servers_change_is_seen_on_the_next_request(empty_engine: Engine) -> None:
    """Two engines stand for two app servers on one database; each keeps its own snapshot."""
    schema.upgrade(empty_engine)
    other = make_engine(empty_engine.url.render_as_string(hide_password=False))
    try:
        one, two = Database(empty_engine), Database(other)
        with one.write() as session:
            _survey(session)
        with one.session() as session:
            seen_by_one = public_config.current(session)
        with two.session() as session:
            seen_by_two = public_config.current(session)
        assert seen_by_one is not seen_by_two
        assert seen_by_one.generation == seen_by_two.generation
        with two.write() as session:
            add_agency(session, AgencyInput("Q3", "Quận 3", "District 3", "district"))
        with one.session() as session:
            now_one = public_config.current(session)
        assert "Q3" in now_one.agencies_by_code
        assert now_one.generation != seen_by_one.generation
        with two.session() as session:
            assert public_config.current(session).generation == now_one.generation
    finally:
        other.dispose()
