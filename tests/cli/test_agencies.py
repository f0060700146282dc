from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Agency


def count_agencies(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Agency.id))) or 0


def test_add_and_list(cli: Any, db: Database) -> None:
    result = cli(
        "agencies",
        "add",
        "q1",
        "--name-vi",
        "Ủy ban nhân dân Quận 1",
        "--name-en",
        "District 1 People's Committee",
        "--kind",
        "district",
        "--origin",
        "https://Quan1.HoChiMinhCity.gov.vn/",
        "--origin",
        "http://localhost:8001",
    )
    assert result.exit_code == 0, result.output
    assert "Added Q1" in result.output
    listed = cli("agencies", "list")
    assert listed.exit_code == 0
    assert listed.output.strip() == (
        "Q1\tdistrict\tỦy ban nhân dân Quận 1\t"
        "http://localhost:8001 https://quan1.hochiminhcity.gov.vn"
    )


def test_add_refuses_bad_input_and_duplicates(cli: Any, db: Database) -> None:
    ok = cli(
        "agencies",
        "add",
        "SNV",
        "--name-vi",
        "Sở Nội vụ",
        "--name-en",
        "Home Affairs",
        "--kind",
        "department",
    )
    assert ok.exit_code == 0
    again = cli("agencies", "add", "snv", "--name-vi", "X", "--name-en", "Y", "--kind", "other")
    assert again.exit_code == 1
    assert "already exists" in again.output
    bad_origin = cli(
        "agencies",
        "add",
        "X1",
        "--name-vi",
        "X",
        "--name-en",
        "Y",
        "--kind",
        "other",
        "--origin",
        "https://x.gov.vn/form",
    )
    assert bad_origin.exit_code == 1
    assert "origins:" in bad_origin.output and "without a path" in bad_origin.output
    bad_kind = cli("agencies", "add", "X2", "--name-vi", "X", "--name-en", "Y", "--kind", "city")
    assert bad_kind.exit_code == 2
    bad_code = cli("agencies", "add", "Q 1", "--name-vi", "X", "--name-en", "Y", "--kind", "other")
    assert bad_code.exit_code == 1 and "code:" in bad_code.output
    assert count_agencies(db) == 1


def test_import_adds_then_updates(cli: Any, db: Database, tmp_path: Path) -> None:
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(
        "\ufeffcode,name_vi,name_en,kind,origins\n"
        'P1,Phường Bến Nghé,"Ben Nghe Ward, Saigon",other,https://a.vn http://b.vn:8080\n'
        "SYT,Sở Y tế,Department of Health,department,\n",
        encoding="utf-8",
    )
    first = cli("agencies", "import", str(csv_file))
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated" in first.output
    csv_file.write_text(
        "code,name_vi,name_en,kind,origins\nP1,Phường Bến Nghé,Ben Nghe Ward,other,https://a.vn\n",
        encoding="utf-8",
    )
    second = cli("agencies", "import", str(csv_file))
    assert "0 added, 1 updated" in second.output
    with db.session() as session:
        p1 = session.scalar(select(Agency).where(Agency.code == "P1"))
        assert p1 is not None
        assert p1.name_en == "Ben Nghe Ward"
        assert [o.origin for o in p1.origins] == ["https://a.vn"]


def test_import_is_all_or_nothing_and_names_row_and_column(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "code,name_vi,name_en,kind,origins\n"
        "A1,Một,One,department,\n"
        "A2,,Two,ministry,ftp://x\n"
        "A1,Một lần nữa,Again,district,\n",
        encoding="utf-8",
    )
    result = cli("agencies", "import", str(csv_file))
    assert result.exit_code == 1
    assert "row 3, column name_vi: must not be empty" in result.output
    assert "row 3, column kind: must be one of department, district, other" in result.output
    assert "row 3, column origins:" in result.output
    assert "row 4, column code: A1 repeats row 2" in result.output
    assert "nothing was imported" in result.output
    assert count_agencies(db) == 0


def test_import_refuses_wrong_header_and_non_utf8(cli: Any, db: Database, tmp_path: Path) -> None:
    header = tmp_path / "header.csv"
    header.write_text("code,name,kind\nA,B,other\n", encoding="utf-8")
    result = cli("agencies", "import", str(header))
    assert result.exit_code == 1 and "missing column(s) name_vi, name_en" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "code,name_vi,name_en,kind,origins\nA,Hà Nội,B,other,\n".encode(
            "latin-1", errors="replace"
        ).replace(b"?", b"\xe0")
    )
    result = cli("agencies", "import", str(latin))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert count_agencies(db) == 0


def test_shipped_city_structure_imports(cli: Any, db: Database) -> None:
    from surveyapp.services.agencies import parse_agencies_csv
    from surveyapp.services.demo import shipped_agencies_csv

    rows = parse_agencies_csv(shipped_agencies_csv())
    kinds = [r.kind for r in rows]
    assert kinds.count("district") == 24
    assert kinds.count("department") == 20


def test_set_origins_replaces_adds_and_removes(cli: Any, db: Any) -> None:
    added = cli(
        "agencies", "add", "Q9", "--name-vi", "Quận 9", "--name-en", "D9", "--kind", "district"
    )
    assert added.exit_code == 0, added.output
    listed = cli("agencies", "set-origins", "Q9", "https://q9.example.vn", "http://localhost:8001")
    assert listed.exit_code == 0, listed.output
    assert "https://q9.example.vn, http://localhost:8001" in listed.output
    more = cli(
        "agencies",
        "set-origins",
        "Q9",
        "--add-origin",
        "https://cơquan.vn",
        "--remove-origin",
        "HTTP://LOCALHOST:8001/",
    )
    assert more.exit_code == 0, more.output
    assert "https://q9.example.vn, https://xn--cquan-uob.vn (https://cơquan.vn)" in more.output
    missing = cli("agencies", "set-origins", "Q9", "--remove-origin", "https://other.example")
    assert missing.exit_code != 0 and "https://other.example is not listed for Q9" in missing.output
    bad = cli("agencies", "set-origins", "Q9", "https://ok.example", "https://a.example;x")
    assert bad.exit_code != 0 and "'https://a.example;x'" in bad.output
    unknown = cli("agencies", "set-origins", "NOPE", "https://ok.example")
    assert unknown.exit_code != 0 and "no agency" in unknown.output
    cleared = cli("agencies", "set-origins", "Q9", "--clear")
    assert cleared.exit_code == 0 and "Q9 lists no origins" in cleared.output
    neither = cli("agencies", "set-origins", "Q9")
    assert neither.exit_code != 0
    assert cli("agencies", "list").output.count("Q9\tdistrict\tQuận 9\n") == 1


def test_help_lists_only_surveyapps_commands(cli: Any) -> None:
    shown = cli("--help").output
    for own in ("agencies", "demo", "embed-snippet", "serve", "report", "users"):
        assert f"  {own} " in shown
    for flask_own in ("  run ", "  shell ", "  routes ", "  limiter ", "--app", "--env-file"):
        assert flask_own not in shown, flask_own
    assert "Flask" not in shown
    assert cli("--version").output.startswith("surveyapp ")
    assert "set-origins" in cli("agencies", "--help").output
