"""Migration 0011: each account's staff-page language, Vietnamese for existing accounts.

Up, the column is filled and checked; down, it goes and the accounts stay.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from surveyapp import schema

INSERT_USER = (
    "INSERT INTO users (email, role, password_hash, active, session_version, created_at, "
    "password_changed_at) VALUES (:email, 'inspector', 'x', true, 1, CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP)"
)


def test_existing_accounts_start_in_vietnamese_and_only_vi_or_en_is_kept(
    empty_engine: Engine,
) -> None:
    schema.upgrade(empty_engine, "0010")
    with empty_engine.begin() as conn:
        conn.execute(text(INSERT_USER), {"email": "old@example.org"})

    schema.upgrade(empty_engine, "0011")
    with empty_engine.begin() as conn:
        conn.execute(text(INSERT_USER), {"email": "new@example.org"})
        conn.execute(text("UPDATE users SET language = 'en' WHERE email = 'new@example.org'"))
        rows = conn.execute(text("SELECT email, language FROM users ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("old@example.org", "vi"), ("new@example.org", "en")]
    with pytest.raises(Exception, match=r"(?i)check"), empty_engine.begin() as conn:
        conn.execute(text("UPDATE users SET language = 'fr' WHERE email = 'old@example.org'"))

    schema.downgrade(empty_engine, "0010")
    with empty_engine.begin() as conn:
        kept = conn.execute(text("SELECT email FROM users ORDER BY id")).scalars().all()
    assert kept == ["old@example.org", "new@example.org"]
    with pytest.raises(Exception, match=r"(?i)language"), empty_engine.begin() as conn:
        conn.execute(text("SELECT language FROM users"))
