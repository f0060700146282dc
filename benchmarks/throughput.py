"""Submission throughput and latency with wrk, beside a Flask "hello" ceiling.

One run measures, with the same gunicorn settings (``--workers``, sync workers,
127.0.0.1) and the same wrk load (``--connections``, ``--seconds``):

* ``hello``: benchmarks/hello_app.py, ``GET /hello`` (the framework's ceiling);
* ``floor``: benchmarks/floor_app.py, the same GET-then-POST as the real form with
  nothing but a signed token and one SQLite row per submission (what any form
  that stores before it answers costs at the least in this framework);
* ``sqlite`` and ``postgres``: the real public form of ``questionnaires/sipas.yaml``
  for agency Q1, through benchmarks/wrk/submit.lua: each wrk thread GETs the
  form, takes the signed token from the page and POSTs the answers with it
  (Origin header set), so half the requests are form views and half submissions.

The answers are read from the rendered form itself (one valid choice per
question) and checked with one submission before the run. Prints one JSON line
per target and a table; rate limits are raised and MIN_FILL_SECONDS is 0 for
the run. PostgreSQL: ``--pg-url`` names a server whose database
``surveyapp_throughput`` is dropped and made again. Loopback only::

    python benchmarks/throughput.py --pg-url postgresql+psycopg://postgres@127.0.0.1:54329/
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


class _FormFields(HTMLParser):
    """Collect a valid answer for every field of a rendered questionnaire form."""

    def __init__(self) -> None:
        super().__init__()
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and name != "_token":
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


def fresh_postgres(server_url: str) -> str:
    import psycopg

    base = server_url.rstrip("/")
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{base}/{PG_DATABASE}"


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
    deadline = time.monotonic() + 30
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


def run_hello(args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    proc = serve("benchmarks.hello_app:app", port, args.workers, dict(os.environ), "/hello")
    try:
        result = wrk(port, "hello.lua", args)
    finally:
        stop(proc)
    seconds = result["duration_us"] / 1e6
    return {"target": "hello", **result, "requests_per_s": round(result["requests"] / seconds, 1)}


def run_floor(work: Path, args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    app = f"benchmarks.floor_app:create_app({str(work / 'floor.sqlite')!r})"
    proc = serve(app, port, args.workers, dict(os.environ), "/floor")
    try:
        # The real form's answers (written by the sqlite run), so bodies are the same size.
        body_file = work / "sqlite-answers.txt"
        result = wrk(port, "submit.lua", args, "/floor", str(body_file), f"http://127.0.0.1:{port}")
    finally:
        stop(proc)
    seconds = result["duration_us"] / 1e6
    return {
        "target": "floor",
        **result,
        "requests_per_s": round(result["requests"] / seconds, 1),
        "submissions_per_s": round(result["accepted_303"] / seconds, 1),
    }


def run_form(name: str, url: str, work: Path, args: argparse.Namespace) -> dict[str, float]:
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
        result = wrk(port, "submit.lua", args, FORM, str(body_file), f"http://127.0.0.1:{port}")
    finally:
        stop(proc)
    seconds = result["duration_us"] / 1e6
    return {
        "target": name,
        **result,
        "requests_per_s": round(result["requests"] / seconds, 1),
        "submissions_per_s": round(result["accepted_303"] / seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", help="postgresql+psycopg://USER@127.0.0.1:PORT/ (a server)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if args.seconds > 120 or args.connections > 400:
        parser.error("bounded run: --seconds <= 120, --connections <= 400")
    work = Path(tempfile.mkdtemp(prefix="surveyapp-throughput."))
    results = []
    try:
        results.append(run_hello(args))
        results.append(run_form("sqlite", f"sqlite:///{work / 'throughput.sqlite'}", work, args))
        results.append(run_floor(work, args))
        if args.pg_url:
            results.append(run_form("postgres", fresh_postgres(args.pg_url), work, args))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print(json.dumps(row))
    ceiling = results[0]["requests_per_s"]
    print(
        f"\n{'target':<9} {'req/s':>8} {'% hello':>8} {'forms/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} errors"
    )
    for row in results:
        errors = (
            row.get("socket_errors", 0)
            + row.get("timeouts", 0)
            + row.get("bad_status", 0)
            + row.get("other_status", 0)
            + row.get("refused_4xx", 0)
        )
        print(
            f"{row['target']:<9} {row['requests_per_s']:>8} "
            f"{100 * row['requests_per_s'] / ceiling:>7.1f}% "
            f"{row.get('submissions_per_s', '-'):>8} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{int(errors)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
