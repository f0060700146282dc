"""``surveyapp users add|list|disable|enable|set-password|reset-2fa``.

Passwords are never taken from the command line (it shows in process lists and
shell history): they are typed at a hidden, confirmed prompt, or read from the
first line of standard input with ``--password-stdin``. The password policy is
checked on the first entry, before the prompt asks for it again.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import ROLES
from surveyapp.services import accounts, second_factor

PASSWORD_STDIN_HELP = "Read the password from the first line of standard input, not a prompt."  # noqa: S105 - help text


@click.group("users")
def group() -> None:
    """Add, list and disable the staff who sign in to read reports."""


def _checked(password: str) -> str:
    try:
        accounts.check_password_policy(password)
    except InputError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    return password


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on the first line of standard input")
        return _checked(password)
    # The policy is checked before the confirmation: a short password is refused at once.
    while True:
        password = _checked(
            click.prompt(
                f"Password (at least {accounts.MIN_PASSWORD_LENGTH} characters)",
                hide_input=True,
            )
        )
        if click.prompt("Repeat the password", hide_input=True) == password:
            return password
        click.echo("Error: The two entered values do not match.", err=True)


@group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may read.")
@click.option("--agency", "agency_code", metavar="CODE", help="The agency of an agency user.")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@with_appcontext
def add(email: str, role: str, agency_code: str | None, password_stdin: bool) -> None:
    """Add the user EMAIL; asks for the password.

    admin: everything; inspector: every agency and the city-wide report;
    agency (with --agency CODE): that agency's reports and embed settings.
    """
    database = ready_db()
    try:
        # Refuse a bad role or agency before asking for a password.
        with database.session() as session:
            accounts.check_new_user(session, email, role, agency_code)
        password = _read_password(password_stdin)
        with database.write() as session:
            user = accounts.add_user(session, email, role, agency_code, password)
            where = f" of {user.agency.code}" if user.agency is not None else ""
            click.echo(f"Added {user.email} ({user.role}{where})")
    except InputError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None


@group.command("list")
@with_appcontext
def list_() -> None:
    """Print e-mail, role, agency, status and last sign-in, one user a line."""
    with ready_db().session() as session:
        for user in accounts.list_users(session):
            row = accounts.user_summary(user)
            click.echo("\t".join(row.values()))


@group.command("disable")
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    """Stop EMAIL from signing in and end the user's sessions."""
    try:
        with ready_db().write() as session:
            user = accounts.set_active(session, email, False)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Disabled {user.email}")


@group.command("enable")
@click.argument("email")
@with_appcontext
def enable(email: str) -> None:
    """Let a disabled user EMAIL sign in again."""
    try:
        with ready_db().write() as session:
            user = accounts.set_active(session, email, True)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Enabled {user.email}")


@group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@with_appcontext
def set_password(email: str, password_stdin: bool) -> None:
    """Give EMAIL a new password; the user's other sessions end."""
    database = ready_db()
    try:
        with database.session() as session:
            accounts.get_user(session, email)
        password = _read_password(password_stdin)
        with database.write() as session:
            user = accounts.set_password(
                session, email, password, secret=str(current_app.config["SECRET_KEY"])
            )
    except (InputError, NotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Changed the password of {user.email}")


@group.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Remove the second factor of EMAIL (a lost phone); the user's sessions end.

    An admin, or a user of a role that requires a second factor, sets up a new one
    at the next sign-in.
    """
    try:
        with ready_db().write() as session:
            user = second_factor.reset(session, email, actor=None, via="cli")
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Reset the second factor of {user.email}")
