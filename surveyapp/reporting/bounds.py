"""How far a report may reach: the days it may name, its span and its trend periods.

Every surface (dashboard pages, downloads, the token API, the CLI) builds its reports
through ``scope._period`` and ``periods.trend``, which check these limits, so none can
ask for more; the request parsers check the days first to name their own parameters.
The limits are settings (``SURVEYAPP_REPORT_MAX_DAYS``, ``SURVEYAPP_REPORT_MAX_PERIODS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from surveyapp.config import DEFAULT_REPORT_MAX_DAYS, DEFAULT_REPORT_MAX_PERIODS
from surveyapp.errors import InputError

#: The calendar days a report may name; beyond them a date is refused.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
#: Defaults of the settings: ten years of days, twenty years of monthly periods.
DEFAULT_MAX_DAYS = DEFAULT_REPORT_MAX_DAYS
DEFAULT_MAX_PERIODS = DEFAULT_REPORT_MAX_PERIODS


def N_(message: str) -> str:  # noqa: N802 - Babel's marker for a message translated later
    """Mark ``message`` for the catalogs; the page that shows it translates it."""
    return message


class LimitError(InputError):
    """A report's days or periods are out of bounds; ``template % values`` says which."""

    def __init__(self, template: str, **values: Any) -> None:
        self.template = template
        self.values = values
        super().__init__(template % values)


@dataclass(frozen=True)
class Limits:
    """The longest span (in days, both ends counted) and the most trend periods."""

    max_days: int = DEFAULT_MAX_DAYS
    max_periods: int = DEFAULT_MAX_PERIODS


def current_limits() -> Limits:
    """The configured limits (the app's settings, else the defaults)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return Limits()
    config = current_app.config
    return Limits(
        int(config.get("REPORT_MAX_DAYS", DEFAULT_MAX_DAYS)),
        int(config.get("REPORT_MAX_PERIODS", DEFAULT_MAX_PERIODS)),
    )


def check_days(
    first: dt.date | None,
    last: dt.date | None,
    names: tuple[str, str] = ("from", "to"),
    limits: Limits | None = None,
) -> None:
    """Refuse a day outside the calendar bounds, ``first`` after ``last`` or a long span."""
    limits = limits or current_limits()
    for name, day in zip(names, (first, last), strict=True):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise LimitError(
                N_("%(name)s must be a day from %(earliest)s to %(latest)s, not %(day)s"),
                name=name,
                earliest=EARLIEST_DAY.isoformat(),
                latest=LATEST_DAY.isoformat(),
                day=day.isoformat(),
            )
    if first is None or last is None:
        return
    if first > last:
        raise LimitError(
            N_("%(first_name)s (%(first)s) is after %(last_name)s (%(last)s)"),
            first_name=names[0],
            first=first.isoformat(),
            last_name=names[1],
            last=last.isoformat(),
        )
    days = (last - first).days + 1
    if days > limits.max_days:
        raise LimitError(
            N_(
                "a report may span at most %(limit)d days (SURVEYAPP_REPORT_MAX_DAYS); "
                "%(first)s to %(last)s is %(days)d days: choose a shorter range"
            ),
            limit=limits.max_days,
            first=first.isoformat(),
            last=last.isoformat(),
            days=days,
        )


def check_periods(count: int, grain: str, limits: Limits | None = None) -> None:
    """Refuse a trend of more than the configured number of periods."""
    limits = limits or current_limits()
    if count > limits.max_periods:
        raise LimitError(
            N_(
                "a report's trend may have at most %(limit)d periods "
                "(SURVEYAPP_REPORT_MAX_PERIODS); this one would have %(count)d of one "
                "%(grain)s: choose a shorter range or longer periods"
            ),
            limit=limits.max_periods,
            count=count,
            grain=grain,
        )
