"""Sign-in throttling: 5 failures per account and 20 per address in 15 minutes.

Counts live in the database, so they hold across workers: one test runs two
separate app instances (own engines) on one database.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from surveyapp import create_app, db_app, schema
from surveyapp.db import Database, make_engine
from surveyapp.models import AuditEvent, LoginFailure
from surveyapp.services import accounts
from surveyapp.services.agencies import AgencyInput, add_agency
from tests.conftest import TEST_SECRET_KEY

from .conftest import PASSWORD, Staff, login, message

WRONG = "not the password at all"
FAILED = "Thư điện tử hoặc mật khẩu không đúng."
WINDOW = 15 * 60


def assert_throttled(response: TestResponse) -> int:
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= WINDOW
    minutes = -(-wait // 60)
    assert message(response) == (
        f"Đăng nhập không thành công quá nhiều lần. Đề nghị thử lại sau {minutes} phút."
    )
    return wait


def test_five_failures_lock_an_account(client: FlaskClient, staff: Staff) -> None:
    for _ in range(5):
        assert message(login(client, staff.own, WRONG)) == FAILED
    # Even the right password is refused now, without being checked.
    assert_throttled(login(client, staff.own, PASSWORD))
    assert_throttled(login(client, staff.own.upper(), PASSWORD, ip="10.9.9.9"))
    # Other accounts from the same address are not locked.
    assert login(client, staff.inspector).status_code == 303


def test_unknown_accounts_lock_the_same_way(client: FlaskClient, staff: Staff) -> None:
    known, unknown = [], []
    for _ in range(6):
        known.append(login(client, staff.own, WRONG))
        unknown.append(login(client, "nobody@hcmc.gov.vn", WRONG))
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 5 + [429]
    assert message(known[-1]) == message(unknown[-1])
    assert_throttled(unknown[-1])


def test_a_success_clears_the_account_s_failures(client: FlaskClient, staff: Staff) -> None:
    for _ in range(4):
        login(client, staff.own, WRONG)
    assert login(client, staff.own).status_code == 303
    for _ in range(4):
        assert login(client, staff.own, WRONG).status_code == 200
    assert login(client, staff.own).status_code == 303


def test_twenty_failures_lock_an_address(client: FlaskClient, staff: Staff) -> None:
    for number in range(20):
        response = login(client, f"guess{number}@hcmc.gov.vn", WRONG, ip="203.0.113.7")
        assert message(response) == FAILED
    assert_throttled(login(client, staff.admin, PASSWORD, ip="203.0.113.7"))
    assert login(client, staff.admin, PASSWORD, ip="203.0.113.8").status_code == 303


def test_only_keyed_hashes_of_addresses_and_e_mails_are_stored(
    client: FlaskClient, staff: Staff, db: Database
) -> None:
    login(client, "nobody@hcmc.gov.vn", WRONG, ip="198.51.100.23")
    with db.session() as session:
        failures = session.scalars(select(LoginFailure)).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failure"))
        details = [str(event.detail) for event in events]
    assert len(failures) == 1
    expected_ip = accounts.keyed_hash(TEST_SECRET_KEY, "login-ip", "198.51.100.23")
    assert failures[0].ip_key == expected_ip
    assert failures[0].account_key == accounts.keyed_hash(
        TEST_SECRET_KEY, "login-account", "nobody@hcmc.gov.vn"
    )
    assert expected_ip != accounts.keyed_hash("another secret key!", "login-ip", "198.51.100.23")
    assert details and all("198.51.100.23" not in detail for detail in details)


def test_the_window_slides(db: Database, staff: Staff) -> None:
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

    def attempt(minutes: float, password: str = WRONG) -> accounts.LoginOutcome:
        return accounts.authenticate(
            db,
            staff.own,
            password,
            secret=TEST_SECRET_KEY,
            address="192.0.2.1",
            now=start + dt.timedelta(minutes=minutes),
        )

    for minute in range(5):  # failures at 0, 1, 2, 3 and 4 minutes
        assert attempt(minute) == accounts.LoginOutcome(None)
    # The oldest failure leaves the window at 15 minutes.
    assert attempt(10, PASSWORD).retry_after == 5 * 60
    assert attempt(14.5, PASSWORD).retry_after == 30
    assert attempt(15).retry_after is None  # counted: failures at 1, 2, 3, 4, 15
    assert attempt(15.5, PASSWORD).retry_after == 30
    assert attempt(16, PASSWORD).user is not None


@pytest.fixture
def shared_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the backend under test that the test's apps really commit to."""
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
        schema.upgrade(engine)
        engine.dispose()
        yield f"sqlite:///{tmp_path / 'shared.sqlite'}"
        return
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"throttle_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(database_url)
    try:
        schema.upgrade(engine)
        engine.dispose()
        yield database_url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def two_workers(shared_database_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances, each with its own engine, like two gunicorn workers."""
    config = {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "DATABASE_URL": shared_database_url}
    first, second = create_app(config), create_app(config)
    assert db_app.get_db(first) is not db_app.get_db(second)
    with db_app.get_db(first).write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
        accounts.add_user(session, "q1@hcmc.gov.vn", "agency", "Q1", PASSWORD)
        accounts.add_user(session, "admin@hcmc.gov.vn", "admin", None, PASSWORD)
    try:
        yield first, second
    finally:
        db_app.get_db(first).dispose()
        db_app.get_db(second).dispose()


def test_limits_hold_across_workers(two_workers: tuple[Flask, Flask]) -> None:
    clients = [app.test_client() for app in two_workers]
    for number in range(5):
        response = login(clients[number % 2], "q1@hcmc.gov.vn", WRONG, ip=f"192.0.2.{number}")
        assert message(response) == FAILED
    for client in clients:
        assert_throttled(login(client, "q1@hcmc.gov.vn", PASSWORD, ip="192.0.2.99"))
    for number in range(19):  # with the one above: 20 failures from 192.0.2.4
        login(clients[number % 2], f"guess{number}@hcmc.gov.vn", WRONG, ip="192.0.2.4")
    for client in clients:
        assert_throttled(login(client, "admin@hcmc.gov.vn", PASSWORD, ip="192.0.2.4"))
        assert login(client, "admin@hcmc.gov.vn", PASSWORD, ip="192.0.2.5").status_code == 303


def test_concurrent_guesses_do_not_slip_past_the_limit(two_workers: tuple[Flask, Flask]) -> None:
    # Each attempt is counted before its password is checked, so of 10 guesses sent
    # at once through two workers exactly 5 are checked, whatever the interleaving.
    def guess(number: int) -> int:
        client = two_workers[number % 2].test_client()
        return login(client, "q1@hcmc.gov.vn", WRONG, ip=f"192.0.2.{number}").status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(guess, range(10)))
    assert statuses == [200] * 5 + [429] * 5
