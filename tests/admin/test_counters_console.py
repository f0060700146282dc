"""The console's counters and kiosks: list, add, rename, deactivate; enrol (the secret
shown once), revoke (the kiosk's queue refused from then on); counter posters."""

from __future__ import annotations

import html
import io
import re

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from surveyapp.config import REPO_DIR
from surveyapp.db import Database
from surveyapp.models import AuditEvent, Kiosk
from surveyapp.models.counters import Counter
from surveyapp.services import counters, kiosks
from surveyapp.services.questionnaires import load_files
from tests.admin.conftest import OWN, Staff, csrf, flashes, signed_in
from tests.kiosk.conftest import APP_ORIGIN, page_token, post_rating, rating_body

COUNTERS = f"/admin/agencies/{OWN}/counters"
SECRET_RE = re.compile(r"kio_[A-Za-z0-9_-]{43}")


@pytest.fixture
def site(db: Database, staff: Staff) -> Staff:
    """The counter questionnaire and Q1's counter 3."""
    with db.write() as session:
        load_files(session, [REPO_DIR / "questionnaires" / "counter.yaml"])
        counters.add_counter(session, OWN, "3", "Quầy số 3", "Counter 3")
    return staff


@pytest.fixture
def admin(app: Flask, site: Staff) -> FlaskClient:
    return signed_in(app, site.admin)


def _counter(db: Database, code: str) -> Counter | None:
    with db.session() as session:
        return session.scalar(select(Counter).where(Counter.code == code))


