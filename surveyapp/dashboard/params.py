"""Reading report query parameters: dates, questionnaire, breakdown, comments.

Every refusal is a :class:`ParameterError` with a message for a person; the views
answer it with 400. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from surveyapp.dashboard.documents import Scope

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,62}")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
KNOWN = {"from", "to", "questionnaire", "comments", "by"}


class ParameterError(ValueError):
    """A query parameter was refused; the message says which and why."""


def _day(args: Mapping[str, str], name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not DAY.fullmatch(raw):
        raise ParameterError(f"'{name}' must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ParameterError(f"'{name}' is not a real date: {raw}") from None


def scope_of(args: Mapping[str, str], *, allow_breakdown: bool = False) -> Scope:
    """Return the report scope the query string asks for; raise ParameterError."""
    for name, value in args.items():
        if ".." in value or "/" in value or "\\" in value:
            raise ParameterError(f"'{name}' may not contain a path")
    first, last = _day(args, "from"), _day(args, "to")
    if first is not None and last is not None and first > last:
        raise ParameterError(f"'from' ({first}) is after 'to' ({last})")
    slug = args.get("questionnaire", "").strip() or None
    if slug is not None and not SLUG.fullmatch(slug):
        raise ParameterError("'questionnaire' must be a questionnaire slug (a-z, 0-9, - and _)")
    comments = args.get("comments", "1").strip()
    if comments not in ("0", "1"):
        raise ParameterError("'comments' must be 0 (leave them out) or 1")
    breakdowns: tuple[str, ...] = ()
    by = args.get("by", "").strip()
    if by:
        if not allow_breakdown or not KEY.fullmatch(by):
            raise ParameterError("'by' must name a single-choice question of the questionnaire")
        breakdowns = (by,)
    return Scope(slug, first, last, breakdowns, comments == "1")


def query_of(scope: Scope) -> dict[str, str]:
    """Return the query parameters that ask for ``scope`` again (for links)."""
    out: dict[str, str] = {}
    if scope.first:
        out["from"] = scope.first.isoformat()
    if scope.last:
        out["to"] = scope.last.isoformat()
    if scope.slug:
        out["questionnaire"] = scope.slug
    if not scope.comments:
        out["comments"] = "0"
    return out
