"""Submission throughput, latency and worker CPU with wrk, beside a ceiling, a floor and a peer.

One sitting measures, with the same gunicorn settings (``--workers`` sync workers on
127.0.0.1, the app preloaded) and the same wrk load (``--threads``, ``--connections``,
``--seconds``), in ``--rounds`` alternated rounds:

* ``hello``: benchmarks/hello_app.py, ``GET /hello`` (the framework's ceiling);
* ``floor``: benchmarks/floor_app.py, the same GET-then-POST as the real form with
  nothing but a signed token and one SQLite row per submission;
* ``peer``: benchmarks/peer_app.py, ``django-survey-and-report`` (the ``bench`` extra)
  with a survey of the same shape, through wrk/peer.lua (keeps each form's CSRF
  cookie and token);
* ``sqlite`` and ``postgres``: the real public form of ``questionnaires/sipas.yaml``
  for agency Q1, through wrk/submit.lua: GET the form, take the signed token from the
  page, POST the answers with it (Origin header set).

Every target reports requests/s, acknowledged and stored submissions (a pair counts
only if its submission was stored: ``pairs_per_s`` uses the smaller of the two),
p50/p99 of all requests, errors, and **worker CPU per pair**: the user + system CPU
time of the gunicorn workers (``/proc/PID/stat``) over the wrk run, divided by the
pairs. The answers are read from each rendered form (one valid choice per question)
and checked with one submission before the run (not counted). Rate limits are raised
and MIN_FILL_SECONDS is 0 for the run.

PostgreSQL: ``--pg-url`` (or ``SURVEYAPP_BENCH_PG_URL``) names either a server
(``postgresql+psycopg://postgres@127.0.0.1:54329/``: its database
``surveyapp_throughput`` is dropped and made again) or a database (``.../surveyapp_perf``:
its ``public`` schema is dropped and made again). Loopback only::

    python benchmarks/throughput.py --pg-url postgresql+psycopg://postgres@127.0.0.1:54329/
    python benchmarks/throughput.py --quick      # 5 s per target, one round
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from benchdb import prepare

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
SECRET = "throughput-benchmark-secret-0123456789"  # noqa: S105 - a throwaway test key
FORM = "/q/sipas?agency=Q1"
PG_DATABASE = "surveyapp_throughput"
ORDERS = (
    ("hello", "sqlite", "floor", "peer", "postgres"),
    ("hello", "postgres", "peer", "sqlite", "floor"),
)


class _FormFields(HTMLParser):
    """Collect a valid answer for every field of a rendered questionnaire form."""

    def __init__(self, skip: tuple[str, ...] = ("_token",)) -> None:
        super().__init__()
        self.skip = skip
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and name not in self.skip:
            kind = a.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind == "checkbox":
                self.checkboxes.setdefault(name, a.get("value", ""))
            elif kind == "hidden" or name == "_website":
                self.values[name] = a.get("value", "")
            elif kind == "number":
                self.values[name] = a.get("min") or "1"
            elif kind == "date":
                self.values[name] = "2024-03-05"
            elif kind not in ("submit", "button"):
                self.values[name] = "benchmark"
        elif tag == "textarea" and name:
            self.values[name] = "Benchmark comment"
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.values.setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def body(self) -> str:
        pairs = list(self.values.items())
        for name, options in self.radios.items():
            good = [o for o in options if o == "4"] or [o for o in options if o != "na"]
            pairs.append((name, (good or options)[0]))
        pairs.extend(self.checkboxes.items())
        return urlencode(pairs)


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def answers_body(port: int) -> str:
    """Read the form, build valid answers and check them with one real submission."""
    status, page = _get(port, FORM)
    if status != 200:
        raise RuntimeError(f"GET {FORM} answered {status}")
    fields = _FormFields()
    fields.feed(page)
    body = fields.body()
    token = re.search(r'name="_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("the form has no token")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            FORM,
            body=f"_token={token.group(1)}&{body}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status != 303:
        raise RuntimeError(f"the generated answers were refused ({response.status}): {body}")
    return body


def fresh_postgres(url: str) -> str:
    """Return a URL to an empty database: a server's ``surveyapp_throughput`` or the one named."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    plain = parsed.set(drivername="postgresql")
    if parsed.database:
        with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url
    server = plain.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return parsed.set(database=PG_DATABASE).render_as_string(hide_password=False)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(
    app: str, port: int, workers: int, env: dict[str, str], ready: str = "/healthz"
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            app,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _get(port, ready)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


def wrk(port: int, script: str, args: argparse.Namespace, *extra: str) -> dict[str, float]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        f"http://127.0.0.1:{port}",
    ]
    if extra:
        command += ["--", *extra]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=args.seconds + 60
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK_JSON "))
    result: dict[str, float] = json.loads(line.removeprefix("WRK_JSON "))
    return result


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (fields 14 and 15 of /proc/PID/stat)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measured(
    name: str,
    proc: subprocess.Popen[bytes],
    port: int,
    script: str,
    args: argparse.Namespace,
    extra: tuple[str, ...] = (),
    stored: Callable[[], int] | None = None,
) -> dict[str, float | str]:
    """Run wrk against a started server; add req/s, pairs/s and worker CPU per pair."""
    pids = worker_pids(proc.pid)
    spy = None
    if args.py_spy and name in ("sqlite", "postgres"):
        # Collapsed stacks of the workers over the run (the profiler's own cost is in
        # the figures of this run, so profile in a run of its own).
        spy = subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                str(proc.pid),
                "--subprocesses",
                "--format",
                "raw",
                "--rate",
                "200",
                "--duration",
                str(args.seconds),
                "--output",
                f"{args.py_spy}-{name}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    before = cpu_seconds(pids)
    result: dict[str, float | str] = {"target": name, **wrk(port, script, args, *extra)}
    used = cpu_seconds(pids) - before
    if spy is not None:
        spy.wait(timeout=30)
    seconds = float(result["duration_us"]) / 1e6
    result["requests_per_s"] = round(float(result["requests"]) / seconds, 1)
    result["worker_cpu_s"] = round(used, 2)
    if stored is None:
        result["worker_cpu_ms_per_request"] = round(1000 * used / float(result["requests"]), 3)
        return result
    acknowledged = int(result["accepted_303"])
    rows = stored()
    pairs = min(acknowledged, rows)
    result["acknowledged"] = acknowledged
    result["stored"] = rows
    result["pairs_per_s"] = round(pairs / seconds, 1)
    result["worker_cpu_ms_per_pair"] = round(1000 * used / pairs, 2) if pairs else float("nan")
    return result


