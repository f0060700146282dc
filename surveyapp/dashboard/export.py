"""One agency's or the city's report as a file: the shared path of downloads and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.dashboard import documents
from surveyapp.dashboard.documents import Scope
from surveyapp.errors import NotFoundError
from surveyapp.models import Agency
from surveyapp.renderers import csv as csv_renderer
from surveyapp.renderers import pdf_agency, pdf_city, sav, wording, xlsx
from surveyapp.renderers.numbers import DASH
from surveyapp.reporting import build, serialise
from surveyapp.reporting.model import Period
from surveyapp.services.questionnaires import definition_of

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to every text/ type
    "json": "application/json; charset=utf-8",
    "sav": "application/x-spss-sav",
}
AGENCY_FORMATS = ("pdf", "xlsx", "csv", "sav", "json")
#: Formats of raw responses, which need no city-wide context.
RAW_FORMATS = ("csv", "sav")
CITY_FORMATS = ("pdf", "xlsx", "json")


@dataclass(frozen=True)
class ReportFile:
    """A rendered report: whole bytes/text, or an iterator of text (CSV) or byte (SAV) chunks."""

    data: bytes | str | Iterator[str] | Iterator[bytes]
    filename: str
    mimetype: str
    n_responses: int


def _span(period: Period) -> str:
    return f"{period.from_}{DASH}{period.to}" if period.from_ and period.to else "all"


def agency_file(
    session: Session,
    code: str,
    scope: Scope,
    timezone: str,
    fmt: str,
    *,
    lang: str = "vi",
    officers: bool = False,
) -> ReportFile:
    """Render agency ``code``'s report as ``fmt``; raise NotFoundError or InputError.

    ``lang`` (vi or en) is the language of the document: the PDF's and workbook's fixed
    texts, numbers and questionnaire texts, and the SAV file's variable and value labels.
    ``officers``: include officer-level counter figures (the agency's staff, admins).
    """
    if fmt not in AGENCY_FORMATS:
        raise NotFoundError(f"unknown format {fmt!r}; use one of {', '.join(AGENCY_FORMATS)}")
    sav.check_language(lang)
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise NotFoundError(f"no agency with code {code!r}")
    data: bytes | str | Iterator[str] | Iterator[bytes]
    if fmt == "json":
        report = build.agency_report(
            session,
            agency.code,
            slug=scope.slug,
            first=scope.first,
            last=scope.last,
            timezone=timezone,
            breakdowns=scope.breakdowns,
            officers=officers,
        )
        data = serialise.dumps(report)
    else:
        doc = documents.agency_document(
            session,
            agency.code,
            scope,
            timezone,
            with_city=fmt not in RAW_FORMATS,
            officers=officers,
        )
        report = doc.report
        if fmt == "pdf":
            with wording.using(lang):
                data = pdf_agency.render(doc)
        else:
            version = documents.version_of(session, report)
            definition = definition_of(version)
            columns = documents.raw_columns(definition)
            rows = documents.raw_rows(
                session, version, [agency.id], scope.first, scope.last, timezone
            )
            if fmt == "xlsx":
                with wording.using(lang):
                    data = xlsx.agency_workbook(doc, definition, rows, columns)
            elif fmt == "sav":
                q, period = report.questionnaire, report.period
                title = f"{q.slug} v{q.version} {agency.code} {_span(period)} ({timezone})"
                data = sav.sav_chunks(rows, definition, columns, timezone, lang=lang, title=title)
            else:
                data = csv_renderer.csv_chunks(rows, columns, timezone)
    name = f"{agency.name_vi} ({agency.code}) {_span(report.period)}.{fmt}"
    return ReportFile(data, name, MIMETYPES[fmt], report.n_responses)


def city_file(
    session: Session, scope: Scope, timezone: str, fmt: str, *, lang: str = "vi"
) -> ReportFile:
    """Render the city-wide report as ``fmt`` in ``lang``; raise NotFoundError or InputError."""
    sav.check_language(lang)
    if fmt not in CITY_FORMATS:
        raise NotFoundError(f"unknown format {fmt!r}; use one of {', '.join(CITY_FORMATS)}")
    data: bytes | str
    if fmt == "json":
        report = build.city_report(
            session, slug=scope.slug, first=scope.first, last=scope.last, timezone=timezone
        )
        data = serialise.dumps(report)
    else:
        doc = documents.city_document(session, scope, timezone)
        report = doc.report
        with wording.using(lang):
            data = pdf_city.render(doc) if fmt == "pdf" else xlsx.city_workbook(doc)
    name = f"Toàn thành phố {_span(report.period)}.{fmt}"
    return ReportFile(data, name, MIMETYPES[fmt], report.n_responses)
