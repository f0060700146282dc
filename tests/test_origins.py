from __future__ import annotations

import pytest

from surveyapp.origins import OriginError, normalise_origin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://quan1.hochiminhcity.gov.vn", "https://quan1.hochiminhcity.gov.vn"),
        ("HTTPS://Quan1.HoChiMinhCity.gov.vn/", "https://quan1.hochiminhcity.gov.vn"),
        ("https://example.org:443", "https://example.org"),
        ("http://example.org:80", "http://example.org"),
        ("http://localhost:8001", "http://localhost:8001"),
        ("https://cơquan.vn", "https://xn--cquan-uob.vn"),
    ],
)
def test_origins_are_normalised(raw: str, expected: str) -> None:
    assert normalise_origin(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "quan1.gov.vn",
        "ftp://example.org",
        "https://example.org/path",
        "https://example.org?x=1",
        "https://user:pw@example.org",
        "https://*.gov.vn",
        "https://example.org:99999",
        "javascript:alert(1)",
        "https://",
        "null",
        # a Content-Security-Policy host-source cannot name an IPv6 address
        "http://[::1]:8080",
    ],
)
def test_non_origins_are_refused(raw: str) -> None:
    with pytest.raises(OriginError):
        normalise_origin(raw)
