from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from surveyapp import schema
from surveyapp.db import make_engine
from surveyapp.models import Base


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the backend under test."""
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield engine
        engine.dispose()
        return
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(str(admin.url.set(database=name)))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_migrations_build_the_models_schema_from_empty(empty_engine: Engine) -> None:
    assert schema.current_revision(empty_engine) is None
    schema.upgrade(empty_engine)
    assert schema.current_revision(empty_engine) == schema.head_revision(empty_engine)
    with empty_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_migrations_go_down_and_up_again(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine)
    schema.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    schema.upgrade(empty_engine)
    assert "responses" in inspect(empty_engine).get_table_names()


def test_check_constraints_hold(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine)
    with pytest.raises(Exception, match=r"(?i)check"), empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (code, name_vi, name_en, kind, active, created_at) "
                "VALUES ('X', 'x', 'x', 'ministry', true, CURRENT_TIMESTAMP)"
            )
        )
