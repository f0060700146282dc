"""An inspector loads the registers, sees who is behind quota, and downloads the city
report with its weighted index, effective n and method profile printed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from surveyapp.db import Database
from surveyapp.services import registers
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import pdf_text, signed_in
from tests.dashboard.test_comment_topics import _no_personal, with_personal  # noqa: F401 (fixture)

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-12-31"


def _get(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return response.get_data()


@pytest.fixture
def inspector(client: FlaskClient, reports: Staff, db: Database) -> FlaskClient:
    # AAA has 70 respondents in 2017, BBB 35, CCC 1, Q1 40: Slovin quotas at e = 5% are
    # AAA 1000 / 3.5 -> 286, BBB 40 / 1.1 -> 37, Q1 50 / 1.125 -> 45 (so AAA and Q1 behind).
    with db.write() as session:
        registers.import_registers(
            session, "agency,period,dossiers\nAAA,2017,1000\nBBB,2017,40\nQ1,2017,50\n"
        )
    return signed_in(client, reports.inspector)


def test_quota_page_flags_the_agencies_behind(inspector: FlaskClient) -> None:
    page = _get(inspector, "/dashboard/quotas?period=2017").decode()
    rows = {m[0]: m[1] for m in re.findall(r"<code>(\w+)</code>(.*?)</tr>", page, re.S)}
    assert set(rows) == {"AAA", "BBB", "Q1"}
    assert "286" in rows["AAA"] and "Chậm so với chỉ tiêu" in rows["AAA"]
    assert "Chậm so với chỉ tiêu" in rows["Q1"]
    assert "Đã đạt chỉ tiêu" in rows["BBB"]
    bad = inspector.get("/dashboard/quotas?period=2017&margin=abc")
    assert bad.status_code == 400 and "margin" in bad.get_data(as_text=True)


def test_agency_user_sees_only_its_agency_and_cannot_enter(
    client: FlaskClient, reports: Staff, db: Database
) -> None:
    with db.write() as session:
        registers.import_registers(session, "agency,period,dossiers\nAAA,2017,10\nQ1,2017,50\n")
    own = signed_in(client, reports.own)
    page = _get(own, "/dashboard/quotas?period=2017").decode()
    assert f"<code>{OWN}</code>" in page and "<code>AAA</code>" not in page
    assert own.post("/dashboard/quotas", data={"agency": "AAA"}).status_code in (403, 404)


def test_console_entry_checks_and_stores(inspector: FlaskClient, db: Database) -> None:
    page = _get(inspector, "/dashboard/quotas?period=2017").decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"agency": "CCC", "period": "2017", "dossiers": "lots"}
    if token:
        data["csrf_token"] = token.group(1)
    bad = inspector.post("/dashboard/quotas", data=data)
    assert bad.status_code == 400 and "dossiers" in bad.get_data(as_text=True)
    data["dossiers"] = "500"
    ok = inspector.post("/dashboard/quotas", data=data)
    assert ok.status_code in (302, 303)
    with db.session() as session:
        assert registers.volumes(session, "2017").by_agency["CCC"] == 500


def test_city_report_prints_weighted_index_effective_n_and_profile(
    inspector: FlaskClient,
) -> None:
    report = json.loads(_get(inspector, f"/reports/city.json{QUERY}"))
    assert report["method"]["name"] == "sipas-2017" and report["method"]["version"] == 1
    weighted = report["register_weighted"]
    assert weighted["method"] == "poststratification" and weighted["period"] == "2017"
    assert weighted["agencies_without_registers"] == ["CCC"]
    text = pdf_text(_get(inspector, f"/reports/city.pdf{QUERY}"))
    assert "sipas-2017/1" in text
    assert "Cỡ mẫu hiệu dụng (Kish)" in text
    english = pdf_text(_get(inspector, f"/reports/city.pdf{QUERY}&lang=en"))
    assert "Effective n (Kish)" in english and "Cỡ mẫu hiệu dụng" not in english
    # The Vietnamese PDF writes the decimal comma.
    index, n_effective = f"{weighted['index']:.1f}", f"{weighted['n_effective']:.1f}"
    assert index.replace(".", ",") in text and n_effective.replace(".", ",") in text
    book = load_workbook(io.BytesIO(_get(inspector, f"/reports/city.xlsx{QUERY}")))
    fields = {row[0]: row[1] for row in book["method"].iter_rows(values_only=True)}
    assert fields["method_name"] == "sipas-2017"
    assert fields["weighted_index"] == pytest.approx(weighted["index"])
    assert fields["n_effective"] == pytest.approx(weighted["n_effective"])
    page = _get(inspector, f"/dashboard/city{QUERY}").decode()
    assert "sipas-2017/1" in page and f"{weighted['n_effective']:.1f}".replace(".", ",") in page


@pytest.mark.usefixtures("with_personal")  # Q1 comments with personal data
def test_done_when_registers_to_quotas_to_city_report(
    cli: Any, client: FlaskClient, reports: Staff, tmp_path: Path
) -> None:
    """The whole chain of issue 17: registers by CLI -> quotas -> the city report PDF."""
    registers_csv = tmp_path / "registers-2017.csv"
    registers_csv.write_text(
        "agency,period,dossiers\nAAA,2017,1000\nBBB,2017,40\nQ1,2017,50\n", encoding="utf-8"
    )
    result = cli("registers", "import", str(registers_csv))
    assert result.exit_code == 0, result.output
    inspector = signed_in(client, reports.inspector)
    page = _get(inspector, "/dashboard/quotas?period=2017").decode()
    rows = {m[0]: m[1] for m in re.findall(r"<code>(\w+)</code>(.*?)</tr>", page, re.S)}
    behind = {code for code, row in rows.items() if "Chậm so với chỉ tiêu" in row}
    assert behind == {"AAA", "Q1"}  # quotas 286 and 45 (see ``inspector`` above)
    report = json.loads(_get(inspector, f"/reports/city.json{QUERY}"))
    weighted = report["register_weighted"]
    text = pdf_text(_get(inspector, f"/reports/city.pdf{QUERY}"))
    assert f"{weighted['index']:.1f}".replace(".", ",") in text  # weighted index
    assert "Cỡ mẫu hiệu dụng (Kish)" in text  # effective n, and its value:
    assert f"{weighted['n_effective']:.1f}".replace(".", ",") in text
    assert "sipas-2017/1" in text  # method profile
    assert "Chủ đề của ý kiến" in text and "Nhũng nhiễu, gây phiền hà" in text  # topics
    _no_personal(text)  # no phone number (nor ID, e-mail or dossier number)
    assert "0903" not in text.replace(".", "").replace(" ", "")
