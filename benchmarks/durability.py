"""Durability under load: kill -9 workers, the master and PostgreSQL while clients submit.

Starts gunicorn (4 sync workers) on a fresh database, runs N client threads
that each, for a fixed time, GET the form (a fresh signed token), POST answers
with an Origin header and keep resending the same form until it is
acknowledged (303 to a receipt). Every acknowledged receipt is recorded with
the unique comment its form carried. Mid-run it kills one worker, then
another, then the master (with ``kill -9``) and starts the master again; on
PostgreSQL it also restarts the server with ``pg_ctl restart -m immediate`` (as
a crash would stop it, so it recovers from its WAL) on a private instance
started with ``.ci/start-postgres`` on its own port.

At the end it checks, straight from the database: every acknowledged receipt is
stored exactly once with the comment that was sent; no comment is stored twice;
every stored response has all its answers; resending an acknowledged form
returns the same receipt; no 500 was answered; ``PRAGMA integrity_check`` is ok
(SQLite); the report aggregates plus the responses waiting for a fold hold every
accepted response exactly once. It prints the counts as JSON and exits 1 if a check failed.

Loopback only; bounded in time (``--seconds`` plus ``--grace`` for in-flight
retries) and in clients (``--clients``)::

    python benchmarks/durability.py sqlite --seconds 60 --clients 200
    python benchmarks/durability.py postgres --seconds 60 --clients 200
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchdb import prepare

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SLUG = "every-type"
AGENCY = "Q1"
SECRET = "durability-benchmark-secret-0123456789"  # noqa: S105 - a throwaway test key
TOKEN_RE = re.compile(r'name="_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_token"')
RECEIPT_RE = re.compile(r"/thanks/([^/?#]+)")
#: Answers to tests/public/data/every-type.yaml; "comment" is made unique per form.
ANSWERS: list[tuple[str, str]] = [
    ("access_overall", "4"),
    ("staff_polite", "5"),
    ("staff_helpful", "na"),
    ("visited", "yes"),
    ("visits", "2"),
    ("channels", "web"),
    ("channels", "desk"),
    ("visit_date", "2024-03-05"),
    ("recommend", "9"),
    ("occupation", "Kế toán"),
]
#: Answer rows one such response stores: channels is one row, staff_helpful an N/A row,
#: plus the comment.
ANSWER_ROWS = 10
REQUIRED = ("access_overall", "visited", "visits")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the databases -----------------------------------------------------------------------


@dataclass
class Postgres:
    """A private PostgreSQL server (``.ci/start-postgres PORT``) that may be restarted."""

    url: str
    data_dir: str
    bindir: str

    @classmethod
    def start(cls, port: int) -> Postgres:
        out = subprocess.run(
            [str(REPO / ".ci/start-postgres"), str(port)],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        url = out.stdout.strip().splitlines()[-1]
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres") as conn:
            row = conn.execute("SHOW data_directory").fetchone()
        assert row is not None
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
        return cls(url, str(row[0]), str(bindir[-1]))

    def _pg_ctl(self, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        # The server started by "restart" must not inherit a pipe of ours: reading the
        # pipe to its end would then wait for the server to exit. It logs to a file.
        subprocess.run(
            [*as_postgres, f"{self.bindir}/pg_ctl", "-D", self.data_dir, "-w", *args],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def restart(self) -> None:
        """Stop the server as a crash would (no shutdown checkpoint), then start it."""
        log = str(Path(self.data_dir).parent / "server.log")
        self._pg_ctl("restart", "-m", "immediate", "-l", log)

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "fast")
        finally:
            # start-postgres made DATA's parent with mktemp; nothing else lives there.
            parent = Path(self.data_dir).parent
            if parent.name.startswith("surveyapp-pg."):
                shutil.rmtree(parent, ignore_errors=True)


@dataclass
class Stored:
    receipt_count: Counter[str]
    comments: dict[str, list[str]]  # comment -> receipts
    partial: int  # responses missing an answer row or a required answer
    total: int
    integrity: str
    #: Accepted responses, those the report aggregates hold and those waiting for a fold.
    accepted: int = 0
    in_aggregates: int = 0
    waiting: int = 0


def read_back(url: str, sqlite_path: Path | None) -> Stored:
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.receipt_code, a.value_text FROM responses r "
                "LEFT JOIN answers a ON a.response_id = r.id AND a.question_key = 'comment'"
            )
        ).all()
        partial = conn.execute(
            text(
                "SELECT count(*) FROM responses r WHERE "
                "(SELECT count(*) FROM answers a WHERE a.response_id = r.id) <> :n "
                "OR (SELECT count(*) FROM answers a WHERE a.response_id = r.id "
                "AND a.question_key IN :keys) <> :k"
            ).bindparams(bindparam("keys", expanding=True)),
            {"n": ANSWER_ROWS, "k": len(REQUIRED), "keys": list(REQUIRED)},
        ).scalar_one()
        counts = [
            int(conn.execute(text(query)).scalar_one())
            for query in (
                "SELECT count(*) FROM responses WHERE status = 'accepted'",
                "SELECT coalesce(sum(n_responses), 0) FROM report_aggregates",
                "SELECT count(*) FROM unfolded_responses",
            )
        ]
    engine.dispose()
    integrity = "n/a (PostgreSQL)"
    if sqlite_path is not None:
        with sqlite3.connect(sqlite_path) as conn:
            integrity = ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    comments: dict[str, list[str]] = {}
    for receipt, comment in rows:
        comments.setdefault(comment or "", []).append(receipt)
    return Stored(
        Counter(r for r, _ in rows), comments, int(partial), len(rows), integrity, *counts
    )


# -- the server --------------------------------------------------------------------------


class Server:
    """gunicorn on 127.0.0.1:PORT, which this script may kill -9 and start again."""

    def __init__(self, port: int, env: dict[str, str], workers: int, log: Path) -> None:
        self.port, self.env, self.workers, self.log = port, env, workers, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                    # Workers forked from a loaded app start at once after a kill -9.
                    "--preload",
                    "surveyapp:create_app()",
                ],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.starts += 1
        self.wait_ready()

    def wait_ready(self, seconds: float = 90) -> None:
        # Wait until /healthz answers. After a restart under load the request queues
        # behind the clients' requests in the backlog, which is what they see too.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn did not start within {seconds} s:\n{tail}")

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def kill_worker(self) -> int:
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master_and_restart(self) -> None:
        assert self.proc is not None
        orphans = self.worker_pids()
        self.proc.kill()
        self.proc.wait()
        # Orphaned workers would notice their master is gone only after their next
        # accept timeout; a supervisor (systemd's control group) kills what is left,
        # so do that after a second: in-flight requests are cut, clients must retry.
        time.sleep(1.0)
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        while any(Path(f"/proc/{pid}").exists() for pid in orphans):
            time.sleep(0.05)
        self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- the clients -------------------------------------------------------------------------


@dataclass
class Tally:
    acked: dict[str, str] = field(default_factory=dict)  # comment -> receipt
    refused: dict[str, int] = field(default_factory=dict)  # comment -> status
    gave_up: list[str] = field(default_factory=list)  # comments never answered in time
    statuses: Counter[str] = field(default_factory=Counter)
    replays: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str) -> None:
        with self.lock:
            self.statuses[key] += 1


class Client(threading.Thread):
    def __init__(self, cid: int, port: int, stop: float, hard_stop: float, tally: Tally) -> None:
        super().__init__(daemon=True)
        self.cid, self.port, self.stop, self.hard_stop, self.tally = (
            cid,
            port,
            stop,
            hard_stop,
            tally,
        )
        self.origin = f"http://127.0.0.1:{port}"
        self.rng = random.Random(cid)

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], str] | None:
        """Send one request; return (status, headers, text) or None on a transport failure."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Origin": self.origin}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8")  # IncompleteRead: a partial response
            return response.status, dict(response.getheaders()), text
        except http.client.IncompleteRead:
            self.tally.count("partial_http_response")
            return None
        except (OSError, http.client.HTTPException) as exc:
            self.tally.count(f"transport_error {type(exc).__name__}")
            return None
        finally:
            conn.close()

    def backoff(self, headers: dict[str, str] | None = None) -> None:
        wait = 0.1
        if headers and "Retry-After" in headers:
            # Honour Retry-After, capped so that a bounded run keeps moving.
            wait = min(float(headers["Retry-After"]), 1.0)
        time.sleep(wait * (0.5 + self.rng.random()))

    def token(self) -> str | None:
        while time.monotonic() < self.stop:
            got = self.request("GET", f"/q/{SLUG}?agency={AGENCY}")
            if got is None:
                self.backoff()
                continue
            status, headers, text = got
            self.tally.count(f"GET {status}")
            match = TOKEN_RE.search(text) if status == 200 else None
            if match:
                return match.group(1) or match.group(2)
            self.backoff(headers)
        return None

    def post(self, token: str, comment: str) -> tuple[int, str | None]:
        body = urlencode([("_token", token), *ANSWERS, ("comment", comment)])
        while time.monotonic() < self.hard_stop:
            got = self.request("POST", f"/q/{SLUG}?agency={AGENCY}", body)
            if got is None:
                self.backoff()
                continue
            status, headers, _text = got
            self.tally.count(f"POST {status}")
            if status == 303:
                match = RECEIPT_RE.search(headers.get("Location", ""))
                return status, match.group(1) if match else None
            if status >= 500:
                self.backoff(headers)  # a 500 is counted above and fails the run
                continue
            return status, None
        return 0, None

    def run(self) -> None:
        seq = 0
        while time.monotonic() < self.stop:
            token = self.token()
            if token is None:
                return
            seq += 1
            comment = f"durability c{self.cid} n{seq}"
            status, receipt = self.post(token, comment)
            with self.tally.lock:
                if receipt:
                    self.tally.acked[comment] = receipt
                elif status == 0:
                    self.tally.gave_up.append(comment)
                else:
                    self.tally.refused[comment] = status
            if receipt and self.rng.random() < 0.1:
                # Resend an acknowledged form: the same receipt, nothing stored.
                again, second = self.post(token, comment)
                with self.tally.lock:
                    self.tally.replays["same" if second == receipt else f"different {again}"] += 1


