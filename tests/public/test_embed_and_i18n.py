"""The embed snippet command, embed.js and the public pages' cookies.

The catalogs are checked in tests/test_catalogs.py.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.public.conftest import AGENCY, AGENCY_ORIGIN, SLUG


def test_embed_snippet_prints_script_or_iframe_and_direct_link(cli: Any, survey: Any) -> None:
    base = ("--agency", AGENCY, "--questionnaire", SLUG)
    url = ("--base-url", "https://khaosat.hochiminhcity.gov.vn/")
    out = cli("embed-snippet", *base, *url).output
    link = f"https://khaosat.hochiminhcity.gov.vn/q/{SLUG}?agency={AGENCY}&amp;lang=vi"
    assert f'<a href="{link}" data-surveyapp-form>' in out
    assert '<script src="https://khaosat.hochiminhcity.gov.vn/embed.js" async></script>' in out
    assert "<iframe" not in out  # one form per paste
    assert f"direct link (e-mails, QR codes): {link.replace('&amp;', '&')}" in out
    assert AGENCY_ORIGIN in out
    framed = cli("embed-snippet", *base, "--kind", "iframe", *url).output
    assert f'<iframe src="{link}&amp;embed=1" title="Khảo sát thử mọi loại câu hỏi"' in framed
    assert "<script" not in framed and "data-surveyapp-form" not in framed


def test_embed_snippet_defaults_to_the_public_url_and_english(cli: Any, survey: Any) -> None:
    out = cli("embed-snippet", "--agency", "SNV", "--questionnaire", SLUG, "--lang", "en").output
    assert f'href="http://localhost/q/{SLUG}?agency=SNV&amp;lang=en"' in out
    assert "Answer the survey: Every question type test survey" in out
    assert "lists no origins" in out


def test_embed_snippet_refuses_unknown_names(runner: Any, survey: Any) -> None:
    from surveyapp.cli import cli as group

    result = runner.invoke(group, ["embed-snippet", "--agency", "NOPE", "--questionnaire", SLUG])
    assert result.exit_code != 0 and "no agency" in result.output


def test_embed_js_is_served_for_other_sites(client: FlaskClient) -> None:
    with client.get("/embed.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        script = response.get_data(as_text=True)
    # the parent checks both the sender's origin and that it is its own iframe
    assert "event.origin !== appOrigin" in script
    assert "contentWindow === event.source" in script


def test_public_pages_set_no_cookie(client: FlaskClient, survey: Any) -> None:
    response = client.get(f"/q/{SLUG}?agency={AGENCY}")
    assert "Set-Cookie" not in response.headers