def run_hello(work: Path, args: argparse.Namespace) -> dict[str, float | str]:
    port = free_port()
    proc = serve("benchmarks.hello_app:app", port, args.workers, dict(os.environ), "/hello")
    try:
        return measured("hello", proc, port, "hello.lua", args)
    finally:
        stop(proc)


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
    finally:
        engine.dispose()


def run_floor(work: Path, args: argparse.Namespace) -> dict[str, float | str]:
    port = free_port()
    db = work / "floor.sqlite"
    app = f"benchmarks.floor_app:create_app({str(db)!r})"
    proc = serve(app, port, args.workers, dict(os.environ), "/floor")
    try:
        # The real form's answers (written by the sqlite run), so bodies are the same size.
        extra = ("/floor", str(work / "sqlite-answers.txt"), f"http://127.0.0.1:{port}")
        return measured(
            "floor",
            proc,
            port,
            "submit.lua",
            args,
            extra,
            lambda: _count(f"sqlite:///{db}", "submissions"),
        )
    finally:
        stop(proc)


def _peer_check(port: int, path: str) -> str:
    """Read the peer's form, build valid answers, check them with one real submission."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        page = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    finally:
        conn.close()
    fields = _FormFields(skip=("csrfmiddlewaretoken",))
    fields.feed(page)
    body = fields.body()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if cookie is None or token is None:
        raise RuntimeError("the peer's form has no CSRF cookie or token")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            path,
            body=f"csrfmiddlewaretoken={token.group(1)}&{body}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
                "Cookie": f"csrftoken={cookie.group(1)}",
            },
        )
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status != 302:
        raise RuntimeError(f"the peer refused the generated answers ({response.status}): {body}")
    return body


def run_peer(work: Path, args: argparse.Namespace) -> dict[str, float | str]:
    db = work / "peer.sqlite"
    env = {**os.environ, "PEER_DB": str(db), "PYTHONPATH": str(REPO / "benchmarks")}
    made = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/peer_app.py"), "setup"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    path = f"/survey/{made.stdout.strip()}/"
    port = free_port()
    proc = serve("benchmarks.peer_app:application", port, args.workers, env, path)
    try:
        body_file = work / "peer-answers.txt"
        body_file.write_text(_peer_check(port, path))
        extra = (path, str(body_file), f"http://127.0.0.1:{port}")
        return measured(
            "peer",
            proc,
            port,
            "peer.lua",
            args,
            extra,
            lambda: _count(f"sqlite:///{db}", "survey_response") - 1,
        )
    finally:
        stop(proc)


def run_form(name: str, url: str, work: Path, args: argparse.Namespace) -> dict[str, float | str]:
    prepare(url, REPO / "questionnaires/sipas.yaml", "Q1")
    port = free_port()
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SURVEYAPP_INSTANCE_PATH": str(work / "instance"),
        "SURVEYAPP_MIN_FILL_SECONDS": "0",
        "SURVEYAPP_RATELIMIT_SUBMIT": "10000000 per minute",
        "SURVEYAPP_RATELIMIT_VIEW": "10000000 per minute",
    }
    proc = serve("surveyapp:create_app()", port, args.workers, env)
    try:
        body_file = work / f"{name}-answers.txt"
        body_file.write_text(answers_body(port))
        extra = (FORM, str(body_file), f"http://127.0.0.1:{port}")
        return measured(
            name, proc, port, "submit.lua", args, extra, lambda: _count(url, "responses") - 1
        )
    finally:
        stop(proc)


def run_target(target: str, work: Path, args: argparse.Namespace) -> dict[str, float | str]:
    if target == "hello":
        return run_hello(work, args)
    if target == "floor":
        return run_floor(work, args)
    if target == "peer":
        return run_peer(work, args)
    if target == "sqlite":
        return run_form("sqlite", f"sqlite:///{work / 'throughput.sqlite'}", work, args)
    return run_form("postgres", fresh_postgres(args.pg_url), work, args)


def errors_of(row: dict[str, float | str]) -> int:
    keys = ("socket_errors", "timeouts", "bad_status", "other_status", "refused_4xx")
    return int(sum(float(row.get(k, 0)) for k in keys))


def print_table(results: list[dict[str, float | str]]) -> None:
    print(
        f"\n{'round':>5} {'target':<9} {'req/s':>8} {'% hello':>8} {'pairs/s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'acked':>7} {'stored':>7} {'CPU ms/pair':>11}"
    )
    ceiling = 0.0
    for row in results:
        if row["target"] == "hello":
            ceiling = float(row["requests_per_s"])
        share = 100 * float(row["requests_per_s"]) / ceiling if ceiling else float("nan")
        print(
            f"{row['round']:>5} {row['target']:<9} {row['requests_per_s']:>8} {share:>7.1f}% "
            f"{row.get('pairs_per_s', '-'):>8} {float(row['p50_ms']):>7.1f} "
            f"{float(row['p99_ms']):>7.1f} {errors_of(row):>6} {row.get('acknowledged', '-'):>7} "
            f"{row.get('stored', '-'):>7} {row.get('worker_cpu_ms_per_pair', '-'):>11}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("SURVEYAPP_BENCH_PG_URL"),
        help="postgresql+psycopg://USER@127.0.0.1:PORT/[DATABASE] ($SURVEYAPP_BENCH_PG_URL)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2, help="alternated rounds of every target")
    parser.add_argument(
        "--targets",
        default="hello,floor,peer,sqlite,postgres",
        help="comma-separated subset (floor needs sqlite's answers: it runs sqlite first)",
    )
    parser.add_argument("--quick", action="store_true", help="5 s per target, one round")
    parser.add_argument(
        "--py-spy",
        metavar="PREFIX",
        help="profile the surveyapp workers: collapsed stacks to PREFIX-sqlite.txt etc.",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 5, 1
    if args.seconds > 120 or args.connections > 400 or args.rounds > 5:
        parser.error("bounded run: --seconds <= 120, --connections <= 400, --rounds <= 5")
    targets = [t for t in args.targets.split(",") if t]
    if "postgres" in targets and not args.pg_url:
        print("no --pg-url or SURVEYAPP_BENCH_PG_URL: PostgreSQL is left out", file=sys.stderr)
        targets.remove("postgres")
    results: list[dict[str, float | str]] = []
    for number in range(1, args.rounds + 1):
        work = Path(tempfile.mkdtemp(prefix="surveyapp-throughput."))
        try:
            # The second round runs the targets in the other order (hello, each
            # round's ceiling, first; floor after sqlite, whose answers it sends).
            order = ORDERS[(number - 1) % 2]
            order = [t for t in order if t in targets]
            for target in order:
                row = run_target(target, work, args)
                row["round"] = number
                print(json.dumps(row), flush=True)
                results.append(row)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
