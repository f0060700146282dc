"""Without a chosen questionnaire, staff pages, downloads, the API and the CLI pick the
same default (``services.report_choice``) and never answer 400 for the missing choice."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, Questionnaire
from surveyapp.services.report_choice import default_questionnaire
from tests.auth.conftest import Staff, login
from tests.reporting.conftest import Loaded

#: a11-cx answers for AAA in March 2018, when AAA has no sipas response and the city 11.
A11_MARCH_2018 = 20


@pytest.fixture
def both(loaded: Loaded, cli: Any, tmp_path: Path) -> Loaded:
    """The reporting data set (sipas) plus 20 a11-cx responses of AAA in March 2018."""
    csv = tmp_path / "a11.csv"
    lines = ["agency,submitted_at,satisfied"]
    lines += [f"AAA,2018-03-{1 + i:02d}T10:00:00,4" for i in range(A11_MARCH_2018)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("responses", "import", str(csv), "--questionnaire", "a11-cx")
    assert result.exit_code == 0, result.output
    return loaded


@pytest.mark.parametrize(
    ("agency", "first", "last", "expected", "responses"),
    [
        ("AAA", None, None, "sipas", None),  # most answered overall
        ("AAA", dt.date(2018, 3, 1), dt.date(2018, 3, 31), "a11-cx", A11_MARCH_2018),
        ("AAA", dt.date(2017, 1, 1), dt.date(2017, 12, 31), "sipas", None),
        ("AAA", dt.date(2019, 1, 1), dt.date(2019, 6, 30), "sipas", 0),  # none then: most ever
        (None, dt.date(2018, 3, 1), dt.date(2018, 3, 31), "a11-cx", A11_MARCH_2018),
        (None, dt.date(2017, 1, 1), dt.date(2017, 12, 31), "sipas", None),
        ("EEE", dt.date(2018, 3, 1), dt.date(2018, 3, 31), "sipas", None),
    ],
)
def test_default_is_the_questionnaire_with_most_responses_in_the_period(
    both: Loaded,
    db: Database,
    agency: str | None,
    first: dt.date | None,
    last: dt.date | None,
    expected: str,
    responses: int | None,
) -> None:
    if responses is None:  # sipas: count what the data set wrote
        frame = both.frame
        rows = frame if agency is None else frame[frame["agency"] == agency]
        days = rows["local"].dt.date
        if first is not None and last is not None:
            rows = rows[(days >= first) & (days <= last)]
        responses = len(rows)
    with db.session() as session:
        agency_id = None
        if agency is not None:
            agency_id = session.scalar(select(Agency.id).where(Agency.code == agency))
        chosen = default_questionnaire(
            session, agency_id=agency_id, first=first, last=last, timezone="Asia/Ho_Chi_Minh"
        )
    assert chosen is not None
    assert (chosen.slug, chosen.responses) == (expected, responses)


def test_agency_without_responses_gets_the_newest_questionnaire(both: Loaded, db: Database) -> None:
    with db.session() as session:
        ddd = session.scalar(select(Agency.id).where(Agency.code == "DDD"))
        chosen = default_questionnaire(session, agency_id=ddd, timezone="Asia/Ho_Chi_Minh")
    assert chosen is not None and chosen.responses == 0
    assert chosen.slug in ("sipas", "a11-cx")


def test_cli_picks_the_default_and_says_so(both: Loaded, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    march = ("--from", "2018-03-01", "--to", "2018-03-31")
    for args, slug in (
        (("--agency", "AAA"), "sipas"),
        (("--agency", "AAA", *march), "a11-cx"),
        (("--all", *march), "a11-cx"),
        (("--all", *march, "--format", "xlsx"), "a11-cx"),
    ):
        target = out.with_suffix(".xlsx" if "xlsx" in args else ".json")
        result = cli("report", *args, "-o", str(target))
        assert result.exit_code == 0, (args, result.output)
        said = [line for line in result.output.splitlines() if line.startswith("questionnaire:")]
        assert len(said) == 1 and said[0].startswith(f"questionnaire: {slug} "), result.output
        if target.suffix == ".json":
            assert json.loads(target.read_text("utf-8"))["questionnaire"]["slug"] == slug
    # A chosen questionnaire is not announced.
    result = cli("report", "--agency", "AAA", "--questionnaire", "sipas", "-o", str(out))
    assert result.exit_code == 0 and "questionnaire:" not in result.output


def _signed_in(client: FlaskClient, email: str) -> FlaskClient:
    assert login(client, email).status_code == 303
    return client


@pytest.fixture
def inspector(both: Loaded, client: FlaskClient, staff: Staff) -> FlaskClient:
    return _signed_in(client, staff.inspector)


MARCH = "from=2018-03-01&to=2018-03-31"
PAGES = [
    "/dashboard",
    "/dashboard/agency/AAA",
    "/dashboard/city",
    f"/dashboard?{MARCH}",
    f"/dashboard/agency/AAA?{MARCH}",
    f"/dashboard/agency/DDD?{MARCH}",
    f"/dashboard/city?{MARCH}",
]
DOWNLOADS = [
    *(f"/reports/{name}" for name in ("city.pdf", "city.xlsx", "city.json")),
    *(f"/reports/agency/AAA.{fmt}" for fmt in ("pdf", "xlsx", "csv", "sav", "json")),
    f"/reports/city.json?{MARCH}",
    f"/reports/agency/AAA.json?{MARCH}",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_offer_the_choice_and_preselect_the_default(
    inspector: FlaskClient, db: Database, path: str
) -> None:
    response = inspector.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    page = response.get_data(as_text=True)
    chooser = re.search(r'<select name="questionnaire">(.*?)</select>', page, re.S)
    assert chooser, "no questionnaire chooser"
    options = re.findall(r'<option value="([^"]+)"( selected)?', chooser.group(1))
    with db.session() as session:
        loaded = set(session.scalars(select(Questionnaire.slug)))
    assert {"sipas", "a11-cx"} <= loaded
    assert {slug for slug, _ in options} == loaded  # every loaded questionnaire, once
    chosen = [slug for slug, selected in options if selected]
    expected = "a11-cx" if MARCH in path and "DDD" not in path else "sipas"
    if "DDD" in path:  # no response of its own at any time: the newest questionnaire
        assert len(chosen) == 1
        expected = chosen[0]
    assert chosen == [expected]
    assert "several questionnaires" not in page and "--questionnaire" not in page
    # Every download and report link carries the questionnaire shown.
    main = page[page.index('<main id="main">') :]  # the navigation bar is the same everywhere
    links = re.findall(r'href="(/(?:reports|dashboard)/[^"]+)"', main)
    assert links
    for link in links:
        assert f"questionnaire={expected}" in link, link


@pytest.mark.parametrize("path", DOWNLOADS)
def test_downloads_without_a_questionnaire_use_the_default(
    inspector: FlaskClient, path: str
) -> None:
    response = inspector.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    if path.split("?")[0].endswith(".json"):
        slug = "a11-cx" if MARCH in path else "sipas"
        assert response.get_json()["questionnaire"]["slug"] == slug


def test_dashboard_counts_responses_of_the_default(inspector: FlaskClient, both: Loaded) -> None:
    page = inspector.get("/dashboard").get_data(as_text=True)
    row = re.search(r"<code>AAA</code>.*?</tr>", page, re.S)
    frame = both.frame
    n = len(frame[frame["agency"] == "AAA"])
    assert row and re.search(rf'<td class="num">{n}</td>', row.group(0)), row
