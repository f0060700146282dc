"""``surveyapp counters add|list|deactivate|poster``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf

from surveyapp.db import Database
from surveyapp.services.agencies import AgencyInput, add_agency


def test_add_list_and_deactivate(cli: Any, db: Database) -> None:
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
    added = cli("counters", "add", "q1", "a2", "--name-vi", "Quầy A2", "--name-en", "Counter A2")
    assert added.exit_code == 0, added.output
    assert "Q1: counter A2 added" in added.output
    listed = cli("counters", "list", "Q1")
    assert listed.output.splitlines()[1] == "Q1\tA2\tactive\t0\tQuầy A2\tCounter A2"
    off = cli("counters", "deactivate", "Q1", "A2")
    assert off.exit_code == 0 and "deactivated" in off.output
    assert "\tinactive\t" in cli("counters", "list").output


def test_bad_input_is_refused_and_nothing_added(cli: Any, db: Database) -> None:
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
    assert (
        cli("counters", "add", "Q1", "3", "--name-vi", "Quầy 3", "--name-en", "C3").exit_code == 0
    )
    for args, message in (
        (("Q1", "3", "--name-vi", "Lại", "--name-en", "Again"), "already has a counter 3"),
        (("Q1", "số 4", "--name-vi", "Quầy 4", "--name-en", "C4"), "counter code 'số 4'"),
        (("Q1", "4", "--name-vi", " ", "--name-en", "C4"), "the Vietnamese name is empty"),
        (("XX", "4", "--name-vi", "Quầy 4", "--name-en", "C4"), "no agency with code 'XX'"),
    ):
        result = cli("counters", "add", *args)
        assert result.exit_code != 0
        assert message in result.output
    assert len(cli("counters", "list").output.splitlines()) == 2
    assert cli("counters", "deactivate", "Q1", "9").exit_code != 0


def test_poster_of_a_counter_links_to_its_kiosk_page(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    with db.write() as session:
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district"))
    added = cli("counters", "add", "Q1", "3", "--name-vi", "Quầy số 3", "--name-en", "C3")
    assert added.exit_code == 0, added.output
    target = tmp_path / "q1-3.pdf"
    result = cli("counters", "poster", "Q1", "3", "--size", "a5", "-o", str(target))
    assert result.exit_code == 0, result.output
    url = "http://localhost/k/counter?agency=Q1&counter=3"
    assert url in result.output
    page = pypdf.PdfReader(target).pages[0]
    assert int(float(page.mediabox.width)) == 419  # A5: 148 mm
    assert "Quầy số 3" in page.extract_text() and url in page.extract_text()
    png = tmp_path / "q1-3.png"
    assert cli("counters", "poster", "Q1", "3", "--format", "png", "-o", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    missing = cli("counters", "poster", "Q1", "9", "-o", str(tmp_path / "x.pdf"))
    assert missing.exit_code != 0 and "no counter" in missing.output
