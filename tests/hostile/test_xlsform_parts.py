"""Entities and broken XML in every part of an XLSForm package: one line, never a traceback.

A worksheet whose inline strings referred to an entity that the scan for DTDs did
not see (declared in an external DTD, or not at all) reached openpyxl's parser and
ended ``import-xlsform`` in ``xml.etree.ElementTree.ParseError: undefined entity``.
Every XML part of the package is tried (workbook, sheets, shared strings, styles,
content types, relationships, document properties), on the CLI and in the console.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.cli import cli
from surveyapp.xlsform import XLSFormError, convert_file
from tests.admin.conftest import Staff, csrf, signed_in, staff
from tests.xlsform.conftest import write_form

SURVEY = [["type", "name", "label::Tiếng Việt (vi)", "label::English (en)"]]
SURVEY += [["text", "comment", "Ý kiến", "Comment"], ["integer", "visits", "Số lần", "Visits"]]
SETTINGS = [["form_title::Tiếng Việt (vi)", "form_title::English (en)"], ["Khảo sát", "Survey"]]


__all__ = ["staff"]


def _good(path: Path) -> Path:
    return write_form(path, SURVEY, settings=SETTINGS)


def _members(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    good = _good(tmp_path_factory.mktemp("parts") / "good.xlsx")
    with zipfile.ZipFile(good) as archive:
        return sorted(archive.namelist())


@pytest.fixture(scope="module")
def good_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _good(tmp_path_factory.mktemp("good") / "good.xlsx")


def _root_start_end(text: str) -> int:
    """Return the index just after the root element's start tag."""
    found = re.search(r"<(?![?!])[^>]*?(/?)>", text)
    assert found, text[:200]
    return found.end()


def _inject(xml: bytes, attack: str) -> bytes:
    text = xml.decode("utf-8")
    declaration = re.match(r"\s*<\?xml[^>]*\?>", text)
    head = declaration.end() if declaration else 0
    if attack == "external entity":
        doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    elif attack == "external DTD":
        doctype = '<!DOCTYPE x SYSTEM "file:///etc/passwd">'
    else:
        doctype = ""
    text = text[:head] + doctype + text[head:]
    end = _root_start_end(text)
    if text[end - 2] == "/":  # an empty root: open it so it can hold the reference
        name = re.match(r"<([^\s/>]+)", text[text.rindex("<", 0, end) :])
        assert name
        text = text[: end - 2] + ">&e;</" + name.group(1) + ">" + text[end:]
    elif attack != "not closed":
        text = text[:end] + "&e;" + text[end:]
    else:
        text = text[:end]
    return text.encode("utf-8")


def _replace(source: Path, target: Path, member: str, attack: str) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, _inject(data, attack) if info.filename == member else data)
    return target


ATTACKS = ["external entity", "external DTD", "undefined entity", "not closed"]
MEMBERS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/app.xml",
    "docProps/core.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/theme/theme1.xml",
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/sheet2.xml",
]


def test_the_list_of_parts_is_the_whole_package(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert _members(tmp_path_factory) == sorted(MEMBERS)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("member", MEMBERS)
def test_every_part_is_checked(good_file: Path, tmp_path: Path, member: str, attack: str) -> None:
    path = _replace(good_file, tmp_path / "hostile.xlsx", member, attack)
    with pytest.raises(XLSFormError) as caught:
        convert_file(path)
    message = str(caught.value)
    assert member in message and "\n" not in message
    assert "root:" not in message
    result = CliRunner().invoke(cli, ["questionnaires", "import-xlsform", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output and "root:" not in result.output


def test_a_worksheet_part_with_another_name_is_checked(good_file: Path, tmp_path: Path) -> None:
    # The package's relationships may name a worksheet part anything, not only *.xml.
    path = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(good_file) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            name = info.filename
            if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.part")
            if name == "xl/worksheets/sheet1.xml":
                name, data = "xl/worksheets/sheet1.part", _inject(data, "undefined entity")
            new.writestr(name, data)
    with pytest.raises(XLSFormError, match=r"sheet1\.part"):
        convert_file(path)


def test_the_untouched_package_converts(good_file: Path) -> None:
    assert convert_file(good_file).errors == []


def _upload(client: FlaskClient, path: Path, name: str) -> Any:
    with path.open("rb") as stream:
        return client.post(
            "/admin/questionnaires/check",
            data={"csrf_token": csrf(client, "/admin/questionnaires"), "file": (stream, name)},
            content_type="multipart/form-data",
        )


@pytest.mark.parametrize("attack", ["external entity", "undefined entity"])
@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_the_console_refuses_it_with_the_message(
    admin_client: FlaskClient, good_file: Path, tmp_path: Path, member: str, attack: str
) -> None:
    path = _replace(good_file, tmp_path / "hostile.xlsx", member, attack)
    response = _upload(admin_client, path, "khao-sat.xlsx")
    assert 400 <= response.status_code < 500
    assert member in response.text
    assert "Traceback" not in response.text and "root:" not in response.text


def test_the_console_converts_a_good_xlsform(admin_client: FlaskClient, good_file: Path) -> None:
    response = _upload(admin_client, good_file, "khao-sat.xlsx")
    assert response.status_code == 200, response.text[:500]
    assert "khao-sat.yaml" in response.text


@pytest.fixture
def admin_client(app: Flask, staff: Staff) -> FlaskClient:
    return signed_in(app, staff.admin)
