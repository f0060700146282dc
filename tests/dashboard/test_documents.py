"""The document service: city context cache never stale, raw rows streamed in batches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from surveyapp.dashboard import documents
from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import HIDDEN, Q1_RESPONSES, SIPAS

TZ = "Asia/Ho_Chi_Minh"


def test_city_context_follows_new_responses(reports: Staff, db: Database) -> None:
    with db.session() as session:
        before = documents.city_context(session, "sipas", 1, None, None, TZ)
        again = documents.city_context(session, "sipas", 1, None, None, TZ)
    assert again is before  # cached
    with db.write() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        answers = check_answers(SIPAS, {"overall_satisfaction": "5"}, require=False).answers
        when = dt.datetime(2017, 2, 2, 2, tzinfo=dt.UTC)
        store_responses(session, [NewResponse(version.id, q1, "web", answers, when)])
    with db.session() as session:
        after = documents.city_context(session, "sipas", 1, None, None, TZ)
    assert after.n_responses == before.n_responses + 1


def test_raw_rows_in_small_batches(reports: Staff, db: Database) -> None:
    with db.session() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        rows = list(documents.raw_rows(session, version, [q1], None, None, TZ, batch=7))
    assert len(rows) == Q1_RESPONSES
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert all(r.agency == OWN for r in rows)
    texts = {r.answers.get("comment", (None, None, False))[1] for r in rows}
    assert not texts & set(HIDDEN)


def test_cli_html_is_self_contained(cli: Any, reports: Staff, tmp_path: Path) -> None:
    out = tmp_path / "q1.html"
    result = cli(
        "report", "--agency", OWN, "--questionnaire", "sipas", "--format", "html", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<style>" in page and 'rel="stylesheet"' not in page
    assert "Ủy ban nhân dân Quận 1" in page
    assert "data:image/svg+xml;base64," in page