def _actions(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _enrol(client: FlaskClient, label: str = "Máy tính bảng quầy 3") -> str:
    token = csrf(client, COUNTERS)
    answer = client.post(
        f"/admin/agencies/{OWN}/kiosks",
        data={"csrf_token": token, "counter": "3", "label": label},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)[:500]
    assert answer.headers["Cache-Control"] == "no-store"  # the secret is never kept
    return html.unescape(answer.get_data(as_text=True))


def test_the_counters_page_lists_counters_with_their_posters(
    admin: FlaskClient, db: Database
) -> None:
    text = flashes(admin, COUNTERS)
    assert 'id="counter-3"' in text and "Quầy số 3" in text and "Counter 3" in text
    assert f"/admin/agencies/{OWN}/counters/3/poster.pdf?size=a5" in text
    assert f"/admin/agencies/{OWN}/counters/3/poster.png" in text
    assert COUNTERS in flashes(admin, "/admin/")  # linked from the console's home


def test_add_a_counter_then_refuse_a_duplicate(admin: FlaskClient, db: Database) -> None:
    data = {"code": "a2", "name_vi": "Quầy A2", "name_en": "Counter A2"}
    answer = admin.post(COUNTERS, data={**data, "csrf_token": csrf(admin, COUNTERS)})
    assert answer.status_code == 303
    assert "Added counter A2" in flashes(admin, COUNTERS)
    added = _counter(db, "A2")
    assert added is not None and added.name_vi == "Quầy A2" and added.active
    again = admin.post(COUNTERS, data={**data, "csrf_token": csrf(admin, COUNTERS)})
    assert again.status_code == 422
    assert "already has a counter A2" in html.unescape(again.get_data(as_text=True))
    bad = admin.post(COUNTERS, data={**data, "code": "quầy 9", "csrf_token": csrf(admin, COUNTERS)})
    assert bad.status_code == 422
    assert "counter.add" in _actions(db)
    assert admin.post(COUNTERS, data=data).status_code == 400  # no CSRF token


def test_rename_a_counter_keeps_its_code(admin: FlaskClient, db: Database) -> None:
    path = f"{COUNTERS}/3"
    assert "Quầy số 3" in flashes(admin, path)
    answer = admin.post(
        path,
        data={"csrf_token": csrf(admin, path), "name_vi": "Quầy 3 (đất đai)", "name_en": "Land"},
    )
    assert answer.status_code == 303
    renamed = _counter(db, "3")
    assert renamed is not None and (renamed.name_vi, renamed.name_en) == (
        "Quầy 3 (đất đai)",
        "Land",
    )
    empty = admin.post(path, data={"csrf_token": csrf(admin, path), "name_vi": " ", "name_en": "x"})
    assert empty.status_code == 422
    assert admin.get(f"{COUNTERS}/9").status_code == 404
    assert "counter.edit" in _actions(db)


def test_deactivate_and_reactivate_a_counter(admin: FlaskClient, db: Database) -> None:
    path = f"{COUNTERS}/3/active"
    answer = admin.post(path, data={"csrf_token": csrf(admin, COUNTERS), "active": "0"})
    assert answer.status_code == 303
    assert "Counter 3 deactivated" in flashes(admin, COUNTERS)
    counter = _counter(db, "3")
    assert counter is not None and not counter.active
    assert admin.get("/k/counter?agency=Q1&counter=3").status_code == 410
    admin.post(path, data={"csrf_token": csrf(admin, COUNTERS), "active": "1"})
    counter = _counter(db, "3")
    assert counter is not None and counter.active
    assert _actions(db)[-2:] == ["counter.deactivate", "counter.activate"]
    assert admin.post(path, data={"active": "0"}).status_code == 400


def test_enrolment_shows_the_secret_once_and_stores_only_its_hash(
    admin: FlaskClient, db: Database
) -> None:
    text = _enrol(admin)
    (secret,) = set(SECRET_RE.findall(text))
    assert f"http://localhost/k/enrol#{secret}" in text
    assert 'id="enrol-qr" src="data:image/png;base64,' in text
    with db.session() as session:
        (kiosk,) = session.scalars(select(Kiosk))
        assert kiosk.secret_hash == kiosks.hash_secret(secret)
        assert secret not in repr(
            [getattr(kiosk, c.key) for c in Kiosk.__table__.columns]  # type: ignore[attr-defined]
        )
        assert kiosk.label == "Máy tính bảng quầy 3"
        assert kiosk.created_by is not None
    for path in (COUNTERS, "/admin/kiosks", f"/admin/kiosks?agency={OWN}", "/admin/audit"):
        listed = flashes(admin, path)
        assert "kiosk" in listed, path
        assert secret not in listed and not SECRET_RE.search(listed), path
    assert "Máy tính bảng quầy 3" in flashes(admin, "/admin/kiosks")
    assert "never" in flashes(admin, "/admin/kiosks")  # no contact yet
    assert "kiosk.enrol" in _actions(db)


def test_enrolment_needs_an_active_counter_and_a_name(admin: FlaskClient, db: Database) -> None:
    token = csrf(admin, COUNTERS)
    answer = admin.post(
        f"/admin/agencies/{OWN}/kiosks", data={"csrf_token": token, "counter": "3", "label": ""}
    )
    assert answer.status_code == 422
    answer = admin.post(
        f"/admin/agencies/{OWN}/kiosks", data={"csrf_token": token, "counter": "9", "label": "x"}
    )
    assert answer.status_code == 422
    assert admin.post(f"/admin/agencies/{OWN}/kiosks", data={"counter": "3"}).status_code == 400
    with db.session() as session:
        assert session.scalars(select(Kiosk)).all() == []


def test_a_revoked_kiosk_s_queued_rating_is_refused(
    app: Flask, admin: FlaskClient, db: Database
) -> None:
    (secret,) = set(SECRET_RE.findall(_enrol(admin)))
    device = app.test_client()
    opened = device.post("/k/enrol", json={"secret": secret}, headers={"Origin": APP_ORIGIN})
    assert opened.status_code == 200
    queued = rating_body(page_token(device))  # given now, sent later
    listed = flashes(admin, "/admin/kiosks")
    assert "never" not in listed  # the device's contact is shown
    with db.session() as session:
        kiosk_id = session.scalars(select(Kiosk.id)).one()
    confirm = flashes(admin, f"/admin/kiosks/{kiosk_id}/revoke")
    assert "cannot be undone" in confirm
    with db.session() as session:
        assert session.get(Kiosk, kiosk_id).revoked_at is None  # type: ignore[union-attr]
    revoke = f"/admin/kiosks/{kiosk_id}/revoke"
    assert admin.post(revoke).status_code == 400  # no CSRF token: nothing revoked
    answer = admin.post(revoke, data={"csrf_token": csrf(admin, revoke)})
    assert answer.status_code == 303
    assert "revoked" in flashes(admin, "/admin/kiosks")
    refused = post_rating(device, queued, query="agency=Q1&counter=3&lang=en")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "kiosk_revoked"
    assert "kiosk.revoke" in _actions(db)
    assert admin.get("/admin/kiosks/999/revoke").status_code == 404


def test_counter_posters_carry_the_counter_and_its_kiosk_link(
    app: Flask, admin: FlaskClient, db: Database
) -> None:
    url = "http://localhost/k/counter?agency=Q1&counter=3"
    for size, width in (("a4", 595), ("a5", 419)):
        answer = admin.get(f"{COUNTERS}/3/poster.pdf?size={size}")
        assert answer.status_code == 200
        assert answer.mimetype == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(answer.data))
        assert int(float(reader.pages[0].mediabox.width)) == width
        text = reader.pages[0].extract_text()
        assert "Quầy số 3" in text and "Ủy ban nhân dân Quận 1" in text
        assert "Quét mã để đánh giá sự hài lòng" in text
        assert url in text
    png = admin.get(f"{COUNTERS}/3/poster.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size == (1240, 1754)
    assert admin.get(f"{COUNTERS}/3/poster.pdf?size=a3").status_code == 404
    assert admin.get(f"{COUNTERS}/9/poster.pdf").status_code == 404
    # The poster's link opens the counter's page as an ordinary form on one's own phone.
    phone = app.test_client().get("/k/counter?agency=Q1&counter=3")
    assert phone.status_code == 200


def test_only_admins_manage_counters_and_kiosks(app: Flask, site: Staff, db: Database) -> None:
    with db.write() as session:
        kiosk, _secret = kiosks.enrol(session, OWN, "3", "Máy 1", actor=None)
        kiosk_id = kiosk.id
    for who in (site.own, site.other, site.inspector):
        client = signed_in(app, who)
        for method, path in (
            ("GET", COUNTERS),
            ("POST", COUNTERS),
            ("GET", f"{COUNTERS}/3"),
            ("POST", f"{COUNTERS}/3/active"),
            ("POST", f"/admin/agencies/{OWN}/kiosks"),
            ("GET", "/admin/kiosks"),
            ("GET", f"/admin/kiosks/{kiosk_id}/revoke"),
            ("POST", f"/admin/kiosks/{kiosk_id}/revoke"),
        ):
            assert client.open(path, method=method).status_code == 404, (who, method, path)
    # An agency's own users print its counter posters, as they print its QR poster.
    assert signed_in(app, site.own).get(f"{COUNTERS}/3/poster.pdf").status_code == 200
    assert signed_in(app, site.other).get(f"{COUNTERS}/3/poster.pdf").status_code == 404
    anonymous = app.test_client().get(COUNTERS)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"]
    with db.session() as session:
        assert session.get(Kiosk, kiosk_id).revoked_at is None  # type: ignore[union-attr]
