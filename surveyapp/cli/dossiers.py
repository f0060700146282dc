"""``surveyapp dossiers load|require|status``: one-time dossier codes of one-stop shops."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.services import dossiers
from surveyapp.services.agencies import get_agency
from surveyapp.services.questionnaires import get_version


@click.group("dossiers")
def group() -> None:
    """Load dossier codes (mã hồ sơ) and make questionnaires require them."""


@group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_code", required=True, help="Agency that issued the codes.")
@with_appcontext
def load(file: Path, agency_code: str) -> None:
    """Load the codes in FILE (one a line, or a CSV with a 'code' column), all or nothing."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    try:
        with ready_db().write() as session:
            agency = get_agency(session, agency_code)
            result = dossiers.load_codes(session, agency.id, dossiers.parse_codes(text))
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    except InputError as exc:
        for message in exc.messages:
            click.echo(f"{file}: {message}", err=True)
        raise click.ClickException("nothing was loaded") from None
    click.echo(f"{agency.code}: {result.added} codes added, {result.existing} already loaded")


@group.command("require")
@click.option("--agency", "agency_code", required=True)
@click.option("--questionnaire", "slug", required=True)
@click.option("--off", is_flag=True, help="Stop requiring a code.")
@with_appcontext
def require(agency_code: str, slug: str, off: bool) -> None:
    """Make the agency's questionnaire answerable only with one of its dossier codes."""
    try:
        with ready_db().write() as session:
            agency = get_agency(session, agency_code)
            version = get_version(session, slug)
            dossiers.set_required(session, agency.id, version.questionnaire_id, not off)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    state = "no longer requires" if off else "now requires"
    click.echo(f"{agency.code}: {slug} {state} a dossier code")


@group.command("status")
@click.option("--agency", "agency_code", required=True)
@with_appcontext
def status(agency_code: str) -> None:
    """Print how many of the agency's codes are loaded and used."""
    try:
        with ready_db().session() as session:
            agency = get_agency(session, agency_code)
            loaded, used = dossiers.count_codes(session, agency.id)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{agency.code}: {loaded} codes loaded, {used} used, {loaded - used} unused")
