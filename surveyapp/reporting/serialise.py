"""The JSON form of a report: stable field names, ISO dates, never NaN or infinity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from analysis import to_jsonable
from surveyapp.reporting.model import AgencyReport, CityReport

NDIGITS = None  # full precision: decimal rounding would erase small p-values


def plain(obj: Any) -> Any:
    """Convert a report (or any part) to JSON-ready data; ``from_`` becomes ``from``."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name.rstrip("_"): plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dt.datetime):
        return obj.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return to_jsonable(obj, NDIGITS)


def dumps(report: AgencyReport | CityReport, indent: int | None = 2) -> str:
    """The report as JSON text (UTF-8 friendly: Vietnamese stays readable)."""
    return json.dumps(plain(report), ensure_ascii=False, indent=indent, allow_nan=False)
