"""The weekly digest of an agency: a list of sections, each collected then written.

A section collects plain data for one agency and week (stored in the digest's event)
and writes it as lines of text in the recipient's language. ``DIGEST_SECTIONS`` is
the list the digest is made of: index and change, control-chart signals, serious
reports, and feedback cases awaiting an answer; a further section is one more class
with ``key``, ``collect`` and ``render``, appended to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import Agency, AlertEvent
from surveyapp.services import feedback_cases
from surveyapp.services.alert_signals import INDEX, SignalSeries


@dataclass(frozen=True)
class DigestContext:
    session: Session
    agency: Agency
    series: SignalSeries | None
    #: The digest's week, [start, end) in UTC.
    start: dt.datetime
    end: dt.datetime


class DigestSection(Protocol):
    key: str

    def collect(self, ctx: DigestContext) -> dict[str, Any] | None: ...

    def render(self, data: dict[str, Any]) -> list[str]: ...


class IndexSection:
    """The index of the latest complete month and its change since the month before."""

    key = "index"

    def collect(self, ctx: DigestContext) -> dict[str, Any] | None:
        series = ctx.series
        if series is None or INDEX not in series.n:
            return None
        row = next((i for i, a in enumerate(series.agencies) if a.id == ctx.agency.id), None)
        if row is None:
            return None
        n = series.n[INDEX][row]
        x = series.satisfied[INDEX][row]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(n > 0, 100 * x / n, np.nan)
        out: dict[str, Any] = {
            "period": f"{series.periods[-1]:%Y-%m}",
            "n": int(n[-1]),
            "pct": None if np.isnan(pct[-1]) else round(float(pct[-1]), 1),
            "change": None,
        }
        if len(pct) > 1 and not np.isnan(pct[-1]) and not np.isnan(pct[-2]):
            out["change"] = round(float(pct[-1] - pct[-2]), 1)
        return out

    def render(self, data: dict[str, Any]) -> list[str]:
        if data["pct"] is None:
            return [_("Satisfaction index for %(period)s: no responses.", period=data["period"])]
        lines = [
            _(
                "Satisfaction index for %(period)s: %(pct)s%% satisfied (%(n)s respondents).",
                period=data["period"],
                pct=data["pct"],
                n=data["n"],
            )
        ]
        if data["change"] is not None:
            lines.append(
                _("Change since the month before: %(change)+.1f points.", change=data["change"])
            )
        return lines


class SignalsSection:
    """Control-chart signals raised during the week."""

    key = "signals"

    def collect(self, ctx: DigestContext) -> dict[str, Any] | None:
        events = ctx.session.scalars(
            select(AlertEvent).where(
                AlertEvent.agency_id == ctx.agency.id,
                AlertEvent.kind == "signal",
                AlertEvent.created_at >= ctx.start,
                AlertEvent.created_at < ctx.end,
            )
        )
        return {"signals": [e.payload for e in events]}

    def render(self, data: dict[str, Any]) -> list[str]:
        if not data["signals"]:
            return [_("No fall in satisfaction was signalled this week.")]
        lines = []
        for signal in data["signals"]:
            weekly = signal.get("unit") == "week"
            for dim in signal["dimensions"]:
                values = {
                    "period": signal["period"],
                    "dimension": dim["title_vi"] if _lang() == "vi" else dim["title_en"],
                    "pct": dim["pct"],
                    "baseline": dim["baseline_pct"],
                }
                lines.append(
                    _(
                        "Fall signalled in week %(period)s: %(dimension)s %(pct)s%% "
                        "(baseline %(baseline)s%%).",
                        **values,
                    )
                    if weekly
                    else _(
                        "Fall signalled in %(period)s: %(dimension)s %(pct)s%% "
                        "(baseline %(baseline)s%%).",
                        **values,
                    )
                )
        return lines


class SeriousSection:
    """Serious reports and watch-list matches received during the week."""

    key = "serious"

    def collect(self, ctx: DigestContext) -> dict[str, Any] | None:
        counts: dict[str, int] = {
            kind: count
            for kind, count in ctx.session.execute(
                select(AlertEvent.kind, func.count(AlertEvent.id))
                .where(
                    AlertEvent.agency_id == ctx.agency.id,
                    AlertEvent.kind.in_(("serious", "watch")),
                    AlertEvent.created_at >= ctx.start,
                    AlertEvent.created_at < ctx.end,
                )
                .group_by(AlertEvent.kind)
            )
        }
        return {"serious": counts.get("serious", 0), "watch": counts.get("watch", 0)}

    def render(self, data: dict[str, Any]) -> list[str]:
        return [
            _(
                "Serious reports (informal payments, harassment): %(serious)s; "
                "comments matching the watch list: %(watch)s.",
                serious=data["serious"],
                watch=data["watch"],
            )
        ]


class FeedbackSection:
    """Feedback cases awaiting the agency's answer, overdue ones, and those new this week."""

    key = "feedback"

    def collect(self, ctx: DigestContext) -> dict[str, Any] | None:
        figures = feedback_cases.digest_figures(
            ctx.session, ctx.agency.id, ctx.start, ctx.end.date()
        )
        return {"open": figures.open, "overdue": figures.overdue, "new": figures.new_since}

    def render(self, data: dict[str, Any]) -> list[str]:
        return [
            _(
                "Feedback cases awaiting an answer: %(open)s, of which overdue: %(overdue)s; "
                "new this week: %(new)s.",
                open=data["open"],
                overdue=data["overdue"],
                new=data["new"],
            )
        ]


def _lang() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"


#: The digest's sections, in order.
DIGEST_SECTIONS: list[DigestSection] = [
    IndexSection(),
    SignalsSection(),
    SeriousSection(),
    FeedbackSection(),
]


def collect(ctx: DigestContext) -> dict[str, Any]:
    """Every section's data (a section with nothing to say is left out)."""
    sections = {}
    for section in DIGEST_SECTIONS:
        data = section.collect(ctx)
        if data is not None:
            sections[section.key] = data
    return sections


def render(sections: dict[str, Any]) -> list[str]:
    """The digest's lines in the current locale, section by section."""
    lines: list[str] = []
    for section in DIGEST_SECTIONS:
        if section.key in sections:
            lines.extend(section.render(sections[section.key]))
            lines.append("")
    return lines
