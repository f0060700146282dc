"""``surveyapp serve``: run the platform under gunicorn."""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.config import ConfigError, check_shared_state


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
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=click.IntRange(5, 3600),
    help="Seconds a request may run before its worker is restarted.",
)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds running requests get to finish on SIGTERM before they are cut off.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    metavar="IPS",
    help="Comma-separated proxy addresses whose X-Forwarded-Proto gunicorn trusts "
    "(gunicorn's default: 127.0.0.1,::1). The app trusts SURVEYAPP_PROXY_COUNT proxies.",
)
@click.option(
    "--access-log-format",
    default=None,
    metavar="FORMAT",
    help="gunicorn access log format (default: gunicorn's combined format).",
)
@click.option(
    "--preload/--no-preload",
    default=True,
    show_default=True,
    help="Load the app once in gunicorn's master, then fork the workers (a start in "
    "seconds whatever the number of workers, less memory, and a worker that dies is "
    "replaced at once; a code upgrade then needs a restart, not a HUP).",
)
@click.option(
    "--require-shared-state",
    is_flag=True,
    help="Refuse to start unless the secret key, database and rate limits are shared "
    "between machines (as SURVEYAPP_REQUIRE_SHARED_STATE=1).",
)
@with_appcontext
def serve(
    bind: str,
    workers: int,
    threads: int,
    timeout: int,
    graceful_timeout: int,
    forwarded_allow_ips: str | None,
    access_log_format: str | None,
    preload: bool,
    require_shared_state: bool,
) -> None:
    """Serve the platform with gunicorn (the database must be initialised)."""
    if require_shared_state:
        try:
            check_shared_state(current_app.config)
        except ConfigError as exc:
            raise click.ClickException(
                str(exc).replace("SURVEYAPP_REQUIRE_SHARED_STATE", "--require-shared-state")
            ) from None
        # The workers build their own app: make them check the same.
        os.environ["SURVEYAPP_REQUIRE_SHARED_STATE"] = "1"
    ready_db()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
        "gunicorn"
    )
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed in this environment")
    if workers > 1 and str(current_app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        click.echo(
            f"Note: rate limits are counted per worker process ({workers} workers); "
            "set SURVEYAPP_REDIS_URL to share them",
            err=True,
        )
    click.echo(f"Serving surveyapp on http://{bind}/ with {workers} worker(s)")
    args = [
        gunicorn,
        "--bind",
        bind,
        "--workers",
        str(workers),
        # gthread, with request headers read by the event loop: slow clients hold no thread.
        "--worker-class",
        "surveyapp.serving.HeaderBufferingWorker",
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(graceful_timeout),
        "--access-logfile",
        "-",
    ]
    if _has_setting("control_socket_disable"):
        # gunicorn >= 25.1 opens a control socket at one path per user: several
        # instances on a machine would fight over it, and nothing here uses it.
        args.append("--no-control-socket")
    if preload:
        args.append("--preload")
    if forwarded_allow_ips is not None:
        args += ["--forwarded-allow-ips", forwarded_allow_ips]
    if access_log_format is not None:
        args += ["--access-logformat", access_log_format]
    args.append("surveyapp:create_app()")
    sys.stdout.flush()
    os.execv(gunicorn, args)  # noqa: S606 - replace this process with gunicorn's master


def _has_setting(name: str) -> bool:
    """Whether the installed gunicorn knows the setting ``name``."""
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)
