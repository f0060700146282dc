"""Dashboard pages and report downloads: parse, check access, build, render, audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from analysis.comments import TopicSummary
from surveyapp import db_app
from surveyapp.auth.access import (
    can_read_city,
    current_staff,
    login_required,
    may_see_officers,
    require_agency_access,
    require_city_access,
    staff_pages,
    visible_agencies,
)
from surveyapp.auth.downloads import download_response
from surveyapp.dashboard import documents, export, params
from surveyapp.dashboard.documents import Scope
from surveyapp.definitions.characters import printable
from surveyapp.errors import InputError, NotFoundError
from surveyapp.i18n import current_language, pick, problems_text
from surveyapp.renderers import facts as facts_text
from surveyapp.renderers import html, wording
from surveyapp.renderers.document import KIND_LABELS, AgencyDocument, CityDocument
from surveyapp.renderers.texts import CHANNEL_LABELS
from surveyapp.reporting import build, comment_topics
from surveyapp.reporting.aggregates import StaleAggregatesError
from surveyapp.reporting.bounds import LimitError
from surveyapp.reporting.facts_model import RealTimeFigure
from surveyapp.services import audit, feedback_cases, report_choice

bp = staff_pages(Blueprint("dashboard", __name__))


@bp.app_template_global()
def comment_topics_of(summary: TopicSummary) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """The lexicon's topics (label, kind) with how many of ``summary``'s comments mention
    each, and its examples."""
    lang = current_language()
    return [
        (t.label(lang), t.kind, summary.counts.get(t.key, 0), summary.examples.get(t.key, ()))
        for t in comment_topics.current_lexicon().topics
    ]


def _timezone() -> str:
    return str(current_app.config["TIMEZONE"])


class _RefusedRangeError(Exception):
    """A page's filters were refused: the page shows them again with ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _scope(
    *, allow_breakdown: bool = False, agency_id: int | None = None, page: bool = False
) -> Scope:
    """Return the asked scope; without a questionnaire, the default one for its period.

    On a page (``page``) a refused filter shows the form again instead of a bare 400.
    """
    try:
        scope = params.scope_of(request.args, allow_breakdown=allow_breakdown)
    except params.ParameterError as exc:
        message = _(exc.template, **exc.values)
        if page:
            raise _RefusedRangeError(message) from None
        abort(400, description=message)
    if scope.slug is not None:
        return scope
    chosen = report_choice.default_questionnaire(
        db_app.session(),
        agency_id=agency_id,
        first=scope.first,
        last=scope.last,
        timezone=_timezone(),
    )
    return scope if chosen is None else dataclasses.replace(scope, slug=chosen.slug)


def _options() -> list[report_choice.QuestionnaireOption]:
    return report_choice.questionnaire_options(db_app.session())


@bp.errorhandler(_RefusedRangeError)
def _refused_range(exc: _RefusedRangeError) -> tuple[str, int]:
    """Show the filter form again with the reason (400), not a bare error page."""
    page = render_template(
        "dashboard/refused.html",
        message=exc.message,
        scope=params.asked_of(request.args),
        query={},
        city=can_read_city(current_staff()),
    )
    return page, 400


def _guard(build: Callable[[], Any], *, page: bool = False) -> Any:
    """Run ``build``: unknown things answer 404, refused input 400, stale aggregates 503."""
    try:
        return build()
    except HTTPException:
        raise
    except LimitError as exc:
        message = _(exc.template, **exc.values)
        if page:
            raise _RefusedRangeError(message) from None
        abort(400, description=message)
    except NotFoundError as exc:
        abort(404, description=str(exc).strip("'\""))
    except StaleAggregatesError as exc:
        abort(503, description=str(exc))
    except InputError as exc:
        abort(400, description=problems_text(exc))
    except KeyError as exc:
        abort(400, description=str(exc).strip("'\""))


def _audit(target: str, fmt: str, scope: Scope, **extra: str) -> None:
    detail: dict[str, object] = {
        "format": fmt,
        "from": scope.first.isoformat() if scope.first else None,
        "to": scope.last.isoformat() if scope.last else None,
        "questionnaire": scope.slug,
        "comments": scope.comments,
        **extra,
    }
    with db_app.get_db().write() as session:
        audit.record(session, current_staff(), "report.download", target, detail)


# -- downloads -------------------------------------------------------------------------
@bp.get("/reports/agency/<name>")
@login_required
def agency_download(name: str) -> Response:
    """Send one agency's report as PDF, XLSX, raw CSV or SAV, or JSON."""
    stem, dot, fmt = name.rpartition(".")
    agency = require_agency_access(stem if dot and params.CODE.fullmatch(stem) else "-")
    if fmt not in export.AGENCY_FORMATS:
        abort(
            404,
            description=_(
                "unknown format; use one of %(formats)s", formats=", ".join(export.AGENCY_FORMATS)
            ),
        )
    scope = _scope(agency_id=agency.id)
    # The report's language: ?lang=, else the user's (export refuses another value).
    lang = request.args.get("lang") or current_language()
    session, timezone = db_app.session(), _timezone()
    officers = may_see_officers(current_staff(), agency.id)
    out = _guard(
        lambda: export.agency_file(
            session, agency.code, scope, timezone, fmt, lang=lang, officers=officers
        )
    )
    _audit(f"agency:{agency.code}", fmt, scope, lang=lang)
    return download_response(out.data, out.filename, out.mimetype)


