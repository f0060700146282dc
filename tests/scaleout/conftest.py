"""The scale-out tests need PostgreSQL: under ``make test`` they run in its PostgreSQL pass.

``make test`` runs the suite twice, on SQLite and then on PostgreSQL. These tests
start their own servers and use only a PostgreSQL server (a fresh database on it),
whatever the pass, so running them in both passes would prove the same thing twice.
When make runs the SQLite pass and has a PostgreSQL server for the next one, they are
deselected here (not skipped: nothing may skip under CI) and run in that next pass.
Run directly (``pytest tests/scaleout``), they always run.
"""

from __future__ import annotations

import os

import pytest


def _left_to_the_postgres_pass() -> bool:
    return (
        "MAKELEVEL" in os.environ
        and not os.environ.get("SURVEYAPP_TEST_DATABASE_URL", "").startswith("postgresql")
        and os.environ.get("SURVEYAPP_TEST_POSTGRES_URL", "").startswith("postgresql")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _left_to_the_postgres_pass():
        return
    here = os.path.dirname(__file__)
    chosen = [i for i in items if not str(i.path).startswith(here)]
    left = [i for i in items if str(i.path).startswith(here)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = chosen
        print(f"\n{len(left)} scale-out tests deselected: they run in the PostgreSQL pass")
