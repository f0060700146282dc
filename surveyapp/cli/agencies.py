"""``surveyapp agencies add|list|import``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError
from surveyapp.models import AGENCY_KINDS
from surveyapp.services import agencies as service


@click.group("agencies")
def group() -> None:
    """Add, list and import the agencies that are surveyed."""


@group.command("add")
@click.argument("code")
@click.option("--name-vi", required=True, help="Name in Vietnamese.")
@click.option("--name-en", required=True, help="Name in English.")
@click.option("--kind", required=True, type=click.Choice(AGENCY_KINDS))
@click.option(
    "--origin",
    "origins",
    multiple=True,
    help="A web origin (scheme://host[:port]) allowed to embed the forms; repeatable.",
)
@with_appcontext
def add(code: str, name_vi: str, name_en: str, kind: str, origins: tuple[str, ...]) -> None:
    """Add the agency CODE."""
    data = service.AgencyInput(code, name_vi, name_en, kind, list(origins))
    try:
        with ready_db().write() as session:
            agency = service.add_agency(session, data)
            click.echo(f"Added {agency.code}: {agency.name_vi} ({agency.kind})")
    except InputError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None


@group.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include inactive agencies.")
@with_appcontext
def list_(include_inactive: bool) -> None:
    """Print code, kind, Vietnamese name and allowed origins, one agency a line."""
    with ready_db().session() as session:
        for agency in service.list_agencies(session, include_inactive=include_inactive):
            origins = " ".join(o.origin for o in agency.origins)
            click.echo(f"{agency.code}\t{agency.kind}\t{agency.name_vi}\t{origins}".rstrip())


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_(file: Path) -> None:
    """Add or update agencies from a CSV FILE (code,name_vi,name_en,kind,origins[,theme_color]).

    Origins are separated by spaces. Every row is checked first; if any is
    wrong, nothing is imported.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    try:
        with ready_db().write() as session:
            result = service.import_agencies(session, text)
    except InputError as exc:
        for message in exc.messages:
            click.echo(f"{file}: {message}", err=True)
        raise click.ClickException("nothing was imported") from None
    click.echo(f"{file}: {result.added} added, {result.updated} updated")