@bp.get("/reports/<name>")
@login_required
def city_download(name: str) -> Response:
    """Send the city-wide report as PDF, XLSX or JSON."""
    stem, dot, fmt = name.rpartition(".")
    require_city_access()
    if stem != "city" or not dot:
        abort(404)
    if fmt not in export.CITY_FORMATS:
        abort(
            404,
            description=_(
                "unknown format; use one of %(formats)s", formats=", ".join(export.CITY_FORMATS)
            ),
        )
    scope = _scope()
    lang = request.args.get("lang") or current_language()
    out = _guard(lambda: export.city_file(db_app.session(), scope, _timezone(), fmt, lang=lang))
    _audit("city", fmt, scope, lang=lang)
    return download_response(out.data, out.filename, out.mimetype)


# -- pages -----------------------------------------------------------------------------
@bp.get("/dashboard")
@login_required
def index() -> str:
    """List the agencies the user may read, with index and rank when there are data."""
    user = current_staff()
    own = None if user is None or can_read_city(user) else user.agency_id
    scope = _scope(agency_id=own, page=True)
    session = db_app.session()
    agencies = visible_agencies(session, user)
    rows: dict[str, Any] = {}
    error = None
    try:
        # City readers see the suppressed comparison; an agency's staff see their own
        # agency's row only, with its figures as in its own report.
        city = build.city_report(
            session, slug=scope.slug, first=scope.first, last=scope.last,
            timezone=_timezone(), suppress=own is None,
        )  # fmt: skip
        rows = {r.code: r for r in city.agencies}
    except LimitError as exc:
        raise _RefusedRangeError(_(exc.template, **exc.values)) from None
    except InputError as exc:
        error = problems_text(exc)
    except (NotFoundError, StaleAggregatesError) as exc:
        error = str(exc)
    try:
        realtime = documents.realtime_figures(
            session, scope.slug, [a.id for a in agencies], _timezone()
        )
    except (InputError, NotFoundError):
        realtime = {}
    # printable: a stored text with a noncharacter never reaches the page.
    return printable(
        render_template(
            "dashboard/index.html",
            agencies=agencies,
            rows=rows,
            error=error,
            city=can_read_city(user),
            scope=scope,
            query=params.query_of(scope),
            kinds=KIND_LABELS,
            questionnaires=_options(),
            realtime=realtime,
            realtime_head=_("This month so far (%(month)s)", month=_this_month()),
            overdue=feedback_cases.overdue_counts(session, [a.id for a in agencies], _today()),
        )
    )


def _this_month() -> str:
    return dt.datetime.now(zoneinfo.ZoneInfo(_timezone())).strftime("%Y-%m")


def _today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(_timezone())).date()


@bp.get("/dashboard/agency/<code>")
@login_required
def agency_page(code: str) -> str:
    """Show one agency's figures and charts, with filters and download buttons."""
    agency = require_agency_access(code)
    scope = _scope(allow_breakdown=True, agency_id=agency.id, page=True)
    officers = may_see_officers(current_staff(), agency.id)
    session = db_app.session()
    doc = _guard(
        lambda: documents.agency_document(
            session, agency.code, scope, _timezone(), officers=officers
        ),
        page=True,
    )
    realtime = documents.realtime_figures(
        session, doc.report.questionnaire.slug, [agency.id], _timezone()
    ).get(agency.code)
    return agency_html(
        doc,
        scope,
        city=can_read_city(current_staff()),
        questionnaires=_options(),
        realtime=realtime,
    )


def agency_html(
    doc: AgencyDocument,
    scope: Scope,
    *,
    city: bool,
    css: str | None = None,
    questionnaires: list[report_choice.QuestionnaireOption] | None = None,
    realtime: RealTimeFigure | None = None,
) -> str:
    """Render the agency page (``css``: a standalone file with the styles inline)."""
    lang = current_language()
    counter = doc.report.counter
    with wording.using(current_language()):
        charts = html.agency_charts(doc)
    # printable: a stored text with a noncharacter never reaches the page.
    return printable(
        render_template(
            "dashboard/agency.html",
            doc=doc,
            r=doc.report,
            charts=charts,
            scope=scope,
            query=params.query_of(scope),
            channels=CHANNEL_LABELS,
            city=city,
            # Breakdown questions by key, shown by their text (never the raw key).
            singles={
                c.key: pick(c.text_vi, c.text_en)
                for c in doc.report.profile
                if c.type == "single_choice"
            },
            standalone_css=css,
            questionnaires=questionnaires or [],
            fact_sections=facts_text.page_sections(doc.report.service_facts, lang),
            counter_sections=facts_text.page_sections(
                facts_text.counter_parts(counter), lang, at_counter=True
            )
            if counter
            else [],
            realtime=realtime,
            suppress_min_n=current_app.config.get("SUPPRESS_MIN_N"),
        )
    )


def city_html(
    doc: CityDocument,
    scope: Scope,
    css: str | None = None,
    questionnaires: list[report_choice.QuestionnaireOption] | None = None,
) -> str:
    """Render the city-wide page (``css``: a standalone file with the styles inline)."""
    with wording.using(current_language()):
        charts = html.city_charts(doc)
    # printable: a stored text with a noncharacter never reaches the page.
    return printable(
        render_template(
            "dashboard/city.html",
            city=True,
            doc=doc,
            r=doc.report,
            charts=charts,
            tests=wording.city_tests(doc.report, current_language()),
            scope=scope,
            query=params.query_of(scope),
            kinds=KIND_LABELS,
            standalone_css=css,
            questionnaires=questionnaires or [],
            fact_sections=facts_text.page_sections(doc.report.service_facts, current_language()),
        )
    )


@bp.get("/dashboard/city")
@login_required
def city_page() -> str:
    """Show the city-wide ranking, tests and the weakest dimensions."""
    require_city_access()
    scope = _scope(page=True)
    doc = _guard(lambda: documents.city_document(db_app.session(), scope, _timezone()), page=True)
    return city_html(doc, scope, questionnaires=_options())
