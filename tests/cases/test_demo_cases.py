"""The demo closes the loop: a complaint answered and read by receipt, a published ranking."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import FeedbackCase, Response


def test_the_demo_has_an_answered_case_and_a_published_ranking(
    app: Flask, cli: Any, db: Database
) -> None:
    result = cli("demo", "--responses", "600", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "sipas 2017 published" in result.output
    again = cli("demo", "--responses", "600", "--seed", "3")
    assert "already there" in again.output
    with db.session() as session:
        receipt = session.scalar(
            select(Response.receipt_code)
            .join(FeedbackCase, FeedbackCase.response_id == Response.id)
            .where(FeedbackCase.answered_at.is_not(None))
        )
        assert session.scalar(select(FeedbackCase.id).where(FeedbackCase.answered_at.is_(None)))
    assert receipt is not None
    client = app.test_client()
    assert "17 giờ" in html.unescape(client.get(f"/r/{receipt}").text)
    app.config["PUBLIC_MIN_N"] = 10  # 600 responses over 44 agencies: about 14 each
    page = client.get("/results")
    assert page.status_code == 200
    assert page.text.count('<tr><td class="num">') >= 5
