"""The ``surveyapp`` command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from surveyapp import create_app
from surveyapp.cli import (
    agencies,
    alerts,
    comments,
    counters,
    database,
    demo,
    dossiers,
    embed,
    questionnaires,
    registers,
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


class _SurveyappGroup(FlaskGroup):
    """Flask's command group with surveyapp's commands only.

    Flask's own commands and options (``run``, ``shell``, ``routes``, ``--app``,
    ``--env-file``, ``--debug``, Flask's ``--version``) and the commands other
    packages plug in (Flask-Limiter's ``limiter``) are not how this platform is
    run, so they are neither listed nor accepted.
    """

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


cli = _SurveyappGroup(
    name="surveyapp",
    create_app=_make_app,
    load_dotenv=False,
    set_debug_flag=False,
    add_default_commands=False,
    add_version_option=False,
    help="Citizen-satisfaction surveys: questionnaires, agencies, responses and reports.",
)
cli.params = [p for p in cli.params if p.name not in ("env_file", "app", "debug")]
click.version_option(package_name="surveyapp", message="surveyapp %(version)s")(cli)
cli.add_command(database.init_db)
cli.add_command(database.group)
cli.add_command(questionnaires.group)
cli.add_command(agencies.group)
cli.add_command(comments.group)
cli.add_command(demo.demo)
cli.add_command(responses.group)
cli.add_command(serve.serve)
cli.add_command(users.group)
cli.add_command(embed.embed_snippet)
cli.add_command(dossiers.group)
cli.add_command(counters.group)
cli.add_command(report.group)
cli.add_command(retention.group)
cli.add_command(alerts.group)
cli.add_command(registers.group)


def main() -> None:
    cli.main(prog_name="surveyapp")
