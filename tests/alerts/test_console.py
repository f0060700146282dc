"""The console's alert pages: an agency's staff see and change only their own."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, AlertDelivery, AlertEvent, AlertRecipient, AlertSettings
from tests.admin.conftest import OTHER, OWN, Staff, csrf, flashes, signed_in


def test_agency_staff_reach_their_own_alerts_page_only(app: Flask, staff: Staff) -> None:
    own = signed_in(app, staff.own)
    assert own.get(f"/admin/agencies/{OWN}/alerts").status_code == 200
    assert own.get(f"/admin/agencies/{OTHER}/alerts").status_code == 404
    assert own.get("/admin/agencies/NOPE/alerts").status_code == 404
    token = csrf(own, f"/admin/agencies/{OWN}/alerts")
    refused = own.post(
        f"/admin/agencies/{OTHER}/alerts/watch-list",
        data={"csrf_token": token, "watch_list": "x"},
    )
    assert refused.status_code == 404
    anonymous = app.test_client().get(f"/admin/agencies/{OWN}/alerts")
    assert anonymous.status_code in (302, 303)
    admin = signed_in(app, staff.admin)
    assert admin.get(f"/admin/agencies/{OTHER}/alerts").status_code == 200


def test_watch_list_and_recipients_are_saved(app: Flask, db: Database, staff: Staff) -> None:
    own = signed_in(app, staff.own)
    page = f"/admin/agencies/{OWN}/alerts"
    saved = own.post(
        f"{page}/watch-list",
        data={"csrf_token": csrf(own, page), "watch_list": "Bồi dưỡng\n<b>tiền</b>\n\n"},
    )
    assert saved.status_code == 303
    text = flashes(own, page)
    assert "Watch list saved: 2 terms." in text
    body = own.get(page).get_data(as_text=True)
    assert "&lt;b&gt;tiền&lt;/b&gt;" in body and "<b>tiền</b>" not in body
    added = own.post(
        f"{page}/recipients",
        data={
            "csrf_token": csrf(own, page),
            "role": "head",
            "email": "Head@Q1.example.vn",
            "language": "en",
            "wants_immediate": "y",
        },
    )
    assert added.status_code == 303
    hook = own.post(
        f"{page}/recipients",
        data={
            "csrf_token": csrf(own, page),
            "role": "other",
            "webhook_url": "https://n8n.example.vn/hook",
            "language": "vi",
        },
    )
    assert hook.status_code == 303
    shown = flashes(own, page)
    secret = re.search(r"(?:chỉ hiện lần này|shown only now): ([A-Za-z0-9_-]{40,})", shown)
    assert secret is not None
    with db.session() as session:
        rows = session.scalars(select(AlertRecipient).order_by(AlertRecipient.id)).all()
        assert [(r.email, r.language, r.wants_signals) for r in rows] == [
            ("head@q1.example.vn", "en", False),
            (None, "vi", False),
        ]
        assert rows[1].webhook_secret == secret.group(1)
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        assert session.get(AlertSettings, q1).watch_list == "<b>tiền</b>\nbồi dưỡng"
    # Another agency's user cannot remove it.
    other = signed_in(app, staff.other)
    their = f"/admin/agencies/{OTHER}/alerts"
    refused = other.post(
        f"/admin/agencies/{OWN}/alerts/recipients/{rows[0].id}/remove",
        data={"csrf_token": csrf(other, their)},
    )
    assert refused.status_code == 404
    moved = other.post(
        f"/admin/agencies/{OTHER}/alerts/recipients/{rows[0].id}/remove",
        data={"csrf_token": csrf(other, their)},
    )
    assert moved.status_code == 404
    removed = own.post(
        f"{page}/recipients/{rows[0].id}/remove", data={"csrf_token": csrf(own, page)}
    )
    assert removed.status_code == 303
    assert "head@q1.example.vn" not in own.get(page).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "head", "language": "vi"}, "Give exactly one of"),
        (
            {"role": "head", "language": "vi", "email": "a@b.vn", "webhook_url": "https://x.vn"},
            "Give exactly one of",
        ),
        ({"role": "head", "language": "vi", "email": "not-an-address"}, "Not an e-mail address"),
        ({"role": "head", "language": "vi", "webhook_url": "ftp://x.vn"}, "https://"),
    ],
)
def test_a_bad_recipient_is_refused_and_nothing_stored(
    app: Flask, db: Database, staff: Staff, data: dict[str, str], message: str
) -> None:
    own = signed_in(app, staff.own)
    page = f"/admin/agencies/{OWN}/alerts"
    refused = own.post(f"{page}/recipients", data={"csrf_token": csrf(own, page), **data})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    with db.session() as session:
        assert session.scalars(select(AlertRecipient)).all() == []


def test_the_delivery_log_shows_the_agency_s_own_deliveries_only(
    app: Flask, db: Database, staff: Staff
) -> None:
    with db.write() as session:
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        for code in (OWN, OTHER):
            recipient = AlertRecipient(
                agency_id=ids[code], role="head", email=f"head@{code.lower()}.example.vn"
            )
            event = AlertEvent(
                agency_id=ids[code], kind="serious", key=f"serious:{code}", payload={}
            )
            session.add_all([recipient, event])
            session.flush()
            session.add(
                AlertDelivery(
                    event_id=event.id,
                    recipient_id=recipient.id,
                    agency_id=ids[code],
                    channel="email",
                    status="failed",
                    attempts=3,
                    last_error="SMTP <refused>",
                )
            )
    body = signed_in(app, staff.own).get(f"/admin/agencies/{OWN}/alerts").get_data(as_text=True)
    assert "serious:Q1" in body and "serious:SNV" not in body
    assert "SMTP &lt;refused&gt;" in body
