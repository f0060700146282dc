"""``surveyapp embed-snippet``: the HTML an agency's webmaster pastes, and the direct link."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.embedding import make_snippet
from surveyapp.errors import NotFoundError
from surveyapp.origins import display_origin
from surveyapp.services.agencies import get_agency
from surveyapp.services.questionnaires import get_version


@click.command("embed-snippet")
@click.option("--agency", "agency_code", required=True, help="Agency code, e.g. Q1.")
@click.option("--questionnaire", "slug", required=True, help="Questionnaire slug, e.g. sipas.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option(
    "--kind",
    type=click.Choice(["script", "iframe"]),
    default="script",
    show_default=True,
    help="script: a link that embed.js turns into a frame that fits the form (a link "
    "without JavaScript); iframe: a fixed-height frame, for pages that cannot load scripts.",
)
@click.option(
    "--base-url",
    default=None,
    help="The platform's public URL (default: SURVEYAPP_PUBLIC_URL, or the address "
    "`surveyapp serve` last served at).",
)
@with_appcontext
def embed_snippet(agency_code: str, slug: str, lang: str, kind: str, base_url: str | None) -> None:
    """Print the HTML to paste into an agency's page (one form), and the form's direct link.

    Paste the whole output: the comments show nothing.
    """
    base = base_url or current_app.config["PUBLIC_URL"]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise click.ClickException(f"--base-url must be an http(s) URL, not {base!r}")
    with ready_db().session() as session:
        try:
            agency = get_agency(session, agency_code)
            version = get_version(session, slug)
        except NotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        origins = [display_origin(o.origin) for o in agency.origins]
        title = version.title_en if lang == "en" else version.title_vi
    snippet = make_snippet(base, slug, agency.code, lang, title)
    if kind == "script":
        click.echo("<!-- surveyapp: paste where the form should appear (several per page work) -->")
        click.echo(snippet.script_html)
    else:
        click.echo("<!-- surveyapp: a fixed-height frame of the form, and a link -->")
        click.echo(snippet.iframe_html)
    click.echo()
    click.echo(f"<!-- direct link (e-mails, QR codes): {snippet.direct_link} -->")
    if origins:
        click.echo(f"<!-- pages on these origins may show the form: {' '.join(origins)} -->")
    else:
        click.echo(
            f"<!-- warning: agency {agency.code} lists no origins, so no other site may frame "
            "the form; list the site's origin (surveyapp agencies set-origins) -->"
        )
