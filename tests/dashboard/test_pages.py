"""Dashboard pages: the same figures as the JSON, charts inline, filters and links."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import signed_in

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"


def test_agency_page(client: FlaskClient, reports: Staff) -> None:
    signed_in(client, reports.own)
    report = json.loads(client.get(f"/reports/agency/{OWN}.json{QUERY}").data)
    response = client.get(f"/dashboard/agency/{OWN}{QUERY}&by=respondent_type")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Ủy ban nhân dân Quận 1" in page
    assert f"{report['index']['value']:.1f}".replace(".", ",") in page  # vi: decimal comma
    assert page.count('src="data:image/svg+xml;base64,') == len(report["dimensions"]) + 2
    assert "<script" not in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing external
    assert f"/reports/agency/{OWN}.pdf?" in page and "comments=0" in page
    assert 'value="2017-01-01"' in page
    assert "Phân tích theo" in page  # the breakdown table
    # Respondents' text is escaped and isolated: bidi controls in it cannot reorder the page.
    assert "<bdi>&lt;script&gt;alert(" in page


def test_city_page_and_index(client: FlaskClient, reports: Staff) -> None:
    signed_in(client, reports.inspector)
    city = json.loads(client.get(f"/reports/city.json{QUERY}").data)
    page = client.get(f"/dashboard/city{QUERY}").get_data(as_text=True)
    for row in city["agencies"]:
        if row["index"] is not None:
            assert f"{row['index']:.1f}".replace(".", ",") in page
    index = client.get(f"/dashboard{QUERY}").get_data(as_text=True)
    assert "/reports/city.pdf?" in index
    q1 = next(r for r in city["agencies"] if r["code"] == OWN)
    assert f"{q1['index']:.1f}".replace(".", ",") in index
