"""Two app servers behind nginx on one PostgreSQL and one Redis: nothing is per-process.

Starts on loopback, each on a free port: a fresh PostgreSQL database, redis-server, two
``surveyapp serve`` instances run from the ExecStart line of
``deploy/systemd/surveyapp@.service`` with the settings of
``deploy/surveyapp.env.example``, and nginx with ``deploy/nginx/surveyapp.conf`` (TLS
with a throwaway certificate). Only ports, paths and test limits are substituted, and
each substitution must match, so the deployment files cannot drift from what is tested.
The test's nginx adds ``X-Upstream: $upstream_addr`` to say which instance answered.

Every check goes through nginx unless it says "directly", which means an instance's
own port. Each check sends from its own loopback address (127.0.x.y), because rate
limits count per client address.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, func, select

from surveyapp.db import make_engine
from surveyapp.models import Response
from surveyapp.tokens import read_token
from tests.conftest import needs_tool
from tests.scaleout import servers

pytestmark = pytest.mark.scaleout

HOST = "survey.example.gov.vn"  # the deploy file's server_name, kept as is
SLUG = "every-type"
AGENCY = "T1"
ANSWERS = {"access_overall": 4, "visited": "no", "channels": ["web"], "recommend": 10}
SUBMIT_LIMIT = 8
ADMIN = "admin@scaleout.example"
PASSWORD = "scale-out-password-1"
SECRET = "scale-out-secret-key-shared-by-both-instances"
REQUEST_TIMEOUT = 30.0


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Cluster:
    directory: Path
    database_url: str
    engine: Engine
    instances: list[Instance]
    https_port: int
    http_port: int
    context: ssl.SSLContext
    nginx_log: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def upstream(self) -> str:
        return self.headers.get("X-Upstream", "")

    def json(self) -> Any:
        return json.loads(self.body)


class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS to nginx on loopback, sending HOST as SNI and Host (as a browser would)."""

    def __init__(self, port: int, context: ssl.SSLContext, source: str, sni: str = HOST) -> None:
        super().__init__(
            sni, port, context=context, timeout=REQUEST_TIMEOUT, source_address=(source, 0)
        )
        self._tls_context = context

    def connect(self) -> None:
        raw = socket.create_connection(
            ("127.0.0.1", self.port), REQUEST_TIMEOUT, source_address=self.source_address
        )
        self.sock = self._tls_context.wrap_socket(raw, server_hostname=self.host)


class Client:
    """One citizen's (or one staff member's) requests, from its own loopback address."""

    def __init__(self, cluster: Cluster, source: str) -> None:
        self.cluster = cluster
        self.source = source

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        direct: Instance | None = None,
    ) -> Answer:
        connection: http.client.HTTPConnection
        if direct is None:
            connection = _TLSConnection(self.cluster.https_port, self.cluster.context, self.source)
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", direct.port, timeout=REQUEST_TIMEOUT, source_address=(self.source, 0)
            )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def token(self, direct: Instance | None = None) -> str:
        answer = self.request(
            "GET", f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}", direct=direct
        )
        assert answer.status == 200, answer.body[:300]
        return str(answer.json()["token"])

    def submit(self, token: str, direct: Instance | None = None) -> Answer:
        body = json.dumps({"questionnaire": SLUG, "token": token, "answers": ANSWERS})
        return self.request(
            "POST",
            "/api/v1/responses",
            body.encode(),
            {"Content-Type": "application/json"},
            direct=direct,
        )


# -- setting the cluster up -------------------------------------------------------------------


