"""One-time dossier codes: loading, requiring, prefilling and using each once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import DossierCode, Response
from tests.public.conftest import AGENCY, OTHER, SLUG, open_form, post_form


def stored(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Response.id))) or 0


def setup_codes(cli: Any, tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("000.12.34.H29-240301-0001\n 000.12.34.h29-240301-0002 \n\n", "utf-8")
    loaded = cli("dossiers", "load", str(codes), "--agency", AGENCY)
    assert loaded.exit_code == 0, loaded.output
    assert "2 codes added, 0 already loaded" in loaded.output
    other = tmp_path / "other.csv"
    other.write_text("code,issued\nSNV-0001,2024-03-01\n", "utf-8")
    assert "1 codes added" in cli("dossiers", "load", str(other), "--agency", OTHER).output
    required = cli("dossiers", "require", "--agency", AGENCY, "--questionnaire", SLUG)
    assert required.exit_code == 0 and "now requires" in required.output


def test_load_is_all_or_nothing(cli: Any, survey: dict[str, str], db: Database,
                                tmp_path: Path) -> None:  # fmt: skip
    bad = tmp_path / "bad.txt"
    bad.write_text("GOOD-1\nnot a code!\n", "utf-8")
    result = cli("dossiers", "load", str(bad), "--agency", AGENCY)
    assert result.exit_code == 1
    assert "line 2: 'not a code!' is not a dossier code" in result.output
    with db.session() as session:
        assert session.scalar(select(func.count(DossierCode.id))) == 0
    unknown = cli("dossiers", "load", str(bad), "--agency", "NOPE")
    assert unknown.exit_code == 1 and "no agency" in unknown.output


def test_required_code_answers_once(
    app: Flask, client: Any, cli: Any, survey: dict[str, str], db: Database, tmp_path: Path
) -> None:
    app.config["MIN_FILL_SECONDS"] = 0
    setup_codes(cli, tmp_path)
    page = client.get(f"/q/{SLUG}?agency={AGENCY}&code=000.12.34.H29-240301-0001")
    assert 'value="000.12.34.H29-240301-0001"' in page.text

    missing = post_form(client, open_form(client))
    assert missing.status_code == 422
    foreign = post_form(client, open_form(client), extra={"_dossier": "SNV-0001"})
    assert foreign.status_code == 422
    assert stored(db) == 0

    first = post_form(client, open_form(client), extra={"_dossier": "000.12.34.h29-240301-0001"})
    assert first.status_code == 303, first.text[:400]
    again = post_form(client, open_form(client), extra={"_dossier": "000.12.34.H29-240301-0001"})
    assert again.status_code == 422
    assert stored(db) == 1

    status = cli("dossiers", "status", "--agency", AGENCY)
    assert "2 codes loaded, 1 used, 1 unused" in status.output
    with db.session() as session:
        used = session.scalar(select(DossierCode).where(DossierCode.response_id.is_not(None)))
        assert used is not None and used.code == "000.12.34.H29-240301-0001"

    off = cli("dossiers", "require", "--agency", AGENCY, "--questionnaire", SLUG, "--off")
    assert "no longer requires" in off.output
    free = post_form(client, open_form(client))
    assert free.status_code == 303
