"""Stopping the servers that tests start as subprocesses."""

from __future__ import annotations

import subprocess
from typing import Any


def stop_server(process: subprocess.Popen[Any], seconds: float = 20) -> None:
    """Ask ``process`` to stop (SIGTERM, a graceful gunicorn shutdown); kill it after
    ``seconds``. Its pipes are drained so that none is left open."""
    process.terminate()
    try:
        process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
