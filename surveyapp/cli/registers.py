"""``surveyapp registers import|plan``: dossiers handled, quotas and progress."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError
from surveyapp.services import quotas
from surveyapp.services import registers as service


@click.group("registers")
def group() -> None:
    """Registers of dossiers handled per agency and period; sampling plans."""


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_(file: Path) -> None:
    """Store the registers in a CSV FILE (agency,period,dossiers[,respondent_type][,channel]).

    Periods are YYYY, YYYY-Qn or YYYY-MM. Every row is checked first; if any is
    wrong, nothing is stored. An agency and period imported again is replaced.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    try:
        with ready_db().write() as session:
            result = service.import_registers(session, text)
    except InputError as exc:
        for message in exc.messages:
            click.echo(f"{file}: {message}", err=True)
        raise click.ClickException("nothing was imported") from None
    click.echo(
        f"{file}: {result.rows} rows stored; {result.periods_replaced} agency periods replaced"
    )


@group.command("plan")
@click.option("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM.")
@click.option("--margin", default="0.05", show_default=True, help="Margin of error e (0.05 or 5%).")
@click.option("--rule", type=click.Choice(quotas.RULES), default="slovin", show_default=True)
@click.option(
    "--questionnaire", "slug", default=None, help="Count only this questionnaire's responses."
)
@with_appcontext
def plan(period: str, margin: str, rule: str, slug: str | None) -> None:
    """Print each agency's quota for a period, its responses so far, and who is behind."""
    try:
        e = quotas.check_margin(margin)
        with ready_db().session() as session:
            result = quotas.sampling_plan(
                session, period.strip(), timezone=current_app.config["TIMEZONE"],
                margin=e, rule=rule, slug=slug,
            )  # fmt: skip
    except InputError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    if not result.agencies:
        raise click.ClickException(f"no registers for period {result.period}")
    click.echo(
        f"Period {result.period} ({result.first}..{result.last}), day {result.elapsed_days} "
        f"of {result.total_days}; {rule}, e = {e:g}"
    )
    click.echo("agency\tdossiers\tquota\tresponses\tprojected\tstatus")
    for row in result.agencies:
        p = row.progress
        status = "met" if p.met else ("BEHIND" if p.behind else "on track")
        projected = "-" if p.projected is None else f"{p.projected:.0f}"
        click.echo(f"{row.code}\t{row.dossiers}\t{p.quota}\t{p.responses}\t{projected}\t{status}")
    click.echo(f"{len(result.behind)} of {len(result.agencies)} agencies behind quota")
