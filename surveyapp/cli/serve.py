"""``surveyapp serve``: run the platform under gunicorn."""

from __future__ import annotations

import ipaddress
import os
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.config import ConfigError, check_shared_state, write_served_url

WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - names of the wildcard binds, not a bind


def _split_bind(bind: str) -> tuple[str, int] | None:
    """Return (host, port) of a ``HOST:PORT`` or ``[IPv6]:PORT`` bind, else None."""
    host, colon, port = bind.rpartition(":")
    if not colon or not port.isdigit() or host.startswith(("unix", "fd")):
        return None
    return host.removeprefix("[").removesuffix("]"), int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def derived_public_url(bind: str) -> tuple[str | None, bool]:
    """Return the public URL a bind implies, and whether it is a loopback (local) one.

    A wildcard bind (``0.0.0.0``) names no address visitors use: its URL is the
    loopback one on the same port, only good on this machine.
    """
    split = _split_bind(bind)
    if split is None:
        return None, False
    host, port = split
    loopback = _is_loopback(host)
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    name = f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}", loopback


def _set_public_url(bind: str) -> None:
    """Use the bind as public URL when SURVEYAPP_PUBLIC_URL is unset; warn when not local."""
    if current_app.config["PUBLIC_URL_CONFIGURED"]:
        return
    url, loopback = derived_public_url(bind)
    if url is None:
        click.echo(
            f"Warning: SURVEYAPP_PUBLIC_URL is not set; links and snippets use "
            f"{current_app.config['PUBLIC_URL']}",
            err=True,
        )
        return
    if not loopback:
        click.echo(
            f"Warning: SURVEYAPP_PUBLIC_URL is not set and {bind} is not a loopback address: "
            f"links, snippets and QR posters use {url}, and forms are accepted only from "
            "that origin; set SURVEYAPP_PUBLIC_URL to the address visitors use",
            err=True,
        )
    # The workers build their own app from the environment; later commands
    # (embed-snippet) read the address noted in the instance folder.
    os.environ["SURVEYAPP_PUBLIC_URL"] = url
    current_app.config["PUBLIC_URL"] = url
    write_served_url(Path(current_app.instance_path), url)


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
    _set_public_url(bind)
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
    click.echo(
        f"Serving surveyapp on {bind} with {workers} worker(s); "
        f"public URL {current_app.config['PUBLIC_URL']}"
    )
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
