"""A real server for browser tests: gunicorn on 127.0.0.1:PORT1, host pages on localhost:PORT2.

The gunicorn server always uses its own temporary SQLite file, also in the
PostgreSQL run of the suite: these tests are about the browser side, and the
HTTP-level tests cover storage on both databases.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine

from surveyapp import schema
from surveyapp.db import make_engine
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import definition_files, load_files
from tests.conftest import needs_tool

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BIN = Path(sys.executable).parent
SECRET = "browser-test-secret-key-0123456789"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Third-party cookies blocked, as in browsers that phase them out.
    "--test-third-party-cookie-phaseout",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds} s")
        time.sleep(0.1)


@dataclass
class Site:
    """The app and the host-page servers."""

    app_url: str
    host_url: str
    unlisted_url: str
    engine: Engine
    env: dict[str, str]
    pages: dict[str, str] = field(default_factory=dict)


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def _serve_pages(port: int) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists():
        needs_tool("chromium not installed")
    if shutil.which("gunicorn", path=str(BIN)) is None:
        needs_tool("gunicorn not installed in the virtual environment")
    app_port, host_port, unlisted_port = free_port(), free_port(), free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    host_url = f"http://localhost:{host_port}"
    db_path = tmp_path_factory.mktemp("browser") / "site.sqlite"
    engine = make_engine(f"sqlite:///{db_path}")
    schema.upgrade(engine)
    from surveyapp.db import Database

    database = Database(engine)
    with database.write() as session:
        files = definition_files([REPO / "questionnaires"])
        load_files(session, [*files, REPO / "tests/public/data/every-type.yaml"])
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district", [host_url]))
        add_agency(session, AgencyInput("SNV", "Sở Nội vụ", "Home Affairs", "department"))
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{db_path}",
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_PUBLIC_URL": app_url,
        "SURVEYAPP_INSTANCE_PATH": str(db_path.parent / "instance"),
        "SURVEYAPP_MIN_FILL_SECONDS": "0",
        # The CLI's and server's subprocesses import this checkout's code, not whichever
        # checkout the shared virtualenv was installed from.
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{app_port}",
            "--workers",
            "2",
            "surveyapp:create_app()",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    pages_server = _serve_pages(host_port)
    unlisted_server = _serve_pages(unlisted_port)
    try:
        try:
            wait_for(f"{app_url}/healthz")
        except RuntimeError:
            server.terminate()
            _out, err = server.communicate(timeout=10)
            raise RuntimeError(err.decode(errors="replace")[-2000:]) from None
        yield Site(
            app_url, host_url, f"http://localhost:{unlisted_port}", engine, env, _Pages.pages
        )
    finally:
        for pages in (pages_server, unlisted_server):
            pages.shutdown()
            pages.server_close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.stderr is not None:
            server.stderr.close()
        engine.dispose()


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        needs_tool("playwright is not installed")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def add_user(site: Site, email: str, password: str, role: str = "admin") -> str:
    """Add a user to the live server's database with the CLI, as an operator would."""
    result = subprocess.run(
        [str(BIN / "surveyapp"), "users", "add", email, "--role", role, "--password-stdin"],
        cwd=REPO,
        env=site.env,
        input=f"{password}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return email


def enrol_in_browser(page: Any) -> tuple[str, list[str]]:
    """On the enrolment page, read the key, type its current code; return key and codes.

    Admins are sent there after their first password; the page then lists the
    recovery codes, and its "continue" link goes on to the page first asked for.
    """
    import pyotp

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form button[type=submit]").click()
    page.locator("#recovery-codes").wait_for()
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    return secret, codes
