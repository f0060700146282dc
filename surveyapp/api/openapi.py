"""The OpenAPI 3.1 document of ``/api/v1``, served at ``/api/v1/openapi.json``.

Report schemas come from ``surveyapp.reporting.jsonschema`` (the schema reports
are tested against), moved under ``components/schemas``. Tests validate real
responses against this document and check that every ``/api/v1`` route is in it.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import Response, jsonify

from surveyapp.api.tokens import MAX_VERSION
from surveyapp.api.views import bp
from surveyapp.definitions.validate import SLUG_PATTERN
from surveyapp.reporting.jsonschema import report_schema
from surveyapp.tokens import MAX_TOKEN_LENGTH

ERRORS = {
    "400": "Bad request: it does not match this document (the message says what is wrong)",
    "401": "Missing, unknown, revoked or expired API token",
    "403": "The request's origin is not allowed",
    "404": "Not found (or not readable with this token)",
    "410": "The agency no longer takes part in surveys",
    "413": "Request body too large",
    "415": "The body must be application/json",
    "422": "Answers refused, or the form token is expired, forged or for another form",
    "429": "Too many requests",
    "503": "Report aggregates are stale; an administrator must rebuild them",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _json(_ref("Error"), ERRORS[code]) for code in codes}


def _report_components() -> dict[str, Any]:
    text = json.dumps(report_schema()["$defs"])
    return dict(json.loads(text.replace('"#/$defs/', '"#/components/schemas/')))


#: The slug rule of surveyapp.definitions (a definition file's name without .yaml).
#: An agency code as the URLs take it (any case; stored codes are upper case); empty is
#: the same as none (the city portal form).
AGENCY_CODE_SCHEMA = {"type": "string", "pattern": r"^([A-Za-z0-9][A-Za-z0-9_-]{0,31})?$"}
SLUG_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "pattern": f"^{SLUG_PATTERN.pattern}$",
    "description": "Questionnaire slug",
}
REPORT_QUERY = [
    {
        "name": "questionnaire",
        "in": "query",
        "schema": SLUG_SCHEMA,
        "description": (
            "Questionnaire slug (default: the one with most responses in the period, "
            "else the most answered, else the newest)"
        ),
    },
    {
        "name": "version",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_VERSION},
    },
    {
        "name": "from",
        "in": "query",
        "schema": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "description": "First local day, inclusive",
    },
    {
        "name": "to",
        "in": "query",
        "schema": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "description": "Last local day, inclusive",
    },
    {
        "name": "period",
        "in": "query",
        "schema": {"enum": ["month", "quarter", "half", "year"], "default": "quarter"},
        "description": "Trend period",
    },
]
PREFLIGHT = {
    "summary": "CORS preflight (answered for listed origins only)",
    "security": [],
    "responses": {"204": {"description": "Preflight answer"}},
}


@functools.cache
def document() -> dict[str, Any]:
    """Return the OpenAPI document (built once per process)."""
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        },
        "Text": {
            "type": "object",
            "required": ["vi", "en"],
            "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
        },
        "QuestionnaireList": {
            "type": "object",
            "required": ["questionnaires"],
            "additionalProperties": False,
            "properties": {
                "questionnaires": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["slug", "version", "title", "versions"],
                        "additionalProperties": False,
                        "properties": {
                            "slug": {"type": "string"},
                            "version": {"type": "integer", "minimum": 1},
                            "title": _ref("Text"),
                            "versions": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                }
            },
        },
        "QuestionnaireForm": {
            "type": "object",
            "required": [
                "slug",
                "version",
                "agency",
                "dossier_code_required",
                "token",
                "definition",
            ],
            "additionalProperties": False,
            "properties": {
                "slug": {"type": "string"},
                "version": {"type": "integer", "minimum": 1},
                "agency": {"type": ["string", "null"]},
                "dossier_code_required": {"type": "boolean"},
                "token": {"type": "string", "description": "Form token to submit with"},
                "definition": {
                    "type": "object",
                    "description": "The definition (docs/questionnaire-format.md, canonical form)",
                },
            },
        },
        "Submission": {
            "type": "object",
            "required": ["questionnaire", "token"],
            "properties": {
                "questionnaire": SLUG_SCHEMA,
                "token": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_TOKEN_LENGTH,
                    "pattern": r"^[A-Za-z0-9_.\-]+$",
                    "description": "The form token of GET /questionnaires/{slug}",
                },
                "answers": {
                    "type": "object",
                    "description": "Answers by question key (docs/questionnaire-format.md)",
                },
                "agency": {
                    "type": ["string", "null"],
                    "maxLength": 32,
                    "description": "Agency code; portal tokens only",
                },
                "dossier_code": {"type": ["string", "null"], "maxLength": 64},
                "lang": {"enum": ["vi", "en"]},
            },
        },
        "Receipt": {
            "type": "object",
            "required": ["receipt", "replayed"],
            "additionalProperties": False,
            "properties": {"receipt": {"type": "string"}, "replayed": {"type": "boolean"}},
        },
        **_report_components(),
    }
    paths: dict[str, Any] = {
        "/questionnaires": {
            "get": {
                "operationId": "listQuestionnaires",
                "summary": "List questionnaires and their versions",
                "security": [],
                "responses": {"200": _json(_ref("QuestionnaireList"), "The questionnaires")},
            }
        },
        "/questionnaires/{slug}": {
            "parameters": [slug],
            "get": {
                "operationId": "getQuestionnaire",
                "summary": "The newest definition and a form token to answer it with",
                "security": [],
                "parameters": [
                    {
                        "name": "agency",
                        "in": "query",
                        "schema": AGENCY_CODE_SCHEMA,
                        "description": "Agency code (without, or empty: the city portal form)",
                    }
                ],
                "responses": {
                    "200": _json(_ref("QuestionnaireForm"), "Definition and token"),
                    **_errors("400", "404", "410", "429"),
                },
            },
            "options": {**PREFLIGHT, "operationId": "preflightQuestionnaire"},
        },
        "/responses": {
            "post": {
                "operationId": "submitResponse",
                "summary": "Submit one response",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Submission")}},
                },
                "responses": {
                    "201": _json(_ref("Receipt"), "Stored"),
                    "200": _json(_ref("Receipt"), "Already stored (a replayed token)"),
                    **_errors("400", "403", "404", "410", "413", "415", "422", "429"),
                },
            },
            "options": {**PREFLIGHT, "operationId": "preflightResponses"},
        },
        "/reports/agency/{code}": {
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "agencyReport",
                "summary": "An agency's report (agency tokens: their own agency; city tokens: any)",
                "parameters": REPORT_QUERY,
                "responses": {
                    "200": _json(_ref("AgencyReport"), "The report"),
                    **_errors("400", "401", "404", "429", "503"),
                },
            },
        },
        "/reports/city": {
            "get": {
                "operationId": "cityReport",
                "summary": "The city-wide comparison of agencies (city tokens only)",
                "parameters": REPORT_QUERY,
                "responses": {
                    "200": _json(_ref("CityReport"), "The report"),
                    **_errors("400", "401", "404", "429", "503"),
                },
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": "1",
            "description": (
                "Questionnaires, responses and report JSON of surveyapp. Report endpoints "
                "need an API token created in the admin console, sent as "
                "'Authorization: Bearer <token>'. Every error is a JSON object "
                '{"error": message} (422 answer errors add "errors").'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI document."""
    return jsonify(document())