def _program(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        needs_tool(f"{name} (Debian: apt-get install {package})")
        raise AssertionError("unreachable")
    return found


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            _program("openssl", "openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _app_env(directory: Path, database_url: str, redis_url: str, https_port: int) -> dict[str, str]:
    """The example environment file with the test's database, Redis, key, URL and limits."""
    example = servers.read_env_file(servers.DEPLOY / "surveyapp.env.example")
    replaced = {
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": database_url,
        "SURVEYAPP_REDIS_URL": redis_url,
        "SURVEYAPP_PUBLIC_URL": f"https://{HOST}:{https_port}",
        "SURVEYAPP_QUESTIONNAIRES_DIR": str(servers.REPO / "questionnaires"),
        "SURVEYAPP_RATELIMIT_SUBMIT": f"{SUBMIT_LIMIT} per hour",
        "SURVEYAPP_RATELIMIT_VIEW": "1000 per minute",
    }
    missing = set(replaced) - set(example)
    assert not missing, f"deploy/surveyapp.env.example no longer sets {sorted(missing)}"
    assert example["SURVEYAPP_REQUIRE_SHARED_STATE"] == "1"
    assert example["SURVEYAPP_PROXY_COUNT"] == "1"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYAPP_")}
    env.update(example)
    env.update(replaced)
    env["SURVEYAPP_MIN_FILL_SECONDS"] = "0"  # answers come at machine speed
    env["SURVEYAPP_INSTANCE_PATH"] = str(directory / "instance")
    env["MPLCONFIGDIR"] = str(directory / "matplotlib")
    return env


def _set_up(database_url: str) -> None:
    """Migrate and fill the database with the real commands, run in this process (faster)."""
    from surveyapp import create_app
    from surveyapp.cli import cli

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    runner = app.test_cli_runner()
    for args, given in [
        (["init-db"], None),
        (["questionnaires", "load", str(servers.REPO / "tests/public/data/every-type.yaml")], None),
        (
            [
                "agencies",
                "add",
                AGENCY,
                "--name-vi",
                "Thử",
                "--name-en",
                "Test",
                "--kind",
                "district",
            ],
            None,
        ),
        # An inspector: it signs in with the password alone (an admin must enrol a
        # second factor first), and reads /dashboard like an admin.
        (["users", "add", ADMIN, "--role", "inspector", "--password-stdin"], PASSWORD),
    ]:
        result = runner.invoke(cli, args, input=given)
        assert result.exit_code == 0, f"surveyapp {' '.join(args)}: {result.output}"
    from surveyapp import db_app

    db_app.get_db(app).engine.dispose()


def _start_instance(name: str, env: dict[str, str], directory: Path) -> Instance:
    port = servers.free_port()
    command = servers.exec_start(servers.DEPLOY / "systemd" / "surveyapp@.service")
    assert command[0] == "/opt/surveyapp/venv/bin/surveyapp", command
    command[0] = str(servers.BIN / "surveyapp")
    command = [arg.replace("%i", str(port)) for arg in command]
    # Two workers each: the test machine has few cores, and two instances run.
    workers = command.index("--workers")
    command[workers + 1] = "2"
    assert "--require-shared-state" in command
    log = directory / f"{name}.log"
    process = servers.spawn(command, log, env)
    return Instance(name, port, process, log)


def _nginx_config(directory: Path, instances: list[Instance], http: int, https: int) -> Path:
    cert, key = _certificate(directory)
    site = servers.substitute(
        (servers.DEPLOY / "nginx" / "surveyapp.conf").read_text(encoding="utf-8"),
        [
            (r"server 127\.0\.0\.1:8001 ", f"server {instances[0].address} ", 1),
            (r"server 127\.0\.0\.1:8002 ", f"server {instances[1].address} ", 1),
            # Loopback only, on free ports; the container may have no IPv6.
            (r"^\s*listen \[::\]:.*\n", "", 4),
            (r"listen 80\b", f"listen 127.0.0.1:{http}", 2),
            (r"listen 443 ssl\b", f"listen 127.0.0.1:{https} ssl", 2),
            (r"/etc/letsencrypt/live/survey\.example\.gov\.vn/fullchain\.pem", str(cert), 1),
            (r"/etc/letsencrypt/live/survey\.example\.gov\.vn/privkey\.pem", str(key), 1),
            (
                r"alias /opt/surveyapp/venv/lib/python3\.11/site-packages/surveyapp/static/;",
                f"alias {servers.REPO / 'surveyapp' / 'static'}/;",
                1,
            ),
            # Test only: say which app server answered.
            (r"(location / \{\n)", r"\1        add_header X-Upstream $upstream_addr always;\n", 1),
        ],
    )
    (directory / "surveyapp.conf").write_text(site, encoding="utf-8")
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir()
    mime = Path("/etc/nginx/mime.types")
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 512; }}
http {{
    {f"include {mime};" if mime.exists() else "types {{ text/css css; text/javascript js; }}"}
    default_type application/octet-stream;
    access_log {directory}/access.log;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/surveyapp.conf;
}}
"""
    config = directory / "nginx.conf"
    config.write_text(main, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nginx = _program("nginx", "nginx")
    directory = tmp_path_factory.mktemp("scaleout")
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(servers.postgres_server())
        database_url = stack.enter_context(servers.fresh_database(server))
        redis = stack.enter_context(servers.redis_server(directory))
        http_port, https_port = servers.free_port(), servers.free_port()
        env = _app_env(directory, database_url, redis.url, https_port)
        print(f"PostgreSQL and Redis ready after {time.monotonic() - started:.1f}s")
        _set_up(database_url)
        instances = [_start_instance(name, env, directory) for name in ("a", "b")]
        for instance in instances:
            stack.callback(servers.kill_group, instance.process)
            stack.callback(servers.stop, instance.process)
        for instance in instances:
            servers.wait_for_health(instance.port, instance.process, instance.log)
        print(f"app servers ready after {time.monotonic() - started:.1f}s")
        nginx_dir = directory / "nginx"
        nginx_dir.mkdir()
        config = _nginx_config(nginx_dir, instances, http_port, https_port)
        log = nginx_dir / "nginx.out"
        process = servers.spawn(
            [
                nginx,
                "-p",
                str(nginx_dir),
                "-c",
                str(config),
                "-e",
                str(nginx_dir / "error.log"),
                "-g",
                "daemon off;",
            ],
            log,
        )
        stack.callback(servers.stop, process)
        servers.wait_for_port(https_port, process, nginx_dir / "error.log")
        context = ssl.create_default_context(cafile=str(nginx_dir / "cert.pem"))
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        print(f"scale-out cluster up in {time.monotonic() - started:.1f}s")
        yield Cluster(
            directory,
            database_url,
            engine,
            instances,
            https_port,
            http_port,
            context,
            nginx_dir / "error.log",
            env,
        )


def _stored(cluster: Cluster, receipts: list[str]) -> dict[str, int]:
    """How many times each receipt is in the database."""
    with cluster.engine.connect() as conn:
        rows = conn.execute(
            select(Response.receipt_code, func.count())
            .where(Response.receipt_code.in_(receipts))
            .group_by(Response.receipt_code)
        ).all()
    return {code: int(n) for code, n in rows}


def _total(cluster: Cluster) -> int:
    with cluster.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Response)) or 0)


# -- the checks -------------------------------------------------------------------------------


def test_nginx_terminates_tls_serves_static_files_and_redirects(cluster: Cluster) -> None:
    client = Client(cluster, "127.0.0.1")
    health = client.request("GET", "/healthz")
    assert health.status == 200 and health.json() == {"status": "ok", "database": "ok"}
    # Sent once (by the app), and nginx does not tell its version.
    hsts = health.headers.get_all("Strict-Transport-Security") or []
    assert len(hsts) == 1 and hsts[0].startswith("max-age=")
    assert health.headers.get("Server") in (None, "nginx")
    css = client.request("GET", "/static/app.css")
    assert css.status == 200 and css.upstream == ""  # from disk, no app server involved
    assert css.body == (servers.REPO / "surveyapp/static/app.css").read_bytes()
    plain = http.client.HTTPConnection("127.0.0.1", cluster.http_port, timeout=REQUEST_TIMEOUT)
    plain.request("GET", "/q/x", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://{HOST}/q/x"
    plain.close()
    # Another host name gets no TLS handshake: the app only ever sees our Host.
    with pytest.raises(ssl.SSLError):
        _TLSConnection(cluster.https_port, cluster.context, "127.0.0.1", "other.example").connect()
    # A body over client_max_body_size (= SURVEYAPP_MAX_CONTENT_LENGTH) stops at nginx.
    big = client.request(
        "POST", "/api/v1/responses", b"x" * 300_000, {"Content-Type": "application/json"}
    )
    assert big.status == 413
    site = (servers.DEPLOY / "nginx" / "surveyapp.conf").read_text(encoding="utf-8")
    limit = re.search(r"client_max_body_size (\d+)k;", site)
    assert limit is not None
    assert int(limit.group(1)) * 1024 == int(cluster.env["SURVEYAPP_MAX_CONTENT_LENGTH"])


def test_submissions_are_answered_by_both_instances_and_all_stored(cluster: Cluster) -> None:
    client = Client(cluster, "127.0.1.1")
    receipts: dict[str, str] = {}
    # Tokens first: alternating GET and POST would send every POST to the same instance.
    tokens = [client.token() for _ in range(6)]
    for token in tokens:
        answer = client.submit(token)
        assert answer.status == 201, answer.body[:300]
        receipts[answer.json()["receipt"]] = answer.upstream
    assert set(receipts.values()) == {i.address for i in cluster.instances}
    assert _stored(cluster, list(receipts)) == dict.fromkeys(receipts, 1)


def test_a_token_replayed_on_the_other_instance_returns_the_first_receipt(
    cluster: Cluster,
) -> None:
    a, b = cluster.instances
    client = Client(cluster, "127.0.1.2")
    token = client.token()
    before = _total(cluster)
    first = client.submit(token, direct=a)
    assert first.status == 201, first.body[:300]
    again = client.submit(token, direct=b)
    assert again.status == 200, again.body[:300]
    assert again.json() == {"receipt": first.json()["receipt"], "replayed": True}
    assert _total(cluster) == before + 1


def test_the_rate_limit_is_shared_by_both_instances(cluster: Cluster) -> None:
    a, _b = cluster.instances
    client = Client(cluster, "127.0.2.1")
    # Tokens straight from one instance, so that nginx alternates only the submissions.
    tokens = [client.token(direct=a) for _ in range(SUBMIT_LIMIT + 4)]
    answers = [client.submit(token) for token in tokens]
    statuses = [answer.status for answer in answers]
    # In-memory limits would let each of the four worker processes take SUBMIT_LIMIT.
    assert statuses == [201] * SUBMIT_LIMIT + [429] * 4, statuses
    everyone = {i.address for i in cluster.instances}
    assert {x.upstream for x in answers[:SUBMIT_LIMIT]} == everyone
    assert {x.upstream for x in answers[SUBMIT_LIMIT:]} == everyone


def test_a_login_through_one_instance_is_valid_on_the_other(cluster: Cluster) -> None:
    client = Client(cluster, "127.0.3.1")
    page = client.request("GET", "/login")
    assert page.status == 200
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body)
    assert csrf is not None
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    form = urlencode(
        {"csrf_token": csrf.group(1).decode(), "email": ADMIN, "password": PASSWORD, "next": ""}
    )
    signed_in = client.request(
        "POST",
        "/login",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert signed_in.status == 303, signed_in.body[:500]
    session = signed_in.headers["Set-Cookie"].split(";", 1)[0]
    print(f"login form from {page.upstream}, signed in by {signed_in.upstream}")
    for instance in cluster.instances:
        anonymous = client.request("GET", "/dashboard", direct=instance)
        assert anonymous.status in (302, 303), anonymous.status
        staff = client.request("GET", "/dashboard", headers={"Cookie": session}, direct=instance)
        assert staff.status == 200, (instance.name, staff.status)


def test_stopping_an_instance_mid_run_loses_no_acknowledged_submission(cluster: Cluster) -> None:
    """SIGTERM then SIGKILL one instance while six clients submit; retry what failed.

    A client whose POST failed (502 from nginx, or a broken connection) sends the same
    token again, as the form does when resubmitted: a stored first attempt answers with
    its receipt, so every token ends with exactly one stored response.
    """
    a, b = cluster.instances
    clients, per_client = 6, 6
    done = threading.Semaphore(0)
    outcomes: list[tuple[str, int, str, str, int]] = []  # token, status, receipt, upstream, tries
    lock = threading.Lock()

    def run(number: int) -> None:
        client = Client(cluster, f"127.0.4.{number + 1}")
        for _ in range(per_client):
            token = client.token()
            status, receipt, upstream, tries = 0, "", "", 0
            while tries < 5:
                tries += 1
                try:
                    answer = client.submit(token)
                except (OSError, http.client.HTTPException):
                    time.sleep(0.2)
                    continue
                status, upstream = answer.status, answer.upstream
                if status in (200, 201):
                    receipt = answer.json()["receipt"]
                    break
                assert status in (502, 503, 504), (status, answer.body[:300])
                time.sleep(0.2)
            with lock:
                outcomes.append((token, status, receipt, upstream, tries))
            done.release()

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(run, n) for n in range(clients)]
        for _ in range(clients * per_client // 3):
            assert done.acquire(timeout=60)
        stopping = time.monotonic()
        os.killpg(b.process.pid, 15)  # SIGTERM: gunicorn finishes running requests...
        try:
            b.process.wait(2)
        except subprocess.TimeoutExpired:
            servers.kill_group(b.process)  # ...and SIGKILL cuts off whatever still runs
            b.process.wait(10)
        servers.kill_group(b.process)
        stopped_after = time.monotonic() - stopping
        for future in futures:
            future.result(timeout=90)

    acknowledged = [o for o in outcomes if o[1] in (200, 201)]
    retried = [o for o in outcomes if o[4] > 1]
    print(
        f"{len(outcomes)} submissions, {len(acknowledged)} acknowledged, {len(retried)} "
        f"retried by the client; instance b stopped in {stopped_after:.1f}s"
    )
    assert len(acknowledged) == len(outcomes) == clients * per_client
    receipts = [o[2] for o in acknowledged]
    assert _stored(cluster, receipts) == dict.fromkeys(receipts, 1)
    nonces = [read_token(SECRET, o[0]).nonce for o in acknowledged]
    with cluster.engine.connect() as conn:
        stored = conn.scalar(
            select(func.count()).select_from(Response).where(Response.submission_nonce.in_(nonces))
        )
    assert stored == len(set(nonces)) == len(acknowledged)
    # The survivor answers alone now, and nginx still reports healthy.
    assert Client(cluster, "127.0.4.100").request("GET", "/healthz").status == 200
    assert b.process.poll() is not None and a.process.poll() is None
