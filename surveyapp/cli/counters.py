"""``surveyapp counters add|list|deactivate|poster``: the counters of agencies' one-stop shops."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.services import counters, posters


@click.group("counters")
def group() -> None:
    """Add, list and deactivate counters (quầy) where ratings are given; print their posters."""


@group.command("add")
@click.argument("agency")
@click.argument("counter")
@click.option("--name-vi", required=True, help='Vietnamese name, e.g. "Quầy số 3".')
@click.option("--name-en", required=True, help='English name, e.g. "Counter 3".')
@with_appcontext
def add(agency: str, counter: str, name_vi: str, name_en: str) -> None:
    """Add COUNTER (a short code such as 3 or A2) to AGENCY."""
    try:
        with ready_db().write() as session:
            row = counters.add_counter(session, agency, counter, name_vi, name_en)
            agency_code = row.agency.code
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    except InputError as exc:
        for message in exc.messages:
            click.echo(message, err=True)
        raise click.ClickException("the counter was not added") from None
    click.echo(f"{agency_code}: counter {row.code} added ({row.name_vi} / {row.name_en})")


@group.command("list")
@click.argument("agency", required=False)
@with_appcontext
def list_(agency: str | None) -> None:
    """List the counters of AGENCY (or of every agency), with their ratings."""
    try:
        with ready_db().session() as session:
            rows = counters.list_counters(session, agency)
            lines = [
                f"{r.counter.agency.code}\t{r.counter.code}\t"
                f"{'active' if r.counter.active else 'inactive'}\t{r.ratings}\t"
                f"{r.counter.name_vi}\t{r.counter.name_en}"
                for r in rows
            ]
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("agency\tcounter\tstate\tratings\tname_vi\tname_en")
    for line in lines:
        click.echo(line)


@group.command("deactivate")
@click.argument("agency")
@click.argument("counter")
@click.option("--undo", is_flag=True, help="Make the counter active again.")
@with_appcontext
def deactivate(agency: str, counter: str, undo: bool) -> None:
    """Stop COUNTER of AGENCY taking ratings (its past ratings stay counted)."""
    try:
        with ready_db().write() as session:
            row = counters.set_active(session, agency, counter, undo)
            agency_code = row.agency.code
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    state = "active again" if undo else "deactivated"
    click.echo(f"{agency_code}: counter {row.code} {state}")


@group.command("poster")
@click.argument("agency")
@click.argument("counter")
@click.option("--size", type=click.Choice(list(posters.SIZES)), default="a4", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(list(posters.FORMATS)), default="pdf", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def poster(agency: str, counter: str, size: str, fmt: str, output: Path | None) -> None:
    """Write COUNTER's QR poster (to its kiosk page, for one's own phone) of AGENCY."""
    try:
        with ready_db().session() as session:
            row = counters.get_counter(session, agency, counter)
            text = posters.counter_poster(row.agency, row, str(current_app.config["PUBLIC_URL"]))
            name = f"poster-{row.agency.code}-counter-{row.code}"
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    data = posters.poster_pdf(text, size=size) if fmt == "pdf" else posters.poster_png(text)
    suffix = f"-{size}.pdf" if fmt == "pdf" else ".png"
    target = output or Path(name + suffix)
    target.write_bytes(data)
    click.echo(f"{target}: {text.url}")
