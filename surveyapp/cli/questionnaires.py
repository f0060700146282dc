"""``surveyapp questionnaires check|load|list``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.cli.xlsform import import_xlsform
from surveyapp.definitions import DefinitionError
from surveyapp.services import questionnaires as service


@click.group("questionnaires")
def group() -> None:
    """Check, load and list questionnaire definition files."""


@group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
def check(files: tuple[Path, ...]) -> None:
    """Validate definition FILES; print each problem as FILE:LINE:COLUMN: message."""
    paths = service.definition_files(list(files))
    problems = service.check_files(paths)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        failed = len({p.file for p in problems})
        raise click.ClickException(
            f"{len(problems)} problem(s) in {failed} of {len(paths)} file(s)"
        )
    for path in paths:
        click.echo(f"{path}: ok")


@group.command("load")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
def load(paths: tuple[Path, ...]) -> None:
    """Validate, then store new versions of definition files (default: the shipped ones).

    A file whose content is unchanged keeps its version. If any file fails,
    nothing is stored.
    """
    targets = list(paths) or [current_app.config["QUESTIONNAIRES_DIR"]]
    files = service.definition_files(targets)
    if not files:
        raise click.ClickException(
            f"no definition files (*.yaml) in {', '.join(map(str, targets))}"
        )
    database = ready_db()
    try:
        with database.write() as session:
            results = service.load_files(session, files)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("nothing was loaded") from None
    for result in results:
        state = "new version" if result.created else "unchanged"
        click.echo(f"{result.slug}: version {result.version} ({state})")


@group.command("list")
@with_appcontext
def list_() -> None:
    """Print every stored version: slug, version and title, one a line."""
    with ready_db().session() as session:
        versions = service.list_versions(session)
        if not versions:
            click.echo("No questionnaire is loaded; run `surveyapp questionnaires load`.", err=True)
        for version in versions:
            click.echo(f"{version.questionnaire.slug}\t{version.version}\t{version.title_vi}")


group.add_command(import_xlsform)
