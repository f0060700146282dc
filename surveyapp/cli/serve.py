"""``surveyapp serve``: run the platform under gunicorn."""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="HOST:PORT to listen on.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (about one or two per core).",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(5, 3600))
@with_appcontext
def serve(bind: str, workers: int, threads: int, timeout: int) -> None:
    """Serve the platform with gunicorn (the database must be initialised)."""
    ready_db()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
        "gunicorn"
    )
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed in this environment")
    click.echo(f"Serving surveyapp on http://{bind}/ with {workers} worker(s)")
    args = [
        gunicorn,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "surveyapp:create_app()",
    ]
    sys.stdout.flush()
    os.execv(gunicorn, args)  # noqa: S606 - replace this process with gunicorn's master
