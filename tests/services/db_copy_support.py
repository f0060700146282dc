"""A realistic pilot database and throwaway PostgreSQL databases, for copy and backup tests."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url

from surveyapp import schema
from surveyapp.config import REPO_DIR
from surveyapp.db import Database, make_engine
from surveyapp.definitions import StoredAnswer
from surveyapp.models import Agency, Answer, LoginFailure, Response
from surveyapp.services import (
    accounts,
    api_tokens,
    audit,
    availability,
    demo,
    dossiers,
    questionnaires,
)
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.responses import NewResponse, store_responses
from tests.conftest import needs_tool

PASSWORD = "một mật khẩu đủ dài"
#: Text that SQLite and PostgreSQL sort differently, with characters outside the BMP.
UNICODE_NAME = "Phường Bến Thành — “một cửa” ✓ 😀"
ONE_THIRD = 1 / 3


def pilot_url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_pilot(path: Path, *, responses: int = 60, seed: int = 11) -> None:
    """Fill a new SQLite database the way a pilot would: every kind of row, NULLs, unicode."""
    engine = make_engine(pilot_url(path))
    try:
        schema.upgrade(engine)
        _fill(Database(engine), responses, seed)
    finally:
        engine.dispose()


def _fill(database: Database, responses: int, seed: int) -> None:
    files = questionnaires.definition_files([REPO_DIR / "questionnaires"])
    with database.write() as session:
        loaded = questionnaires.load_files(session, files)
        demo.load_agencies(session)
    for offset, result in enumerate(loaded):
        with database.write() as session:
            version = questionnaires.get_version(session, result.slug, result.version)
            agencies = list(
                session.scalars(select(Agency).where(Agency.active).order_by(Agency.code))
            )
            demo.generate_responses(session, version, agencies, count=responses, seed=seed + offset)
    with database.write() as session:
        ward = add_agency(
            session,
            AgencyInput(
                "P-BEN-THANH",
                UNICODE_NAME,
                "Ben Thanh Ward",
                "other",
                ["https://benthanh.example.vn:8443"],
            ),
        )
        # An agency with no origin, no logo, no user, no response.
        add_agency(
            session, AgencyInput("XA-AN-THOI-DONG", "Xã An Thới Đông", "An Thoi Dong", "other")
        )
        admin = accounts.add_user(session, "admin@hcm.gov.vn", "admin", None, PASSWORD)
        accounts.add_user(session, "thanh.tra@hcm.gov.vn", "inspector", None, PASSWORD)
        clerk = accounts.add_user(session, "mot.cua@benthanh.gov.vn", "agency", ward.code, PASSWORD)
        clerk.last_login_at = dt.datetime(2017, 3, 4, 1, 2, 3, 456789, tzinfo=dt.UTC)
        audit.record(
            session,
            admin,
            "report.download",
            f"agency:{ward.code}",
            {"lý do": "Kiểm tra “định kỳ”", "n": 3, "ratio": 0.1, "nested": {"b": [1, 2.5, None]}},
        )
        audit.record(session, None, "login.failure", None, {})
        api_tokens.create_token(session, "Cổng dịch vụ công Q1", "Q1", actor=admin)
        city, _raw = api_tokens.create_token(session, "Thành phố", None, actor=admin)
        api_tokens.revoke(session, city.id, actor=admin)
        session.add(LoginFailure(account_key="a" * 64, ip_key="b" * 64))
        sipas = questionnaires.get_version(session, "sipas")
        availability.set_availability(
            session,
            sipas.questionnaire_id,
            ward.id,
            open_=True,
            opens_at=dt.datetime(2017, 1, 1, 17, 0, 0, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2017, 12, 31, 16, 59, 59, 999999, tzinfo=dt.UTC),
            actor=admin,
            target=f"questionnaire:sipas agency:{ward.code}",
        )
        dossiers.load_codes(session, ward.id, ["HS-0001", "HS-0002", "HS-0003"])
        dossiers.set_required(session, ward.id, sipas.questionnaire_id, True)
        q1 = session.scalar(select(Agency.id).where(Agency.code == "Q1"))
        assert q1 is not None
        sample = session.scalar(
            select(Response).where(Response.questionnaire_version_id == sipas.id).limit(1)
        )
        assert sample is not None
        answers = {
            a.question_key: StoredAnswer(a.value_num, a.value_text, a.is_na)
            for a in session.scalars(select(Answer).where(Answer.response_id == sample.id))
        }
        _held, used = store_responses(
            session,
            [
                NewResponse(
                    sipas.id,
                    q1,
                    "embed",
                    answers,
                    status="quarantined",
                    quarantine_reason="too_fast",
                    submission_nonce="nonce-" + "x" * 40,
                ),
                NewResponse(sipas.id, ward.id, "web", answers),
            ],
        )
        used_id = session.scalar(select(Response.id).where(Response.receipt_code == used))
        code_id = dossiers.unused_code_id(session, ward.id, "HS-0002")
        assert used_id is not None and code_id is not None
        dossiers.claim(session, code_id, used_id)
        # A value no decimal text of fewer than 17 digits holds, and text beyond the BMP.
        first_numeric = session.scalar(
            select(Answer.question_key).where(
                Answer.response_id == used_id, Answer.value_num.is_not(None)
            )
        )
        session.execute(
            update(Answer)
            .where(Answer.response_id == used_id, Answer.question_key == first_numeric)
            .values(value_num=ONE_THIRD)
        )
        session.execute(
            update(Answer)
            .where(Answer.response_id == used_id, Answer.value_text.is_not(None))
            .values(value_text="Rất tốt 😀\nDòng hai\t“trích dẫn”")
        )


def new_submission(engine: Engine) -> int:
    """Store one response the way the app does; return its id."""
    database = Database(engine)
    with database.write() as session:
        version = questionnaires.get_version(session, "sipas")
        agency = session.scalar(select(Agency).where(Agency.code == "Q1"))
        assert agency is not None
        sample = session.scalar(
            select(Response.id).where(Response.questionnaire_version_id == version.id).limit(1)
        )
        answers = {
            a.question_key: StoredAnswer(a.value_num, a.value_text, a.is_na)
            for a in session.scalars(select(Answer).where(Answer.response_id == sample))
        }
        (code,) = store_responses(session, [NewResponse(version.id, agency.id, "web", answers)])
        add_agency(session, AgencyInput("MOI", "Cơ quan mới", "New agency", "other"))
        accounts.add_user(session, "moi@hcm.gov.vn", "inspector", None, PASSWORD)
        new_id = session.scalar(select(Response.id).where(Response.receipt_code == code))
    assert new_id is not None
    return new_id


def postgres_server_url() -> str | None:
    """The PostgreSQL server of the test run, if any (whichever database it names)."""
    for name in ("SURVEYAPP_TEST_POSTGRES_URL", "SURVEYAPP_TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url
    return None


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(prefix: str = "dbcopy") -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    server = postgres_server_url()
    if server is None:
        needs_tool(
            "a PostgreSQL server: set SURVEYAPP_TEST_POSTGRES_URL (.ci/start-postgres prints one)"
        )
        raise AssertionError("unreachable")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def engine_for(url: str) -> Engine:
    return make_engine(url)
