"""Reading report query parameters: dates, questionnaire, breakdown, comments.

Every refusal is a :class:`ParameterError` with a message for a person; the views
answer it with 400. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from surveyapp.dashboard.documents import Scope
from surveyapp.reporting.bounds import N_, LimitError, check_days

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,62}")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
KNOWN = {"from", "to", "questionnaire", "comments", "by"}
#: The most characters of a refused filter shown back in the form.
ECHOED = 64


class ParameterError(ValueError):
    """A query parameter was refused; ``template % values`` says which and why.

    Pages translate ``template`` (a msgid) before filling in ``values``.
    """

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values
        super().__init__(template % values)


def _day(args: Mapping[str, str], name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not DAY.fullmatch(raw):
        raise ParameterError(N_("'%(name)s' must be a date written YYYY-MM-DD"), name=name)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        message = N_("'%(name)s' is not a real date: %(day)s")
        raise ParameterError(message, name=name, day=raw) from None


def scope_of(args: Mapping[str, str], *, allow_breakdown: bool = False) -> Scope:
    """Return the report scope the query string asks for; raise ParameterError."""
    for name, value in args.items():
        if ".." in value or "/" in value or "\\" in value:
            raise ParameterError(N_("'%(name)s' may not contain a path"), name=name)
    first, last = _day(args, "from"), _day(args, "to")
    try:
        check_days(first, last, ("'from'", "'to'"))
    except LimitError as exc:
        raise ParameterError(exc.template, **exc.values) from None
    slug = args.get("questionnaire", "").strip() or None
    if slug is not None and not SLUG.fullmatch(slug):
        raise ParameterError(N_("'questionnaire' must be a questionnaire slug (a-z, 0-9, - and _)"))
    comments = args.get("comments", "1").strip()
    if comments not in ("0", "1"):
        raise ParameterError(N_("'comments' must be 0 (leave them out) or 1"))
    breakdowns: tuple[str, ...] = ()
    by = args.get("by", "").strip()
    if by:
        if not allow_breakdown or not KEY.fullmatch(by):
            raise ParameterError(N_("'by' must name a single-choice question of the questionnaire"))
        breakdowns = (by,)
    return Scope(slug, first, last, breakdowns, comments == "1")


@dataclass(frozen=True)
class Asked:
    """The filters as typed (a refused request's form shows them again)."""

    first: str
    last: str
    slug: str
    breakdowns: tuple[str, ...] = ()


def asked_of(args: Mapping[str, str]) -> Asked:
    """Return the date and questionnaire filters as typed, cut to a sane length."""
    return Asked(
        args.get("from", "")[:ECHOED],
        args.get("to", "")[:ECHOED],
        args.get("questionnaire", "")[:ECHOED],
    )


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
