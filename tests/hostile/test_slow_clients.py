"""Slow clients (slowloris) must not make ``surveyapp serve`` unavailable.

An attacker held every gunicorn thread with 16 connections that each sent one header
line every 2 s: ``/q/...`` stopped answering. Here a real ``surveyapp serve`` on
loopback gets 24 such connections (more than its workers x threads), on new
connections and on a kept-alive one, while a normal client asks for a form. The only
time bound is a generous timeout showing that the form is served rather than blocked.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from tests.cli.test_serve import BIN, free_port, run
from tests.conftest import TEST_SECRET_KEY
from tests.processes import stop_server

SLOW_CLIENTS = 24
DRIBBLE_SECONDS = 2.0
#: Far longer than serving a form takes, far shorter than the slow clients' whole siege.
ANSWER_WITHIN = 20.0
WORKERS, THREADS = 2, 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("slow")
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp / 'slow.sqlite'}",
        "SURVEYAPP_SECRET_KEY": TEST_SECRET_KEY,
        "SURVEYAPP_INSTANCE_PATH": str(tmp / "instance"),
    }
    assert run(env, "init-db").returncode == 0
    assert run(env, "questionnaires", "load").returncode == 0
    port = free_port()
    args = ["serve", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", str(WORKERS), "--threads", str(THREADS)]
    process = subprocess.Popen(
        [str(BIN / "surveyapp"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90  # a loaded 2-core machine
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if _get(port, "/healthz", timeout=2) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            process.kill()
            pytest.fail(f"gunicorn did not answer: {process.communicate()[0][-2000:]}")
        yield port
    finally:
        stop_server(process)


def _get(port: int, path: str, *, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Siege:
    """Slow connections that each send one more header line every DRIBBLE_SECONDS."""

    def __init__(self, port: int, count: int, *, kept_alive_first: bool = False) -> None:
        self.port = port
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if kept_alive_first:
                # One complete request first: the slow one then rides the kept-alive connection.
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                sock.recv(65536)
            sock.sendall(b"GET /q/sipas HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.thread = threading.Thread(target=self._dribble, daemon=True)

    def _dribble(self) -> None:
        line = 0
        while not self.stop.wait(DRIBBLE_SECONDS):
            line += 1
            for sock in self.sockets:
                # OSError: the server closed it, which a server may do with a slow client.
                with contextlib.suppress(OSError):
                    sock.sendall(f"X-Slow-{line}: {'a' * 10}\r\n".encode())

    def __enter__(self) -> Siege:
        self.thread.start()
        time.sleep(DRIBBLE_SECONDS * 1.5)  # every thread the siege can hold is held now
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


@pytest.mark.parametrize("kept_alive_first", [False, True], ids=["new", "kept-alive"])
def test_a_form_is_served_while_slow_clients_dribble_headers(
    server: int, kept_alive_first: bool
) -> None:
    assert SLOW_CLIENTS > WORKERS * THREADS
    with Siege(server, SLOW_CLIENTS, kept_alive_first=kept_alive_first):
        for path in ("/q/sipas", "/q/a11-cx?lang=en", "/healthz"):
            try:
                status = _get(server, path, timeout=ANSWER_WITHIN)
            except TimeoutError:
                pytest.fail(f"{path} was not served while {SLOW_CLIENTS} slow clients waited")
            assert status == 200, path
        # A request with a body is served as well (refused for its made-up token).
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=ANSWER_WITHIN)
        try:
            body = b'{"questionnaire": "sipas", "token": "made-up"}'
            connection.request(
                "POST", "/api/v1/responses", body, {"Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            assert answer.status == 422 and b"token" in answer.read()
        finally:
            connection.close()


def test_a_slow_client_is_cut_off_in_the_end(server: int) -> None:
    # Headers that never end: the server closes the connection instead of waiting forever.
    sock = socket.create_connection(("127.0.0.1", server), timeout=5)
    try:
        sock.sendall(b"GET /q/sipas HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.settimeout(90)
        deadline = time.monotonic() + 90
        closed = False
        while time.monotonic() < deadline:
            try:
                sock.sendall(b"X-Slow: a\r\n")
                if sock.recv(65536, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed = True
                break
            time.sleep(DRIBBLE_SECONDS)
        assert closed
    finally:
        sock.close()
