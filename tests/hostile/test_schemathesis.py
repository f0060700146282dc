"""schemathesis fuzzes the live OpenAPI document of a real server: 0 failures.

``surveyapp serve`` runs on loopback with the demo data, on the suite's backend (a
fresh SQLite file, or a fresh database on the PostgreSQL server of the run), and
``schemathesis run --checks all`` is pointed at ``/api/v1/openapi.json`` three times:
without a token, with an agency token and with a city-wide token. Every check is on
(server errors, status codes, content types, headers and bodies against the document,
schema-valid requests accepted and schema-invalid ones refused, ...); the only settings
are in tests/hostile/schemathesis.toml, each with its reason. The number of examples is
bounded so that one run of this file takes about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from surveyapp.db import Database, make_engine
from surveyapp.services.api_tokens import create_token
from tests.cli.test_serve import BIN, free_port, run
from tests.conftest import TEST_SECRET_KEY, needs_tool
from tests.processes import stop_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 20  # per operation and phase; SQLite and PostgreSQL each run this file
SEED = 20240501


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    log: Path


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own, on the backend under test: the server commits to it."""
    postgres = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not postgres:
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"
        return
    admin = make_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if shutil.which("schemathesis", path=str(BIN)) is None:
        needs_tool("schemathesis is not installed (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("fuzz-server")
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": database_url,
        "SURVEYAPP_SECRET_KEY": TEST_SECRET_KEY,
        "SURVEYAPP_INSTANCE_PATH": str(tmp / "instance"),
        # The fuzzer sends hundreds of requests a minute from one address: limits would
        # answer most of them 429 (documented, so not a failure) and hide the rest.
        "SURVEYAPP_RATELIMIT_SUBMIT": "100000 per minute",
        "SURVEYAPP_RATELIMIT_VIEW": "100000 per minute",
        "SURVEYAPP_RATELIMIT_API_TOKEN": "100000 per minute",
    }
    for args in (["init-db"], ["demo", "--responses", "300"]):
        done = run(env, *args)
        assert done.returncode == 0, done.stderr
    engine = make_engine(database_url)
    with Database(engine).write() as session:
        tokens = {
            "agency": create_token(session, "fuzz Q1", "Q1", actor=None)[1],
            "city": create_token(session, "fuzz city", None, actor=None)[1],
        }
    engine.dispose()
    port = free_port()
    log = tmp / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "surveyapp"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded 2-core machine
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"the server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield Server(url, tokens, log)
    finally:
        stop_server(process)


def fuzz(server: Server, tmp_path: Path, token: str | None) -> subprocess.CompletedProcess[str]:
    args = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "60",
    ]
    if token is not None:
        args += ["--header", f"Authorization: Bearer {token}"]
    return subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=os.environ.copy()
    )


def _report_answers(log: Path) -> set[tuple[str, str]]:
    """(path, status) of every report request in the server's access log."""
    found = re.findall(r'"GET (/api/v1/reports/[^ ?]+)[^"]*" (\d{3})', log.read_text())
    return {(path.split("/")[4], status) for path, status in found}


@pytest.mark.parametrize("who", ["anonymous", "agency", "city"])
def test_schemathesis_finds_nothing(server: Server, tmp_path: Path, who: str) -> None:
    before = _report_answers(server.log)
    result = fuzz(server, tmp_path, server.tokens.get(who))
    output = result.stdout + result.stderr
    if result.returncode != 0:
        tracebacks = re.findall(r"Traceback.*?\n(?=\S)\S[^\n]*", server.log.read_text(), re.S)
        pytest.fail(output[-6000:] + "\n\nserver tracebacks:\n" + "\n".join(tracebacks[-2:]))
    assert "FAILURES" not in output and "ERRORS" not in output, output[-6000:]
    assert re.search(r"\d+ generated, \d+ passed", output), output[-3000:]
    reached = _report_answers(server.log) - before
    if who == "anonymous":
        assert not {a for a in reached if a[1] == "200"}
    else:
        # The token runs reach real reports (and the document's schemas check them).
        assert ("agency", "200") in reached or who == "city", sorted(reached)
        if who == "city":
            assert ("city", "200") in reached, sorted(reached)
