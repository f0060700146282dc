"""The admin console's main flows over HTTP, and the triage service's effect on statistics."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import AuditEvent, ReportAggregate, Response
from surveyapp.reporting import aggregates, folding
from surveyapp.services import triage
from surveyapp.services.questionnaires import get_version
from tests.admin.conftest import OWN, Staff, StoreResponse, csrf, flashes, signed_in
from tests.auth.conftest import login

BAD_YAML = """format: 1
title: {vi: "Khảo sát", en: "Survey"}
sections:
  - key: s
    title: {vi: "Phần", en: "Part"}
    questions:
      - {key: q1, type: likert, scale: missing_scale, text: {vi: "Câu", en: "Q"}}
"""
GOOD_YAML = """format: 1
title: {vi: "Khảo sát thử", en: "Trial survey"}
sections:
  - key: s
    title: {vi: "Phần", en: "Part"}
    questions:
      - key: q1
        type: single_choice
        text: {vi: "Ông/Bà hài lòng không?", en: "Are you satisfied?"}
        options:
          - {key: yes_, label: {vi: "Có", en: "Yes"}}
          - {key: no_, label: {vi: "Không", en: "No"}}
"""


def _stored_n(db: Database, agency_id: int | None = None) -> int:
    with db.session() as session:
        query = select(func.coalesce(func.sum(ReportAggregate.n_responses), 0))
        if agency_id is not None:
            query = query.where(ReportAggregate.agency_id == agency_id)
        return int(session.scalar(query) or 0)


def _fresh_stats(db: Database) -> dict[object, object]:
    """The aggregates as stored, and as a rebuild from the raw rows computes them."""
    with db.session() as session:
        rows = session.execute(
            select(ReportAggregate.agency_id, ReportAggregate.month, ReportAggregate.stats)
        ).all()
    return {(a, m): s for a, m, s in rows if s}


def test_accepting_and_deleting_keep_the_aggregates_equal_to_a_rebuild(
    db: Database, store: StoreResponse
) -> None:
    store()
    held = store(status="quarantined", reason="too_fast", answers={"overall_satisfaction": "5"})
    assert _stored_n(db) == 0  # the accepted one waits for a fold; the held one never does
    with db.write() as session:
        assert folding.fold_all(session, "Asia/Ho_Chi_Minh") == 1
    assert _stored_n(db) == 1
    with db.write() as session:
        triage.accept(session, held, "Checked by phone", actor=None, timezone="Asia/Ho_Chi_Minh")
    assert _stored_n(db) == 2
    incremental = _fresh_stats(db)
    with db.write() as session:
        aggregates.rebuild(session, get_version(session, "sipas"), "Asia/Ho_Chi_Minh")
    assert _fresh_stats(db) == incremental
    with db.write() as session:
        triage.delete(
            session, held, "Duplicate of a paper form", actor=None, timezone="Asia/Ho_Chi_Minh"
        )
    assert _stored_n(db) == 1
    with db.session() as session:
        response = session.get(Response, held)
        assert response is not None and response.status == "deleted"
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["response.accept", "response.delete"]


def test_triage_page_accepts_a_held_response_with_a_reason(
    app: Flask, db: Database, staff: Staff, store: StoreResponse
) -> None:
    held = store(status="quarantined", reason="honeypot")
    client = signed_in(app, staff.admin)
    page = client.get("/admin/triage")
    assert "Honeypot" in page.text and f"held-{held}" in page.text
    token = csrf(client, "/admin/triage")
    refused = client.post(
        f"/admin/triage/{held}", data={f"r{held}-csrf_token": token, f"r{held}-action": "accept"}
    )
    assert refused.status_code == 303
    with db.session() as session:
        assert session.get(Response, held).status == "quarantined"  # type: ignore[union-attr]
    done = client.post(
        f"/admin/triage/{held}",
        data={
            f"r{held}-csrf_token": token,
            f"r{held}-action": "accept",
            f"r{held}-reason": "real person",
        },
    )
    assert done.status_code == 303
    assert "accepted" in flashes(client, "/admin/triage")
    with db.session() as session:
        assert session.get(Response, held).status == "accepted"  # type: ignore[union-attr]
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "response.accept")
        ).one()
    assert event.user_email == staff.admin and event.detail["reason"] == "real person"
    assert _stored_n(db) == 1


def test_upload_shows_problems_with_line_numbers_then_publishes_the_fixed_file(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/questionnaires")
    bad = client.post(
        "/admin/questionnaires/check",
        data={"csrf_token": token, "file": (io.BytesIO(BAD_YAML.encode()), "trial.yaml")},
    )
    assert bad.status_code == 422
    assert "line 7" in bad.text and "missing_scale" in bad.text
    good = client.post(
        "/admin/questionnaires/check",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD_YAML.encode()), "trial.yaml")},
    )
    assert good.status_code == 200 and 'id="valid"' in good.text
    form = {"csrf_token": token, "filename": "trial.yaml", "source": GOOD_YAML}
    preview = client.post("/admin/questionnaires/preview", data={**form, "lang": "en"})
    assert preview.status_code == 200 and "Are you satisfied?" in preview.text
    published = client.post("/admin/questionnaires/publish", data=form)
    assert published.status_code == 303
    with db.session() as session:
        assert get_version(session, "trial").version == 1
    vi = client.get("/admin/questionnaires/trial/v1/preview?lang=vi")
    assert "Ông/Bà hài lòng không?" in vi.text


def test_add_agency_with_an_origin_and_refuse_a_bad_origin(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/agencies")
    base = {"csrf_token": token, "code": "q3", "name_vi": "Quận 3", "name_en": "District 3"}
    bad = client.post(
        "/admin/agencies",
        data={**base, "kind": "district", "origins": "https://q3.gov.vn/path"},
    )
    assert bad.status_code == 422 and "without a path" in bad.text
    good = client.post(
        "/admin/agencies", data={**base, "kind": "district", "origins": "HTTPS://Q3.gov.vn:443"}
    )
    assert good.status_code == 303
    listing = flashes(client, "/admin/agencies")
    assert "https://q3.gov.vn" in listing and "Q3" in listing


def test_create_disable_and_reset_a_user(app: Flask, db: Database, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/users")
    made = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "New@hcmc.gov.vn",
            "role": "agency",
            "agency": OWN,
            "password": "a long enough password",
        },
    )
    assert made.status_code == 303
    new_client = signed_in(app, None)
    assert login(new_client, "new@hcmc.gov.vn", "a long enough password").status_code == 303
    from surveyapp.models import User

    with db.session() as session:
        user = session.scalars(select(User).where(User.email == "new@hcmc.gov.vn")).one()
    reset = client.post(
        f"/admin/users/{user.id}/password",
        data={"csrf_token": token, "password": "another long password"},
    )
    assert reset.status_code == 303
    disabled = client.post(
        f"/admin/users/{user.id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert disabled.status_code == 303
    with db.session() as session:
        again = session.get(User, user.id)
        assert again is not None and not again.active and again.session_version == 3
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"user.add", "user.set_password", "user.disable"} <= actions


def test_webmaster_diagnosis_and_poster(app: Flask, db: Database, staff: Staff, sipas: str) -> None:
    client = signed_in(app, staff.own)
    url = f"/admin/agencies/{OWN}/webmaster/sipas"
    page = client.get(url)
    assert "embed.js" in page.text and "agency=Q1" in page.text
    token = csrf(client, url)
    answer = client.post(url, data={"csrf_token": token, "page_url": "https://www.q1.gov.vn/ks"})
    assert "lists no origin" in answer.text
    pdf = client.get(f"/admin/agencies/{OWN}/poster/sipas.pdf?counter=1")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    png = client.get(f"/admin/agencies/{OWN}/poster/sipas.png")
    assert png.data.startswith(b"\x89PNG")


def test_dossier_codes_are_generated_counted_and_uploaded(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    client = signed_in(app, staff.own)
    url = f"/admin/agencies/{OWN}/dossiers"
    token = csrf(client, url)
    generated = client.post(f"{url}/generate", data={"csrf_token": token, "count": "5"})
    assert generated.status_code == 200
    codes = generated.text.split()
    assert codes[0] == "code" and len(set(codes[1:])) == 5
    upload = client.post(
        f"{url}/upload",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(b"code\nAB-1\n" + codes[1].encode()), "c.csv"),
        },
    )
    assert upload.status_code == 303
    assert "Loaded: <strong>6</strong>" in flashes(client, url)
