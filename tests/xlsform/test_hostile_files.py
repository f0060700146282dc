"""Hostile uploads: XML entities, files that are not .xlsx, oversized files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from surveyapp.cli import cli
from surveyapp.xlsform import XLSFormError, convert_file
from tests.xlsform.conftest import MakeForm

PASSWD = Path("/etc/passwd")
SHEET = "xl/worksheets/sheet1.xml"
XXE_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
    '<row r="1"><c r="A1" t="inlineStr"><is><t>type</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>name</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>label</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>leak</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>&e;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def secret_lines() -> list[str]:
    if not PASSWD.exists():
        pytest.skip("no /etc/passwd to leak on this system")
    return [line for line in PASSWD.read_text().splitlines() if line.strip()]


def replace_member(source: Path, target: Path, member: str, data: bytes) -> Path:
    """Copy the zip ``source`` to ``target`` with ``member``'s content replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, data if info.filename == member else old.read(info))
    return target


@pytest.fixture
def xxe_file(make_form: MakeForm, tmp_path: Path) -> Path:
    good = make_form([["type", "name", "label"], ["text", "leak", "placeholder"]])
    return replace_member(good, tmp_path / "xxe.xlsx", SHEET, XXE_SHEET.encode())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_entity_is_refused_before_parsing(
    make_form: MakeForm, tmp_path: Path, encoding: str
) -> None:
    secrets = secret_lines()
    good = make_form([["type", "name", "label"], ["text", "leak", "placeholder"]])
    xml = XXE_SHEET.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    path = replace_member(good, tmp_path / "xxe.xlsx", SHEET, xml.encode(encoding))
    with pytest.raises(XLSFormError, match="declares a DTD or entities; refused") as caught:
        convert_file(path)
    assert not any(line in str(caught.value) for line in secrets)


def test_the_command_refuses_it_without_leaking(xxe_file: Path, tmp_path: Path) -> None:
    secrets = secret_lines()
    out = tmp_path / "xxe.yaml"
    result = CliRunner().invoke(
        cli, ["questionnaires", "import-xlsform", str(xxe_file), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "sheet1.xml declares a DTD or entities; refused" in result.stderr
    assert not any(line in result.output for line in secrets)
    assert not out.exists()


def test_openpyxl_itself_never_expands_the_entity(xxe_file: Path) -> None:
    """The second line of defence: openpyxl parses through defusedxml."""
    secrets = secret_lines()
    seen: list[str] = []
    with xxe_file.open("rb") as stream:
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
            try:
                for row in workbook.worksheets[0].iter_rows(values_only=True):
                    seen.extend(str(value) for value in row)
            finally:
                workbook.close()
        except ValueError as exc:  # openpyxl wraps defusedxml's EntitiesForbidden
            seen.append(f"{exc} {exc.__cause__}")
            assert type(exc.__cause__).__module__.startswith("defusedxml"), repr(exc.__cause__)
    assert seen
    assert not any(line in text for line in secrets for text in seen)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("type,name,label\ntext,a,A\n", encoding="utf-8")
    with pytest.raises(XLSFormError, match=r"not an \.xlsx workbook \(an old \.xls or a CSV"):
        convert_file(path)
    result = CliRunner().invoke(cli, ["questionnaires", "import-xlsform", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}: not an .xlsx workbook" in result.stderr


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(XLSFormError, match=r"no xl/workbook\.xml"):
        convert_file(path)


def test_a_file_over_the_limit_is_refused_unread(make_form: MakeForm) -> None:
    path = make_form([["type", "name", "label"], ["text", "a", "A"]])
    size = path.stat().st_size
    with pytest.raises(XLSFormError, match=f"{size} bytes is over the limit of {size - 1} bytes"):
        convert_file(path, max_bytes=size - 1)
    assert convert_file(path, max_bytes=size).errors == []


def test_a_zip_bomb_is_refused(make_form: MakeForm, tmp_path: Path) -> None:
    good = make_form([["type", "name", "label"], ["text", "a", "A"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        new.writestr("xl/padding.xml", b" " * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(XLSFormError, match="unpacks to more than"):
        convert_file(bomb)
