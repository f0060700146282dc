"""Real servers on loopback for the scale-out tests: PostgreSQL, Redis, nginx, app servers.

Each starts on a free port with its files in a temporary directory and is stopped by
the caller (``stop``). A missing program skips the test on a developer's machine and
fails it under CI (``needs_tool``).
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.conftest import needs_tool

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEPLOY = REPO / "deploy"
#: Generous: the test machine may be busy; a healthy start takes a few seconds.
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until something accepts connections on ``port``; fail if ``process`` dies."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited: {tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {START_TIMEOUT}s: {tail(log)}")


def wait_for_health(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until an app server answers /healthz with 200 (its workers have loaded the app)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited: {tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"port {port} does not answer /healthz after {START_TIMEOUT}s: {tail(log)}")


def tail(log: Path, size: int = 3000) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-size:] if log.exists() else ""


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL it after ``grace`` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL whatever is left of the process group (workers of a killed master)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``args`` in its own process group, output to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


# -- Redis ----------------------------------------------------------------------------------


@dataclass
class Redis:
    process: subprocess.Popen[bytes]
    url: str
    port: int


def start_redis(directory: Path) -> Redis:
    """Start redis-server on a free loopback port, without persistence."""
    program = shutil.which("redis-server")
    if program is None:
        needs_tool("redis-server (Debian: apt-get install redis-server)")
        raise AssertionError("unreachable")
    port = free_port()
    log = directory / "redis.log"
    process = spawn(
        [
            program,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--daemonize",
            "no",
        ],
        log,
    )
    wait_for_port(port, process, log)
    return Redis(process, f"redis://127.0.0.1:{port}/0", port)


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[Redis]:
    server = start_redis(directory)
    try:
        yield server
    finally:
        stop(server.process)


# -- PostgreSQL -----------------------------------------------------------------------------


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _given_postgres() -> str | None:
    for name in ("SURVEYAPP_TEST_DATABASE_URL", "SURVEYAPP_TEST_POSTGRES_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url
    return None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a PostgreSQL server's URL: the test run's, or one .ci/start-postgres starts."""
    given = _given_postgres()
    if given is not None:
        yield given
        return
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        needs_tool(
            "PostgreSQL: set SURVEYAPP_TEST_POSTGRES_URL (.ci/start-postgres prints one) "
            "or install it (apt-get install postgresql)"
        )
    started = subprocess.run(
        [str(REPO / ".ci" / "start-postgres"), str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if started.returncode != 0:
        needs_tool(f"PostgreSQL could not be started: {started.stderr.strip()[-500:]}")
    url = started.stdout.strip().splitlines()[-1]
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        data = conn.execute("SHOW data_directory").fetchone()
    assert data is not None
    try:
        yield url
    finally:
        pid = int((Path(data[0]) / "postmaster.pid").read_text().split()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)  # fast shutdown


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """Create an empty database on ``server`` and drop it afterwards."""
    name = f"scaleout_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# -- the deployment files, substituted for loopback -------------------------------------------


def substitute(text: str, replacements: list[tuple[str, str, int]]) -> str:
    """Apply regex replacements, each required to match exactly ``count`` times.

    A deploy file that no longer has what the test replaces fails the test, so the
    file and the test cannot drift apart silently.
    """
    for pattern, replacement, count in replacements:
        text, made = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if made != count:
            raise AssertionError(f"deploy file: {pattern!r} matched {made} times, not {count}")
    return text


def read_env_file(path: Path) -> dict[str, str]:
    """Read a systemd EnvironmentFile (KEY=VALUE lines, # comments)."""
    env: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        env[key.strip()] = value.strip().strip('"')
    return env


def exec_start(unit: Path) -> list[str]:
    """Return the unit's ExecStart command line, split as systemd would."""
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.removeprefix("ExecStart="))
    raise AssertionError(f"{unit}: no ExecStart line")
