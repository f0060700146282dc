"""A questionnaire closed in the admin console takes no answers (form and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Agency, Response
from surveyapp.services.availability import set_availability
from surveyapp.services.questionnaires import get_version
from tests.public.conftest import AGENCY, SLUG, open_form, post_form


def close(db: Database, *, for_agency: bool, until: dt.datetime | None = None,
          opens_at: dt.datetime | None = None, open_: bool = False) -> None:  # fmt: skip
    with db.write() as session:
        version = get_version(session, SLUG)
        agency_id = (
            session.scalar(select(Agency.id).where(Agency.code == AGENCY)) if for_agency else None
        )
        set_availability(
            session, version.questionnaire_id, agency_id, open_=open_,
            opens_at=opens_at, closes_at=until, actor=None, target=SLUG,
        )  # fmt: skip


def stored(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Response.id))) or 0


def test_closed_for_all_refuses_form_and_submission(
    app: Flask, client: Any, survey: dict[str, str], db: Database
) -> None:
    app.config["MIN_FILL_SECONDS"] = 0
    token = open_form(client)
    close(db, for_agency=False)
    assert client.get(f"/q/{SLUG}?agency={AGENCY}").status_code == 410
    assert post_form(client, token).status_code == 410
    assert stored(db) == 0


def test_agency_setting_overrides_and_periods_apply(
    app: Flask, client: Any, survey: dict[str, str], db: Database
) -> None:
    app.config["MIN_FILL_SECONDS"] = 0
    now = dt.datetime.now(dt.UTC)
    close(db, for_agency=False)
    close(db, for_agency=True, open_=True, opens_at=now - dt.timedelta(hours=1),
          until=now + dt.timedelta(hours=1))  # fmt: skip
    assert post_form(client, open_form(client)).status_code == 303
    close(db, for_agency=True, open_=True, opens_at=now + dt.timedelta(days=1))
    assert client.get(f"/q/{SLUG}?agency={AGENCY}").status_code == 410
    assert stored(db) == 1


def test_inactive_agency_form_is_gone_not_an_error(
    client: Any, survey: dict[str, str], db: Database
) -> None:
    with db.write() as session:
        agency = session.scalar(select(Agency).where(Agency.code == AGENCY))
        assert agency is not None
        agency.active = False
    page = client.get(f"/q/{SLUG}?agency={AGENCY}")
    assert page.status_code == 410
    assert "không còn tham gia khảo sát" in page.text
