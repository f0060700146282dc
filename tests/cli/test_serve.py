"""``surveyapp serve`` really starts gunicorn and serves the platform."""

from __future__ import annotations

import html
import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import TEST_SECRET_KEY
from tests.processes import stop_server

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "surveyapp"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_serve_refuses_uninitialised_database_then_serves(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
        "SURVEYAPP_SECRET_KEY": TEST_SECRET_KEY,
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    port = free_port()
    refused = run(env, "serve", "--bind", f"127.0.0.1:{port}")
    assert refused.returncode == 1
    assert "run `surveyapp init-db`" in refused.stderr
    assert run(env, "demo", "--responses", "40").returncode == 0
    server = subprocess.Popen(
        [str(BIN / "surveyapp"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 90  # a loaded 2-core machine
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        if health is None:
            server.kill()
            pytest.fail(f"gunicorn did not answer: {server.communicate()[0][-2000:]}")
        assert '"database":"ok"' in health.replace(" ", "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
            headers = response.headers
        assert "sipas" in page and "a11-cx" in page
        assert "24 quận, huyện" in page
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert "Booting worker" in output


def _signed_in_opener(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=10) as page:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode())
    assert token, "no CSRF token on /login"
    form = urllib.parse.urlencode(
        {"csrf_token": html.unescape(token.group(1)), "email": email, "password": password}
    ).encode()
    request = urllib.request.Request(f"{base}/login", data=form, headers={"Origin": base})  # noqa: S310
    with opener.open(request, timeout=10) as signed:
        assert signed.status == 200
    return opener


def test_serve_links_use_the_port_it_binds(tmp_path: Path) -> None:
    """Without SURVEYAPP_PUBLIC_URL, `serve --bind 127.0.0.1:PORT` links to PORT (issue 18.5)."""
    env = {key: value for key, value in os.environ.items() if key != "SURVEYAPP_PUBLIC_URL"} | {
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
        "SURVEYAPP_SECRET_KEY": TEST_SECRET_KEY,
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    password = "correct horse battery staple 42"
    assert run(env, "demo", "--responses", "0").returncode == 0
    users = subprocess.run(
        [
            str(BIN / "surveyapp"),
            "users",
            "add",
            "q1@example.gov.vn",
            "--role",
            "agency",
            "--agency",
            "Q1",
            "--password-stdin",
        ],
        env=env,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert users.returncode == 0, users.stderr
    port = free_port()
    while port == 8000:
        port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "surveyapp"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    pytest.fail(f"gunicorn did not answer: {server.communicate()[0][-2000:]}")
                time.sleep(0.2)
        # The agency's own user (an admin would first have to set up a second factor).
        opener = _signed_in_opener(base, "q1@example.gov.vn", password)
        with opener.open(f"{base}/admin/agencies/Q1/webmaster/sipas", timeout=30) as page:
            webmaster = html.unescape(page.read().decode())
        assert f'<a href="{base}/q/sipas?agency=Q1&lang=vi" id="direct-link">' in webmaster
        assert f'<script src="{base}/embed.js" async>' in webmaster
        with opener.open(f"{base}/admin/agencies/Q1/poster/sipas.pdf", timeout=60) as poster:
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(poster.read())).pages)
        assert f"127.0.0.1:{port}/q/sipas" in text.replace("\n", "")
        # A later command links to the same port.
        snippet = run(env, "embed-snippet", "--agency", "Q1", "--questionnaire", "sipas")
        assert snippet.returncode == 0, snippet.stderr
        assert f'<script src="{base}/embed.js" async></script>' in snippet.stdout
        assert ":8000" not in snippet.stdout
    finally:
        stop_server(server)


def test_serve_warns_on_a_public_bind_without_a_public_url(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "SURVEYAPP_PUBLIC_URL"} | {
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}",
        "SURVEYAPP_SECRET_KEY": TEST_SECRET_KEY,
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    # The database is not initialised: serve stops after the warning, before binding.
    warned = run(env, "serve", "--bind", "0.0.0.0:8123")
    assert warned.returncode == 1
    assert "SURVEYAPP_PUBLIC_URL is not set" in warned.stderr
    assert "0.0.0.0:8123 is not a loopback address" in warned.stderr
    quiet = run(
        env | {"SURVEYAPP_PUBLIC_URL": "https://khaosat.example.gov.vn"},
        "serve",
        "--bind",
        "0.0.0.0:8123",
    )
    assert quiet.returncode == 1 and "SURVEYAPP_PUBLIC_URL" not in quiet.stderr
    local = run(env, "serve", "--bind", "127.0.0.1:8123")
    assert local.returncode == 1 and "SURVEYAPP_PUBLIC_URL" not in local.stderr
