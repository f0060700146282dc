"""The ``surveyapp`` command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from surveyapp import create_app
from surveyapp.cli import (
    agencies,
    database,
    demo,
    dossiers,
    embed,
    questionnaires,
    report,
    responses,
    retention,
    serve,
    users,
)
from surveyapp.config import ConfigError


def _make_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


cli = FlaskGroup(
    name="surveyapp",
    create_app=_make_app,
    load_dotenv=False,
    set_debug_flag=False,
    help="Citizen-satisfaction surveys: questionnaires, agencies, responses and reports.",
)
cli.add_command(database.init_db)
cli.add_command(database.group)
cli.add_command(questionnaires.group)
cli.add_command(agencies.group)
cli.add_command(demo.demo)
cli.add_command(responses.group)
cli.add_command(serve.serve)
cli.add_command(users.group)
cli.add_command(embed.embed_snippet)
cli.add_command(dossiers.group)
cli.add_command(report.group)
cli.add_command(retention.group)


def main() -> None:
    cli.main(prog_name="surveyapp")
