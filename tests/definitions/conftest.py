from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.definitions import check_file


@pytest.fixture
def check(tmp_path: Path) -> Callable[..., list[str]]:
    """Write text to tmp_path/<name> and return its problems as "name:line:col: msg"."""

    def run(text: str | bytes, name: str = "q.yaml") -> list[str]:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return [str(p).removeprefix(f"{tmp_path}/") for p in check_file(path)]

    return run
