"""``surveyapp report``: agency and city-wide reports, and rebuilding their aggregates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.errors import InputError, NotFoundError
from surveyapp.reporting import aggregates, build, serialise
from surveyapp.reporting.aggregates import StaleAggregatesError
from surveyapp.reporting.bounds import check_days
from surveyapp.routing import MAX_ID

FORMATS = ("json", "pdf", "xlsx", "csv", "sav", "html")


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param=param) from None


class ReportGroup(click.Group):
    """``report`` writes a report; ``report rebuild-aggregates`` is a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] in self.commands or args[0] in ("--help", "-h"):
            return super().parse_args(ctx, args)
        return super().parse_args(ctx, ["write", *args])


@click.group("report", cls=ReportGroup, invoke_without_command=False)
def group() -> None:
    """Write an agency's report (--agency CODE) or the city-wide comparison (--all).

    \b
    surveyapp report --agency CODE [--questionnaire SLUG] [--from DAY --to DAY] -o FILE
    surveyapp report --all [--questionnaire SLUG] [--from DAY --to DAY] -o FILE
    surveyapp report write --help          # every option
    surveyapp report rebuild-aggregates    # after a bulk load or a time zone change
    """


@group.command("write", hidden=True)
@click.option("--agency", "agency_code", default=None, help="Code of the agency to report on.")
@click.option("--all", "city", is_flag=True, help="Compare every agency (city-wide report).")
@click.option(
    "--questionnaire",
    "slug",
    default=None,
    help="Questionnaire slug (default: the one with most responses in the period, "
    "else the most answered, else the newest; printed on stderr).",
)
@click.option(
    "--version",
    type=click.IntRange(1, MAX_ID),
    default=None,
    help="Questionnaire version (default: newest with responses).",
)
@click.option(
    "--from", "first", callback=_day, default=None, help="First local day YYYY-MM-DD (inclusive)."
)
@click.option(
    "--to", "last", callback=_day, default=None, help="Last local day YYYY-MM-DD (inclusive)."
)
@click.option(
    "--period",
    "grain",
    type=click.Choice(build.GRAINS),
    default="quarter",
    show_default=True,
    help="Periods of the trend section.",
)
@click.option(
    "--by",
    "breakdowns",
    multiple=True,
    help="Break an agency report down by a single_choice question (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "--all-agencies",
    is_flag=True,
    help="One file per agency with responses, into the directory given by -o.",
)
@click.option("--no-comments", is_flag=True, help="Leave free-text comments out of PDFs.")
@click.option(
    "--lang",
    type=click.Choice(("vi", "en")),
    default="vi",
    show_default=True,
    help="Language of the report: PDF, XLSX and HTML texts and numbers, SAV labels.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (default: standard output); a directory with --all-agencies.",
)
@with_appcontext
def write(
    agency_code: str | None,
    city: bool,
    slug: str | None,
    version: int | None,
    first: dt.date | None,
    last: dt.date | None,
    grain: str,
    breakdowns: tuple[str, ...],
    fmt: str,
    all_agencies: bool,
    no_comments: bool,
    lang: str,
    output: Path | None,
) -> None:
    """Write one agency's report or, with --all, the city-wide comparison."""
    try:
        check_days(first, last, ("--from", "--to"))
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    from surveyapp.dashboard import files

    if all_agencies or fmt != "json":
        files.write(
            agency_code,
            city,
            all_agencies,
            slug,
            first,
            last,
            breakdowns,
            fmt,
            not no_comments,
            output,
            lang,
        )
        return
    if city == (agency_code is not None):
        raise click.UsageError("give exactly one of --agency CODE or --all")
    if city and breakdowns:
        raise click.UsageError("--by applies to an agency report (--agency CODE)")
    if first is not None and last is not None and first > last:
        raise click.UsageError(f"--from {first} is after --to {last}")
    database = ready_db()
    timezone = current_app.config["TIMEZONE"]
    try:
        with database.session() as session:
            slug = files.default_slug(session, slug, agency_code, first, last, timezone)
            if city:
                report = build.city_report(
                    session,
                    slug=slug,
                    version=version,
                    first=first,
                    last=last,
                    timezone=timezone,
                    grain=grain,
                )
            else:
                report = build.agency_report(
                    session,
                    agency_code or "",
                    slug=slug,
                    version=version,
                    first=first,
                    last=last,
                    timezone=timezone,
                    grain=grain,
                    breakdowns=breakdowns,
                )
    except (InputError, NotFoundError, StaleAggregatesError) as exc:
        raise click.ClickException(str(exc)) from None
    text = serialise.dumps(report)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"{output}: {report.n_responses} responses reported", err=True)


@group.command("rebuild-aggregates")
@click.option(
    "--questionnaire", "slug", default=None, help="Only this questionnaire (default: all)."
)
@with_appcontext
def rebuild_aggregates(slug: str | None) -> None:
    """Recompute the report aggregates from the stored responses."""
    from sqlalchemy import select

    from surveyapp.models import Questionnaire, QuestionnaireVersion

    database = ready_db()
    timezone = current_app.config["TIMEZONE"]
    with database.write() as session:
        query = select(QuestionnaireVersion).join(Questionnaire)
        if slug is not None:
            query = query.where(Questionnaire.slug == slug)
        versions = list(
            session.scalars(query.order_by(Questionnaire.slug, QuestionnaireVersion.version))
        )
        if slug is not None and not versions:
            raise click.ClickException(f"no questionnaire {slug}")
        for version in versions:
            rows = aggregates.rebuild(session, version, timezone)
            click.echo(f"{version.questionnaire.slug} v{version.version}: {rows} months rebuilt")


@group.command("fold")
@with_appcontext
def fold() -> None:
    """Add every accepted response waiting for the report aggregates to them.

    Submissions are folded in batches as they arrive; this folds what is still
    waiting (reports include it either way, read from the raw rows).
    """
    from surveyapp.services import report_folding

    folded = report_folding.fold_everything(ready_db(), current_app.config["TIMEZONE"])
    click.echo(f"{folded} responses folded into the report aggregates")
