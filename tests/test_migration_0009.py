"""Migration 0009: tokens made before it expire 365 days after their creation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select, text

from surveyapp import schema
from surveyapp.db import Database
from surveyapp.models.admin import ApiToken


def test_existing_tokens_get_an_expiry_a_year_after_creation(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine, "0008")
    created = dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_tokens (name, token_hash, prefix, scope, created_at) "
                "VALUES ('old', :hash, 'sat_abcdef', 'city', :created)"
            ),
            {
                "hash": "0" * 64,
                "created": created.replace(tzinfo=None)
                if empty_engine.dialect.name == "sqlite"
                else created,
            },
        )
    schema.upgrade(empty_engine)
    with Database(empty_engine).session() as session:
        token = session.scalar(select(ApiToken))
        assert token is not None
        assert token.expires_at == created + dt.timedelta(days=365)
    schema.downgrade(empty_engine, "0008")
    schema.upgrade(empty_engine)
