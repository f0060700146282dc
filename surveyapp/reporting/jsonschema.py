"""The JSON Schema of reports, derived from the report dataclasses.

``docs/report-schema.json`` is this function's output; a test keeps the two equal
and validates real reports against it, so the documented contract cannot drift
from what ``surveyapp report`` writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from typing import Any

from surveyapp.reporting import model

SCHEMA_ID = "https://surveyapp.invalid/report-schema.json"


def _type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint)]
        return {"anyOf": [_type(a, defs) for a in options]}
    if hint is type(None):
        return {"type": "null"}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type(args[0], defs)}
        return {"type": "array", "prefixItems": [_type(a, defs) for a in args]}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if hint is dt.datetime:
        return {"type": "string", "format": "date-time"}
    if hint is dt.date:
        return {"type": "string", "format": "date"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "string", "enum": [m.value for m in hint]}
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(hint)
            props = {}
            for f in dataclasses.fields(hint):
                props[f.name.rstrip("_")] = _type(hints[f.name], defs)
            defs[name] = {
                "type": "object",
                "properties": props,
                "required": list(props),
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {hint!r}")


def report_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) that agency and city-wide reports validate against."""
    defs: dict[str, Any] = {}
    _type(model.AgencyReport, defs)
    _type(model.CityReport, defs)
    defs["AgencyReport"]["properties"]["schema"] = {"const": model.AGENCY_SCHEMA}
    defs["CityReport"]["properties"]["schema"] = {"const": model.CITY_SCHEMA}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "surveyapp report",
        "description": (
            "An agency report (schema surveyapp/report/agency/1) or a city-wide comparison "
            "(surveyapp/report/city/1). Percentages are 0-100; intervals are objects "
            "{lower, upper, level, method} or null; a value that cannot be computed is null "
            "and its reason field says why; reliable=false with flag small_sample marks "
            "results on fewer than min_n respondents. See README, 'Reports (JSON)'."
        ),
        "oneOf": [{"$ref": "#/$defs/AgencyReport"}, {"$ref": "#/$defs/CityReport"}],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n"
