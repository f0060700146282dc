"""``surveyapp report --format pdf|xlsx|csv|sav`` and ``--all-agencies``: report files on disk."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.cli.common import ready_db
from surveyapp.dashboard import export
from surveyapp.dashboard.documents import Scope
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency, ReportAggregate, UnfoldedResponse
from surveyapp.reporting.aggregates import StaleAggregatesError
from surveyapp.services import report_choice


def write(
    agency_code: str | None,
    city: bool,
    all_agencies: bool,
    slug: str | None,
    first: dt.date | None,
    last: dt.date | None,
    breakdowns: tuple[str, ...],
    fmt: str,
    comments: bool,
    output: Path | None,
    lang: str = "vi",
) -> None:
    """Write one report file, or one per agency into a directory with a progress bar."""
    if sum((city, agency_code is not None, all_agencies)) != 1:
        raise click.UsageError("give exactly one of --agency CODE, --all or --all-agencies")
    if first is not None and last is not None and first > last:
        raise click.UsageError(f"--from {first} is after --to {last}")
    if output is None:
        raise click.UsageError(f"--format {fmt} needs -o (a file, or a directory)")
    if city and fmt in export.RAW_FORMATS:
        raise click.UsageError("the city-wide report comes as json, pdf or xlsx")
    render = _html_file if fmt == "html" else None
    timezone = current_app.config["TIMEZONE"]
    database = ready_db()
    try:
        with database.session() as session:
            slug = default_slug(session, slug, agency_code, first, last, timezone)
            scope = Scope(slug, first, last, breakdowns, comments)
            if not all_agencies:
                if render is not None:
                    out = render(session, None if city else agency_code, scope, timezone, lang)
                elif city:
                    out = export.city_file(session, scope, timezone, fmt, lang=lang)
                else:
                    out = export.agency_file(
                        session, agency_code or "", scope, timezone, fmt, lang=lang
                    )
                _save(output, out)
                click.echo(f"{output}: {out.n_responses} responses reported", err=True)
                return
            if output.exists() and not output.is_dir():
                raise click.UsageError(f"{output} is not a directory")
            output.mkdir(parents=True, exist_ok=True)
            # Agencies with accepted responses: in the aggregates, or waiting for a fold.
            folded = select(ReportAggregate.agency_id).where(ReportAggregate.n_responses > 0)
            codes = list(
                session.scalars(
                    select(Agency.code)
                    .where(Agency.id.in_(folded.union(select(UnfoldedResponse.agency_id))))
                    .order_by(Agency.code)
                )
            )
            written = 0
            with click.progressbar(
                codes,
                label="Reports",
                file=sys.stderr,
                item_show_func=lambda c: c,
            ) as bar:
                for code in bar:
                    try:
                        out = (
                            render(session, code, scope, timezone, lang)
                            if render is not None
                            else export.agency_file(session, code, scope, timezone, fmt, lang=lang)
                        )
                    except (InputError, NotFoundError) as exc:
                        click.echo(f"\n{code}: skipped: {exc}", err=True)
                        continue
                    _save(output / out.filename, out)
                    written += 1
            click.echo(f"{output}: {written} report files written", err=True)
    except (InputError, NotFoundError, StaleAggregatesError) as exc:
        raise click.ClickException(str(exc)) from None


def default_slug(
    session: Session,
    slug: str | None,
    agency_code: str | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> str | None:
    """Return ``slug``, else the default questionnaire, saying on stderr which was chosen.

    The same choice as the dashboard's (``report_choice.default_questionnaire``); the
    agency's own responses decide for an agency report, every agency's otherwise.
    """
    if slug is not None:
        return slug
    agency_id = None
    if agency_code is not None:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code.upper()))
        if agency_id is None:
            return None  # the report itself names the unknown agency
    chosen = report_choice.default_questionnaire(
        session, agency_id=agency_id, first=first, last=last, timezone=timezone
    )
    if chosen is None:
        return None
    click.echo(
        f"questionnaire: {chosen.slug} ({chosen.reason}; choose another with --questionnaire)",
        err=True,
    )
    return chosen.slug


def _save(path: Path, out: export.ReportFile) -> None:
    if isinstance(out.data, bytes):
        path.write_bytes(out.data)
    elif isinstance(out.data, str):
        path.write_text(out.data + "\n", encoding="utf-8")
    else:
        with path.open("wb") as handle:
            for chunk in out.data:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)


def _html_file(
    session: Session, code: str | None, scope: Scope, timezone: str, lang: str
) -> export.ReportFile:
    """Render the dashboard page of an agency (or the city) as one self-contained file."""
    from surveyapp.dashboard import documents, views

    static = Path(current_app.static_folder or "")
    css = "\n".join(
        (static / name).read_text(encoding="utf-8") for name in ("app.css", "dashboard.css")
    )
    with current_app.test_request_context(f"/?lang={lang}"):
        if code is None:
            doc: Any = documents.city_document(session, scope, timezone)
            text = views.city_html(doc, scope, css)
            name = "Toàn thành phố"
        else:
            doc = documents.agency_document(session, code, scope, timezone)
            text = views.agency_html(doc, scope, city=True, css=css)
            name = f"{doc.report.agency.name_vi} ({doc.report.agency.code})"
    period = doc.report.period
    span = f"{period.from_}\u2013{period.to}" if period.from_ and period.to else "all"
    return export.ReportFile(text, f"{name} {span}.html", "text/html", doc.report.n_responses)
