"""Downloads: never cached, and a Content-Disposition that names the file safely."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from flask import Flask, request

from surveyapp.auth.downloads import content_disposition, download_response

HEADER_RE = re.compile(
    r"attachment; filename=\"(?P<ascii>[A-Za-z0-9._()+ -]+)\"; "
    r"filename\*=UTF-8''(?P<encoded>[A-Za-z0-9%._~-]+)"
)


def parse(header: str) -> tuple[str, str]:
    """Return (ASCII fallback, decoded UTF-8 name); fail unless the header is well formed."""
    found = HEADER_RE.fullmatch(header)
    assert found, header
    return found.group("ascii"), unquote(found.group("encoded"), errors="strict")


def test_vietnamese_names_survive_with_an_ascii_fallback() -> None:
    name = "Báo cáo Sở Nội vụ \u2013 Đà Nẵng 2017.pdf"  # with an en dash
    header = content_disposition(name)
    assert header == (
        'attachment; filename="Bao cao So Noi vu _ Da Nang 2017.pdf"; '
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5%20"
        "%E2%80%93%20%C4%90%C3%A0%20N%E1%BA%B5ng%202017.pdf"
    )
    assert parse(header) == ("Bao cao So Noi vu _ Da Nang 2017.pdf", name)


def test_decomposed_input_is_sent_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Quận 1.csv")
    assert parse(content_disposition(decomposed))[1] == "Quận 1.csv"


@pytest.mark.parametrize(
    ("name", "fallback", "utf8"),
    [
        ('a"; filename="evil.exe', "a__ filename__evil.exe", "a_; filename=_evil.exe"),
        ("x\r\nSet-Cookie: a=b.csv", "x__Set-Cookie_ a_b.csv", "x__Set-Cookie: a=b.csv"),
        ("../../etc/passwd", "etc_passwd", "etc_passwd"),
        ("..\\..\\boot.ini", "boot.ini", "boot.ini"),
        ("/absolute/path.pdf", "absolute_path.pdf", "absolute_path.pdf"),
        ("report\u202efdp.exe", "report_fdp.exe", "report_fdp.exe"),
        (".htaccess", "htaccess", "htaccess"),
        ("nul\x00byte.csv", "nul_byte.csv", "nul_byte.csv"),
        ("", "download", "download"),
        ("...", "download", "download"),
        ("Báo cáo;%20.csv", "Bao cao__20.csv", "Báo cáo;%20.csv"),
    ],
)
def test_hostile_names_cannot_break_the_header_or_name_a_path(
    name: str, fallback: str, utf8: str
) -> None:
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header
    assert parse(header) == (fallback, utf8)
    for part in (fallback, utf8):
        assert "/" not in part and "\\" not in part and '"' not in part
        assert not part.startswith(".")


def test_long_names_keep_their_extension() -> None:
    ascii_name, utf8 = parse(content_disposition("Ủy ban nhân dân " * 20 + ".xlsx"))
    assert len(utf8) <= 120
    assert utf8.startswith("Ủy ban nhân dân") and utf8.endswith("Ủy.xlsx")
    assert ascii_name.startswith("Uy ban nhan dan") and ascii_name.endswith("Uy.xlsx")


def test_inline_disposition() -> None:
    assert content_disposition("a.pdf", inline=True).startswith('inline; filename="a.pdf"')


@pytest.fixture
def downloads(app: Flask) -> Flask:
    @app.get("/t/whole")
    def whole() -> object:
        return download_response("mã,điểm\nQ1,4.5\n", "Điểm Quận 1.csv", "text/csv")

    @app.get("/t/stream")
    def stream() -> object:
        def rows() -> Iterator[str]:
            yield "path\n"
            # Runs after the view returned: the request context must still be there.
            yield request.path + "\n"

        return download_response(rows(), "luồng.csv", "text/csv")

    return app


def test_whole_download(downloads: Flask) -> None:
    response = downloads.test_client().get("/t/whole")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "mã,điểm\nQ1,4.5\n"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Length"] == str(len("mã,điểm\nQ1,4.5\n".encode()))
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert parse(response.headers["Content-Disposition"]) == ("Diem Quan 1.csv", "Điểm Quận 1.csv")


def test_streamed_download(downloads: Flask) -> None:
    response = downloads.test_client().get("/t/stream")
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    assert response.get_data(as_text=True) == "path\n/t/stream\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert parse(response.headers["Content-Disposition"]) == ("luong.csv", "luồng.csv")
