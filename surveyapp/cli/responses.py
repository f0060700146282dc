"""``surveyapp responses import``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.services import questionnaires
from surveyapp.services.paper_import import import_responses


@click.group("responses")
def group() -> None:
    """Import responses collected outside the web form."""


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--questionnaire", "slug", required=True, help="Slug of the questionnaire.")
@click.option("--version", type=int, default=None, help="Version answered (default: newest).")
@click.option("--agency", "agency_code", default=None, help="Agency of every row (else a column).")
@with_appcontext
def import_(file: Path, slug: str, version: int | None, agency_code: str | None) -> None:
    """Import paper responses from a CSV FILE, all or nothing.

    The header names question keys, plus optional agency, submitted_at (ISO
    8601) and channel columns. Likert answers are numbers or "na"; an empty
    cell is no answer; several choices are joined with ";".
    """
    database = ready_db()
    try:
        with database.write() as session, file.open(encoding="utf-8", newline="") as handle:
            target = questionnaires.get_version(session, slug, version)
            summary = import_responses(
                session,
                target,
                handle,
                agency_code=agency_code,
                timezone=current_app.config["TIMEZONE"],
            )
    except (InputError, NotFoundError) as exc:
        messages = exc.messages if isinstance(exc, InputError) else [str(exc)]
        for message in messages:
            click.echo(f"{file}: {message}", err=True)
        raise click.ClickException("nothing was imported") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    note = (
        f" ({summary.ignored_hidden_answers} answers to hidden questions ignored)"
        if summary.ignored_hidden_answers
        else ""
    )
    click.echo(f"{file}: {summary.imported} responses imported{note}")