# -- the run -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="surveyapp-durability."))
    pg: Postgres | None = None
    sqlite_path: Path | None = None
    server: Server | None = None
    try:
        if args.database == "sqlite":
            sqlite_path = work / "durability.sqlite"
            url = f"sqlite:///{sqlite_path}"
        else:
            pg = Postgres.start(args.pg_port)
            url = pg.url
        prepare(url, REPO / "tests/public/data/every-type.yaml", AGENCY)
        port = free_port()
        env = {
            **os.environ,
            "SURVEYAPP_DATABASE_URL": url,
            "SURVEYAPP_SECRET_KEY": SECRET,
            "SURVEYAPP_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SURVEYAPP_INSTANCE_PATH": str(work / "instance"),
            "SURVEYAPP_MIN_FILL_SECONDS": "0",
            "SURVEYAPP_RATELIMIT_SUBMIT": "1000000 per minute",
            "SURVEYAPP_RATELIMIT_VIEW": "1000000 per minute",
        }
        server = Server(port, env, args.workers, work / "gunicorn.log")
        server.start()
        tally = Tally()
        began = time.monotonic()
        stop = began + args.seconds
        clients = [Client(i, port, stop, stop + args.grace, tally) for i in range(args.clients)]
        for client in clients:
            client.start()
        events: list[str] = []
        schedule = [(0.2, "kill worker"), (0.35, "kill worker"), (0.5, "kill master")]
        if pg is not None:
            schedule.append((0.7, "restart postgres"))
        for fraction, what in schedule:
            time.sleep(max(0.0, began + fraction * args.seconds - time.monotonic()))
            at = time.monotonic() - began
            if what == "kill worker":
                events.append(f"{at:.1f}s kill -9 worker {server.kill_worker()}")
            elif what == "kill master":
                server.kill_master_and_restart()
                events.append(
                    f"{at:.1f}s kill -9 master, restarted in {time.monotonic() - began - at:.1f}s"
                )
            else:
                assert pg is not None
                pg.restart()
                events.append(
                    f"{at:.1f}s pg_ctl restart -m immediate, "
                    f"back in {time.monotonic() - began - at:.1f}s"
                )
        for client in clients:
            client.join(timeout=max(1.0, stop + args.grace + 35 - time.monotonic()))
        elapsed = time.monotonic() - began
        stuck = sum(c.is_alive() for c in clients)
        server.stop()
        log_text = (work / "gunicorn.log").read_text(errors="replace")
        stored = read_back(url, sqlite_path)
        return report(args, tally, stored, events, elapsed, stuck, log_text)
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            pg.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(
    args: argparse.Namespace,
    tally: Tally,
    stored: Stored,
    events: list[str],
    elapsed: float,
    stuck: int,
    log_text: str,
) -> int:
    missing = [c for c, r in tally.acked.items() if stored.receipt_count[r] != 1]
    mismatched = [c for c, r in tally.acked.items() if stored.comments.get(c) != [r]]
    duplicates = {c: r for c, r in stored.comments.items() if len(r) > 1}
    refused_but_stored = [c for c in tally.refused if c in stored.comments]
    stored_unacked = [c for c in stored.comments if c not in tally.acked]
    server_errors = sum(n for k, n in tally.statuses.items() if k.endswith(" 500"))
    result = {
        "database": args.database,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "events": events,
        "acknowledged": len(tally.acked),
        "stored": stored.total,
        "acknowledged_missing_or_not_once": len(missing),
        "acknowledged_with_other_answers": len(mismatched),
        "duplicates": len(duplicates),
        "partial_responses": stored.partial,
        "stored_without_ack_given_up": len(stored_unacked),
        "gave_up_at_deadline": len(tally.gave_up),
        "refused": Counter(tally.refused.values()),
        "refused_but_stored": len(refused_but_stored),
        "replays": dict(tally.replays),
        "statuses": dict(sorted(tally.statuses.items())),
        "http_500": server_errors,
        "tracebacks_in_server_log": log_text.count("Traceback"),
        "integrity_check": stored.integrity,
        "accepted": stored.accepted,
        "in_report_aggregates": stored.in_aggregates,
        "waiting_for_a_fold": stored.waiting,
        "clients_still_running": stuck,
    }
    print(json.dumps(result, indent=1, default=str))
    failed = [
        name
        for name, bad in [
            ("acknowledged receipt missing or stored more than once", missing),
            ("acknowledged receipt with other answers", mismatched),
            ("duplicate submissions", duplicates),
            ("partial responses", stored.partial),
            ("refused submissions stored", refused_but_stored),
            (
                "stored without an acknowledgement though the client retried",
                len(stored_unacked) > len(tally.gave_up),
            ),
            ("replay returned another receipt", set(tally.replays) - {"same"}),
            ("HTTP 500", server_errors),
            ("integrity_check", stored.integrity not in ("ok", "n/a (PostgreSQL)")),
            (
                "report aggregates plus waiting responses differ from the accepted responses",
                stored.accepted != stored.in_aggregates + stored.waiting,
            ),
            ("clients did not finish", stuck),
            ("no submission acknowledged", not tally.acked),
        ]
        if bad
    ]
    for name in failed:
        print(f"FAILED: {name}", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=float, default=60, help="submitting time (max 150)")
    parser.add_argument("--grace", type=float, default=20, help="time to finish in-flight forms")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (max 400)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pg-port", type=int, default=54341, help="the private server's port")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    if not 0 < args.seconds <= 150 or not 0 < args.clients <= 400 or args.grace > 60:
        parser.error("bounded run: --seconds <= 150, --clients <= 400, --grace <= 60")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
