"""``surveyapp users``: passwords from a hidden prompt or stdin, never from argv."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from surveyapp.db import Database
from surveyapp.models import Agency, AuditEvent, User
from surveyapp.services import accounts
from surveyapp.services.agencies import AgencyInput, add_agency

from .conftest import PASSWORD


@pytest.fixture
def agency(db: Database) -> str:
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
    return "Q1"


def user(db: Database, email: str) -> User | None:
    with db.session() as session:
        return session.scalar(select(User).where(User.email == email))


def actions(db: Database) -> list[tuple[str, str | None]]:
    with db.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.target) for e in events]


def test_add_reads_a_hidden_confirmed_prompt(cli: Any, db: Database, agency: str) -> None:
    result = cli(
        "users",
        "add",
        "Q1.Staff@HCMC.gov.vn",
        "--role",
        "agency",
        "--agency",
        "q1",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added q1.staff@hcmc.gov.vn (agency of Q1)" in result.output
    assert "Repeat the password" in result.output
    assert PASSWORD not in result.output  # the prompt does not echo
    stored = user(db, "q1.staff@hcmc.gov.vn")
    assert stored is not None and stored.agency_id is not None and stored.active
    assert stored.password_hash.startswith("scrypt:")
    assert check_password_hash(stored.password_hash, PASSWORD)
    assert actions(db) == [("user.add", "user:q1.staff@hcmc.gov.vn")]


def test_add_asks_again_when_the_confirmation_differs(cli: Any, db: Database) -> None:
    typed = f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n"
    result = cli("users", "add", "a@hcmc.gov.vn", "--role", "admin", input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    stored = user(db, "a@hcmc.gov.vn")
    assert stored is not None and check_password_hash(stored.password_hash, PASSWORD)


def test_add_reads_the_first_line_of_stdin(cli: Any, db: Database) -> None:
    result = cli(
        "users",
        "add",
        "i@hcmc.gov.vn",
        "--role",
        "inspector",
        "--password-stdin",
        input=f"{PASSWORD}\nignored second line\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # no prompt
    stored = user(db, "i@hcmc.gov.vn")
    assert stored is not None and stored.agency_id is None
    assert check_password_hash(stored.password_hash, PASSWORD)


def test_no_password_option_on_the_command_line(cli: Any, db: Database) -> None:
    for command in (
        ("users", "add", "a@hcmc.gov.vn", "--role", "admin", "--password", PASSWORD),
        ("users", "set-password", "a@hcmc.gov.vn", "--password", PASSWORD),
    ):
        result = cli(*command, input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 2
        assert "No such option" in result.output
    assert user(db, "a@hcmc.gov.vn") is None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--role", "agency"), "an agency user needs --agency CODE"),
        (("--role", "admin", "--agency", "Q1"), "only agency users belong to an agency"),
        (("--role", "inspector", "--agency", "Q1"), "only agency users belong to an agency"),
        (("--role", "agency", "--agency", "NOPE"), "no agency with code 'NOPE'"),
    ],
)
def test_add_refuses_bad_role_and_agency_pairs(
    cli: Any, db: Database, agency: str, args: tuple[str, ...], error: str
) -> None:
    result = cli("users", "add", "x@hcmc.gov.vn", *args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1
    assert error in result.output
    assert "Password" not in result.output  # refused before asking
    assert user(db, "x@hcmc.gov.vn") is None
    assert actions(db) == []


def test_add_refuses_an_unknown_role_bad_email_and_duplicates(cli: Any, db: Database) -> None:
    bad_role = cli("users", "add", "x@hcmc.gov.vn", "--role", "root", input="")
    assert bad_role.exit_code == 2
    assert "'root' is not one of 'admin', 'inspector', 'agency'" in bad_role.output
    bad_email = cli(
        "users", "add", "not an email", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n"
    )
    assert bad_email.exit_code == 1
    assert "not an e-mail address" in bad_email.output
    ok = cli(
        "users",
        "add",
        "x@hcmc.gov.vn",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    assert ok.exit_code == 0
    again = cli(
        "users",
        "add",
        "X@hcmc.gov.vn",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    assert again.exit_code == 1
    assert "a user with e-mail 'x@hcmc.gov.vn' already exists" in again.output


def test_add_refuses_a_short_password(cli: Any, db: Database) -> None:
    short = "elevenchars"
    assert len(short) == 11
    for args, typed in (
        (("--password-stdin",), f"{short}\n"),
        ((), f"{short}\n{short}\n"),
    ):
        result = cli("users", "add", "x@hcmc.gov.vn", "--role", "admin", *args, input=typed)
        assert result.exit_code == 1
        assert "the password must be at least 12 characters long" in result.output
    empty = cli("users", "add", "x@hcmc.gov.vn", "--role", "admin", "--password-stdin", input="")
    assert empty.exit_code == 1
    assert "no password on the first line of standard input" in empty.output
    assert user(db, "x@hcmc.gov.vn") is None
    twelve = cli(
        "users",
        "add",
        "x@hcmc.gov.vn",
        "--role",
        "admin",
        "--password-stdin",
        input="twelve chars\n",
    )
    assert twelve.exit_code == 0, twelve.output


def test_list_disable_enable_and_set_password(cli: Any, db: Database, agency: str) -> None:
    cli(
        "users",
        "add",
        "b@hcmc.gov.vn",
        "--role",
        "agency",
        "--agency",
        "Q1",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    cli(
        "users",
        "add",
        "a@hcmc.gov.vn",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    listed = cli("users", "list")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "a@hcmc.gov.vn\tadmin\t-\tactive\tnever",
        "b@hcmc.gov.vn\tagency\tQ1\tactive\tnever",
    ]
    disabled = cli("users", "disable", "B@hcmc.gov.vn")
    assert disabled.exit_code == 0 and "Disabled b@hcmc.gov.vn" in disabled.output
    assert "b@hcmc.gov.vn\tagency\tQ1\tdisabled\tnever" in cli("users", "list").output
    stored = user(db, "b@hcmc.gov.vn")
    assert stored is not None and not stored.active and stored.session_version == 2
    assert cli("users", "enable", "b@hcmc.gov.vn").exit_code == 0
    new = "a new and longer password"
    changed = cli("users", "set-password", "b@hcmc.gov.vn", input=f"{new}\n{new}\n")
    assert changed.exit_code == 0, changed.output
    stored = user(db, "b@hcmc.gov.vn")
    assert stored is not None and stored.active and stored.session_version == 4
    assert check_password_hash(stored.password_hash, new)
    short = cli("users", "set-password", "b@hcmc.gov.vn", "--password-stdin", input="short\n")
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    unknown = cli("users", "disable", "nobody@hcmc.gov.vn")
    assert unknown.exit_code == 1
    assert "no user with e-mail 'nobody@hcmc.gov.vn'" in unknown.output
    missing = cli("users", "set-password", "nobody@hcmc.gov.vn", input="")
    assert missing.exit_code == 1 and "Password" not in missing.output
    assert actions(db) == [
        ("user.add", "user:b@hcmc.gov.vn"),
        ("user.add", "user:a@hcmc.gov.vn"),
        ("user.disable", "user:b@hcmc.gov.vn"),
        ("user.enable", "user:b@hcmc.gov.vn"),
        ("user.set_password", "user:b@hcmc.gov.vn"),
    ]


def test_the_database_refuses_role_and_agency_mismatches(db: Database, agency: str) -> None:
    with db.session() as session:
        q1 = session.scalar(select(Agency.id).where(Agency.code == agency))
    for role, agency_id in (("agency", None), ("admin", q1), ("inspector", q1)):
        with pytest.raises(IntegrityError, match=r"(?i)check"), db.write() as session:
            session.add(
                User(email=f"{role}@x.vn", role=role, agency_id=agency_id, password_hash="x")
            )
    with db.write() as session:
        session.add(User(email="ok@x.vn", role="agency", agency_id=q1, password_hash="x"))


@pytest.mark.parametrize(
    "command", [("add", "x@hcmc.gov.vn", "--role", "admin"), ("set-password",)]
)
def test_a_short_password_is_refused_before_the_confirmation(
    cli: Any, db: Database, command: tuple[str, ...]
) -> None:
    if command == ("set-password",):
        with db.write() as session:
            accounts.add_user(session, "b@hcmc.gov.vn", "inspector", None, PASSWORD)
        command = ("set-password", "b@hcmc.gov.vn")
    result = cli("users", *command, input="elevenchars\n")
    assert result.exit_code == 1
    assert "the password must be at least 12 characters long" in result.output
    assert "Repeat the password" not in result.output


def test_reset_2fa_removes_the_second_factor_and_ends_sessions(cli: Any, db: Database) -> None:
    from tests.auth.conftest import enrol_second_factor

    with db.write() as session:
        added = accounts.add_user(session, "a@hcmc.gov.vn", "admin", None, PASSWORD)
        enrol_second_factor(session, added)
        version = added.session_version
    result = cli("users", "reset-2fa", "A@hcmc.gov.vn")
    assert result.exit_code == 0, result.output
    assert "Reset the second factor of a@hcmc.gov.vn" in result.output
    stored = user(db, "a@hcmc.gov.vn")
    assert stored is not None and stored.totp_secret is None and not stored.has_second_factor
    assert stored.session_version == version + 1
    assert ("second_factor.reset", "user:a@hcmc.gov.vn") in actions(db)
    unknown = cli("users", "reset-2fa", "nobody@hcmc.gov.vn")
    assert unknown.exit_code == 1 and "no user with e-mail" in unknown.output
