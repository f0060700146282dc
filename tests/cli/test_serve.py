"""``surveyapp serve`` really starts gunicorn and serves the platform."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET_KEY

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
