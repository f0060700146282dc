"""The framework's ceiling: a minimal Flask app served with the same gunicorn settings.

``gunicorn benchmarks.hello_app:app`` answers ``GET /hello`` with a short text,
no database, no templates. benchmarks/throughput.py measures it side by side
with the real form submission path.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    """Answer a constant text."""
    return "hello"
