"""The audit log: sign-ins, sign-outs and user changes, append-only."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import AuditEvent, User
from surveyapp.services import accounts, audit

from .conftest import Staff, login, logout


def events(db: Database, since: int = 0) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)
        return list(session.scalars(query))


def last_id(db: Database) -> int:
    with db.session() as session:
        return max(session.scalars(select(AuditEvent.id)), default=0)


def test_sign_ins_and_sign_outs_are_recorded(
    client: FlaskClient, staff: Staff, db: Database
) -> None:
    with db.write() as session:
        accounts.set_active(session, staff.other, False)
        user_id = accounts.get_user(session, staff.own).id
    before = last_id(db)
    login(client, staff.own, "not the password at all", ip="192.0.2.10")
    login(client, "Nobody@HCMC.gov.vn", "not the password at all", ip="192.0.2.10")
    login(client, "password123 typed in the e-mail box", "x", ip="192.0.2.10")
    login(client, staff.other, ip="192.0.2.10")
    login(client, staff.own, ip="192.0.2.10")
    logout(client)
    rows = [
        (e.action, e.user_id, e.user_email, e.target, e.detail.get("reason"))
        for e in events(db, before)
    ]
    assert rows == [
        ("login.failure", None, None, f"user:{staff.own}", "wrong_password"),
        ("login.failure", None, None, "user:nobody@hcmc.gov.vn", "unknown_user"),
        # Not an e-mail: what was typed is not kept (it may be a password).
        ("login.failure", None, None, None, "unknown_user"),
        ("login.failure", None, None, f"user:{staff.other}", "disabled"),
        ("login.success", user_id, staff.own, f"user:{staff.own}", None),
        ("logout", user_id, staff.own, f"user:{staff.own}", None),
    ]
    logged = events(db, before)
    clients = {e.detail.get("client") for e in logged[:5]}
    assert len(clients) == 1 and len(next(iter(clients))) == 16  # one keyed hash, no address
    assert all(e.occurred_at.tzinfo is not None for e in logged)


def test_record_keeps_the_actor_s_email_at_the_time(db: Database, staff: Staff) -> None:
    with db.write() as session:
        admin = accounts.get_user(session, staff.admin)
        event = audit.record(
            session, admin, "report.download", "agency:Q1", {"format": "pdf", "period": "2017"}
        )
        event_id = event.id
        admin.email = "renamed@hcmc.gov.vn"
    with db.session() as session:
        stored = session.get(AuditEvent, event_id)
        assert stored is not None
        assert stored.user_email == staff.admin
        assert stored.detail == {"format": "pdf", "period": "2017"}
        assert session.get(User, stored.user_id) is not None


def test_record_refuses_bad_input(db: Database) -> None:
    with db.write() as session:
        with pytest.raises(ValueError, match="at most 2048 bytes"):
            audit.record(session, None, "report.download", "x", {"blob": "x" * 3000})
        with pytest.raises(ValueError, match="1-64 characters"):
            audit.record(session, None, "", "x")
        with pytest.raises(TypeError):
            audit.record(session, None, "report.download", "x", {"when": object()})


def test_the_log_is_append_only(db: Database) -> None:
    with db.write() as session:
        event_id = audit.record(session, None, "user.add", "user:a@b.vn").id
    with pytest.raises(ValueError, match="never changed"), db.write() as session:
        stored = session.get(AuditEvent, event_id)
        assert stored is not None
        stored.action = "user.disable"
    with pytest.raises(ValueError, match="never deleted"), db.write() as session:
        stored = session.get(AuditEvent, event_id)
        session.delete(stored)
    with db.session() as session:
        stored = session.get(AuditEvent, event_id)
        assert stored is not None and stored.action == "user.add"
