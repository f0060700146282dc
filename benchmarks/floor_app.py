"""The floor of any form that stores synchronously: a minimal Flask GET-then-POST on SQLite.

``gunicorn 'benchmarks.floor_app:create_app("/path/floor.sqlite")'`` answers
``GET /floor`` with a tiny page holding a signed token (itsdangerous), and
``POST /floor`` checks that token and stores the raw form body as one row in a
SQLite (WAL) table, then answers 303, as the real form does. No questionnaire,
no validation of answers, no templates, no rate limits, no aggregates: what is
left is the framework plus one signed token and one durable insert per
submission. benchmarks/throughput.py drives it with the same wrk script as the
real form, so the gap between ``hello``, ``floor`` and ``sqlite`` shows how much
of the real path's cost is the app's own work and how much no design of a
synchronously stored submission can avoid.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading

from flask import Flask, abort, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

PAGE = (
    '<!doctype html><html lang="vi"><title>floor</title><form method="post">'
    '<input type="hidden" name="_token" value="{token}"><button>Gửi</button></form></html>'
)


def create_app(path: str) -> Flask:
    """The floor app storing into the SQLite file at ``path`` (created if missing)."""
    app = Flask(__name__)
    signer = URLSafeTimedSerializer("floor-benchmark-secret", salt="form")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        # One connection per worker process (opened after gunicorn forks).
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path, timeout=5, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS submissions ("
                "id INTEGER PRIMARY KEY, nonce TEXT UNIQUE NOT NULL, body TEXT NOT NULL)"
            )
            local.conn = conn
        return conn

    @app.get("/floor")
    def form() -> str:
        return PAGE.format(token=signer.dumps({"n": secrets.token_hex(8)}))

    @app.post("/floor")
    def submit() -> Response:
        try:
            token = signer.loads(request.form.get("_token", ""), max_age=3600)
        except BadSignature:
            abort(400)
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT INTO submissions (nonce, body) VALUES (?, ?)",
                (token["n"], request.get_data(as_text=True)),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return redirect(f"/floor/done/{cursor.lastrowid}", 303)

    return app
