"""Copying a pilot's database between SQLite and PostgreSQL, proven by counts and checksums."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)

from surveyapp import schema
from surveyapp.db import Database
from surveyapp.models import (
    Agency,
    Answer,
    AuditEvent,
    Response,
    User,
    UTCDateTime,
)
from surveyapp.models.admin import QuestionnaireAvailability
from surveyapp.services import db_checksums, db_copy
from surveyapp.services.db_copy import CopyError
from tests.services.db_copy_support import (
    ONE_THIRD,
    UNICODE_NAME,
    build_pilot,
    engine_for,
    fresh_postgres_database,
    new_submission,
    pilot_url,
)

#: Tables the pilot fills; every other model table must be copied too, even when empty.
FILLED = {
    "agencies",
    "agency_origins",
    "questionnaires",
    "questionnaire_versions",
    "responses",
    "answers",
    "report_aggregates",
    "users",
    "audit_log",
    "login_failures",
    "api_tokens",
    "questionnaire_availability",
    "dossier_codes",
    "dossier_requirements",
}


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pilot's SQLite database; tests only read it."""
    path = tmp_path_factory.mktemp("pilot") / "pilot.sqlite"
    build_pilot(path)
    return path


@pytest.fixture
def source(pilot: Path) -> Iterator[Engine]:
    engine = engine_for(pilot_url(pilot))
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty database of each backend."""
    if request.param == "sqlite":
        engine = engine_for(pilot_url(tmp_path / "target.sqlite"))
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database("dbcopy") as url:
        engine = engine_for(url)
        yield engine
        engine.dispose()


def test_copy_keeps_every_row_of_every_table(source: Engine, target: Engine) -> None:
    before = db_copy.summarise(source)
    seen: list[tuple[str, int, int]] = []
    result = db_copy.copy_database(
        source, target, batch_size=50, progress=lambda *a: seen.append(a)
    )

    assert result.ok, result.mismatched
    assert result.source_revision == result.target_revision == schema.head_revision(target)
    assert [c.table for c in result.tables] == [t.name for t in db_copy.model_tables()]
    copied = {c.table: c.source for c in result.tables}
    assert copied == before  # what was copied is what the source holds
    assert db_copy.summarise(target) == before  # and what the target now holds
    assert {name for name, s in before.items() if s.rows} >= FILLED
    assert ("answers", before["answers"].rows, before["answers"].rows) in seen
    assert sum(1 for t, *_ in seen if t == "answers") > before["answers"].rows // 50

    # The values themselves, read back through the models.
    with Database(target).session() as session:
        assert session.scalar(select(Agency.name_vi).where(Agency.code == "P-BEN-THANH")) == (
            UNICODE_NAME
        )
        assert session.scalar(select(func.count()).where(Answer.value_num == ONE_THIRD)) == 1
        clerk = session.scalar(select(User).where(User.role == "agency"))
        assert clerk is not None
        assert clerk.last_login_at == dt.datetime(2017, 3, 4, 1, 2, 3, 456789, tzinfo=dt.UTC)
        window = session.scalar(select(QuestionnaireAvailability))
        assert window is not None
        assert window.closes_at == dt.datetime(2017, 12, 31, 16, 59, 59, 999999, tzinfo=dt.UTC)
        detail = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "report.download")
        )
        assert detail == {
            "lý do": "Kiểm tra “định kỳ”",
            "n": 3,
            "ratio": 0.1,
            "nested": {"b": [1, 2.5, None]},
        }
        assert session.scalar(select(func.count()).where(AuditEvent.user_id.is_(None))) >= 1
        largest = session.scalar(select(func.max(Response.id)))

    # The app works on the copy: new rows get new ids (PostgreSQL sequences were reset).
    assert new_submission(target) > (largest or 0)


def test_postgresql_sequences_point_past_the_copied_ids(source: Engine, tmp_path: Path) -> None:
    with fresh_postgres_database("dbcopy") as url:
        target = engine_for(url)
        try:
            assert db_copy.copy_database(source, target).ok
            with target.connect() as conn:
                checked = 0
                for table in db_copy.model_tables():
                    for column in table.primary_key.columns:
                        sequence = conn.scalar(
                            text("SELECT pg_get_serial_sequence(:t, :c)"),
                            {"t": table.name, "c": column.name},
                        )
                        if sequence is None:
                            continue
                        largest = conn.scalar(select(func.max(column))) or 0
                        following = conn.scalar(text(f"SELECT nextval('{sequence}')"))
                        assert following == largest + 1, table.name
                        checked += 1
                conn.rollback()
            assert checked >= 10
            # And back from PostgreSQL to SQLite, with nothing lost on the way.
            back = engine_for(pilot_url(tmp_path / "back.sqlite"))
            try:
                assert db_copy.copy_database(target, back).ok
                assert db_copy.verify(source, back).ok
            finally:
                back.dispose()
        finally:
            target.dispose()


def test_a_target_with_rows_is_refused_and_left_alone(source: Engine, target: Engine) -> None:
    assert db_copy.copy_database(source, target).ok
    before = db_copy.summarise(target)
    with pytest.raises(CopyError, match=r"is not empty \(rows in .*agencies"):
        db_copy.copy_database(source, target)
    assert db_copy.summarise(target) == before


def test_a_foreign_table_with_rows_is_refused_before_migrating(
    source: Engine, tmp_path: Path
) -> None:
    target = engine_for(pilot_url(tmp_path / "other-app.sqlite"))
    try:
        with target.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
            conn.execute(text("INSERT INTO notes VALUES ('keep me')"))
        with pytest.raises(CopyError, match=r"not empty \(rows in notes\)"):
            db_copy.copy_database(source, target)
        assert inspect(target).get_table_names() == ["notes"]
    finally:
        target.dispose()


def test_a_source_at_another_revision_is_refused(tmp_path: Path) -> None:
    old = engine_for(pilot_url(tmp_path / "old.sqlite"))
    target = engine_for(pilot_url(tmp_path / "target.sqlite"))
    try:
        schema.upgrade(old)
        schema.downgrade(old, "-1")
        behind = schema.current_revision(old)
        assert behind is not None and behind != schema.head_revision(old)
        with pytest.raises(CopyError, match=rf"at revision {behind} but .* init-db"):
            db_copy.copy_database(old, target)
        assert inspect(target).get_table_names() == []  # refused before touching the target
        schema.upgrade(target)
        with pytest.raises(CopyError, match=rf"the target database .* at revision {behind}"):
            db_copy.verify(target, old)
        empty = engine_for(pilot_url(tmp_path / "empty.sqlite"))
        with pytest.raises(CopyError, match="no surveyapp schema"):
            db_copy.copy_database(empty, target)
        empty.dispose()
    finally:
        old.dispose()
        target.dispose()


def test_a_changed_row_fails_verification(source: Engine, target: Engine) -> None:
    assert db_copy.copy_database(source, target).ok
    assert db_copy.verify(source, target).ok

    # One character of one free-text answer.
    with target.begin() as conn:
        key = conn.execute(
            select(Answer.response_id, Answer.question_key)
            .where(Answer.value_text.is_not(None))
            .limit(1)
        ).one()
        conn.execute(
            update(Answer)
            .where(Answer.response_id == key[0], Answer.question_key == key[1])
            .values(value_text=Answer.value_text + ".")
        )
    result = db_copy.verify(source, target)
    assert not result.ok
    assert result.mismatched == ["answers"]
    (answers,) = [c for c in result.tables if c.table == "answers"]
    assert answers.source is not None and answers.target is not None
    assert answers.source.rows == answers.target.rows
    assert answers.source.checksum != answers.target.checksum

    # One microsecond of one timestamp, and one row fewer.
    with Database(target).write() as session:
        first = session.scalar(select(Response).order_by(Response.id).limit(1))
        assert first is not None
        first.submitted_at += dt.timedelta(microseconds=1)
        session.execute(delete(AuditEvent).where(AuditEvent.action == "login.failure"))
    result = db_copy.verify(source, target)
    assert set(result.mismatched) == {"responses", "audit_log", "answers"}
    (log,) = [c for c in result.tables if c.table == "audit_log"]
    assert log.source is not None and log.target is not None
    assert log.target.rows == log.source.rows - 1


def test_unsupported_and_mistyped_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--to: use a sqlite:/// or postgresql"):
        db_copy.parse_url("mysql://u@h/db", "--to")
    with pytest.raises(ValueError, match=r"--from: .* is not a database URL"):
        db_copy.parse_url("instance/surveyapp.sqlite", "--from")
    with pytest.raises(ValueError, match="psycopg 3"):
        db_copy.parse_url("postgresql+psycopg2://u@h/db", "--to")
    with pytest.raises(ValueError, match="in-memory"):
        db_copy.parse_url("sqlite://", "--to")
    missing = db_copy.parse_url(f"sqlite:///{tmp_path / 'nope.sqlite'}", "--from")
    with pytest.raises(CopyError, match="--from: there is no SQLite database"):
        db_copy.open_engine(missing, "--from", must_exist=True)
    assert not (tmp_path / "nope.sqlite").exists()


# --- Checksums --------------------------------------------------------------------------------

SAMPLES = MetaData()
#: Every kind of column a model may use, with values whose representations differ by backend.
KINDS = Table(
    "checksum_kinds",
    SAMPLES,
    Column("id", Integer, primary_key=True),
    Column("flag", Boolean),
    Column("ratio", Float),
    Column("amount", Numeric(12, 4)),
    Column("at", UTCDateTime),
    Column("local", DateTime),
    Column("day", Date),
    Column("blob", LargeBinary),
    Column("doc", JSON),
    Column("label", String(50)),
    Column("note", Text),
)
ROWS = [
    {
        "id": 1,
        "flag": True,
        "ratio": ONE_THIRD,
        "amount": decimal.Decimal("1234.5000"),
        "at": dt.datetime(
            2017, 6, 30, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=7))
        ),
        "local": dt.datetime(2017, 1, 1, 0, 0, 0, 1),
        "day": dt.date(2017, 2, 28),
        "blob": b"\x00\x89PNG\r\n\x1a\n\xff",
        "doc": {"z": [1, 2.5, None, "ơ"], "a": {"b": True}},
        "label": "Quận 1 😀",
        "note": "dòng 1\ndòng 2",
    },
    {
        "id": 2,
        "flag": False,
        "ratio": 5.0,
        "amount": decimal.Decimal("-0.0001"),
        "at": dt.datetime(2016, 12, 31, 17, 0, tzinfo=dt.UTC),
        "local": None,
        "day": None,
        "blob": b"",
        "doc": [],
        "label": "",
        "note": None,
    },
]


def checksum_of(engine: Engine) -> db_checksums.TableSummary:
    checksum = db_checksums.Checksum(KINDS)
    with db_checksums.snapshot(engine) as conn:
        for rows in db_checksums.read_batches(conn, KINDS, 1):
            checksum.add(rows)
    return checksum.summary()


def test_checksums_agree_across_backends_and_see_any_change(tmp_path: Path) -> None:
    lite = engine_for(pilot_url(tmp_path / "kinds.sqlite"))
    try:
        SAMPLES.create_all(lite)
        with lite.begin() as conn:
            conn.execute(insert(KINDS), ROWS)
        on_sqlite = checksum_of(lite)
        assert on_sqlite.rows == 2
        with fresh_postgres_database("checksum") as url:
            pg = engine_for(url)
            try:
                SAMPLES.create_all(pg)
                with pg.begin() as conn:
                    conn.execute(insert(KINDS), list(reversed(ROWS)))  # order does not matter
                assert checksum_of(pg) == on_sqlite
                with pg.begin() as conn:
                    conn.execute(
                        update(KINDS)
                        .where(KINDS.c.id == 1)
                        .values(blob=b"\x00\x89PNG\r\n\x1a\n\xfe")
                    )
                assert checksum_of(pg) != on_sqlite
            finally:
                pg.dispose()
    finally:
        lite.dispose()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("flag", False),
        ("ratio", ONE_THIRD + 2**-54),
        ("amount", decimal.Decimal("1234.5001")),
        ("at", dt.datetime(2017, 6, 30, 16, 59, 59, 999998, tzinfo=dt.UTC)),
        ("local", None),
        ("doc", {"z": [1, 2.5, None, "o"], "a": {"b": True}}),
        ("label", "Quận 1 😁"),
        ("note", "dòng 1\r\ndòng 2"),
    ],
)
def test_every_column_counts_in_the_checksum(column: str, value: object) -> None:
    reference = db_checksums.Checksum(KINDS)
    reference.add([tuple(row.values()) for row in ROWS])
    changed = db_checksums.Checksum(KINDS)
    altered = [dict(ROWS[0], **{column: value}), ROWS[1]]
    changed.add([tuple(row.values()) for row in altered])
    assert changed.summary().rows == reference.summary().rows
    assert changed.summary().checksum != reference.summary().checksum


def test_checksums_ignore_row_order_and_normalise_equal_values() -> None:
    rows = [tuple(row.values()) for row in ROWS]
    shuffled = rows[::-1]
    a, b = db_checksums.Checksum(KINDS), db_checksums.Checksum(KINDS)
    a.add(rows)
    b.add(shuffled)
    assert a.summary() == b.summary()
    # The same instant in another zone, a 0/1 flag, an int ratio and reordered JSON keys.
    same = dict(
        ROWS[0],
        at=dt.datetime(2017, 6, 30, 16, 59, 59, 999999, tzinfo=dt.UTC),
        flag=1,
        amount=decimal.Decimal("1234.5"),
        doc={"a": {"b": True}, "z": [1, 2.5, None, "ơ"]},
    )
    c = db_checksums.Checksum(KINDS)
    c.add([tuple(same.values()), rows[1]])
    assert c.summary() == a.summary()
    swapped = dict(ROWS[1], label=ROWS[1]["note"], note=ROWS[1]["label"])
    d = db_checksums.Checksum(KINDS)
    d.add([rows[0], tuple(swapped.values())])
    assert d.summary() != a.summary()
