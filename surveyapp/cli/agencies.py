"""``surveyapp agencies add|list|import|set-origins``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import AGENCY_KINDS, Agency
from surveyapp.origins import display_origin
from surveyapp.services import agencies as service


def _echo_origins(agency: Agency) -> None:
    """Print the origins as stored (punycode, with the Unicode form beside)."""
    origins = [display_origin(o.origin) for o in agency.origins]
    if origins:
        click.echo(f"Origins of {agency.code} (as stored): {', '.join(origins)}")
    else:
        click.echo(f"{agency.code} lists no origins: no other site may frame its forms")


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
            if agency.origins:
                _echo_origins(agency)
    except InputError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None


@group.command("set-origins")
@click.argument("code")
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option("--add-origin", "add", multiple=True, metavar="URL", help="Add one; repeatable.")
@click.option(
    "--remove-origin", "remove", multiple=True, metavar="URL", help="Remove one; repeatable."
)
@click.option("--clear", is_flag=True, help="Remove every origin.")
@with_appcontext
def set_origins(
    code: str, urls: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...], clear: bool
) -> None:
    """Set the web origins (scheme://host[:port]) allowed to embed the forms of agency CODE.

    URLs replace the whole list; --add-origin and --remove-origin change it;
    --clear empties it. An internationalised host name is stored in punycode,
    as browsers send it. Every value is checked first; if one is wrong, nothing
    changes.
    """
    if sum((bool(urls), bool(add or remove), clear)) != 1:
        raise click.UsageError(
            "give the origins (URL...), or --add-origin/--remove-origin, or --clear"
        )
    try:
        with ready_db().write() as session:
            if add or remove:
                agency = service.change_origins(session, code, list(add), list(remove))
            else:
                agency = service.set_origins(session, code, list(urls))
            _echo_origins(agency)
    except (InputError, NotFoundError) as exc:
        messages = exc.messages if isinstance(exc, InputError) else [str(exc)]
        raise click.ClickException("; ".join(messages)) from None


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
