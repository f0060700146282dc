"""Deeply nested JSON bodies: a clear 400, counted by the rate limit, no traceback.

An attacker sent ``{"a":[[[[...]]]]}`` 1,000+ levels deep to ``POST /api/v1/responses``:
the limiter's key function parsed the body, hit a RecursionError, answered 500 and
never counted the request. Every route is tried (the JSON ones must answer 400 with
a message naming the limit, the others must not fail), at several depths and shapes.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.db import Database
from surveyapp.jsonbody import MAX_DEPTH, JSONBodyError, check_depth
from tests.hostile.test_public_inputs import count
from tests.public.conftest import SLUG


def _nested(depth: int, shape: str) -> str:
    """Return a JSON text nested ``depth`` levels deep in one of several shapes."""
    if shape == "arrays under a key":
        return '{"a":' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    if shape == "objects":
        return '{"":' * depth + "1" + "}" * depth
    if shape == "arrays at the top":
        return "[" * depth + "]" * depth
    if shape == "inside answers":
        inner = "[" * (depth - 2) + "]" * (depth - 2)
        return f'{{"questionnaire":"{SLUG}","token":"x","answers":{{"c":{inner}}}}}'
    if shape == "unclosed":
        return '{"a":' + "[" * (depth - 1)
    raise ValueError(shape)


SHAPES = ["arrays under a key", "objects", "arrays at the top", "inside answers", "unclosed"]
DEPTHS = [MAX_DEPTH + 1, 100, 1_000, 5_000, 50_000]  # all under MAX_CONTENT_LENGTH


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", SHAPES)
def test_deep_json_to_the_api_is_400_naming_the_limit(
    client: FlaskClient,
    survey: Any,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    shape: str,
    depth: int,
) -> None:
    caplog.set_level(logging.WARNING)
    body = _nested(depth, shape)
    response = client.post("/api/v1/responses", data=body, content_type="application/json")
    assert response.status_code == 400, response.text[:300]
    assert response.is_json
    error = response.get_json()["error"]
    if shape != "unclosed" or depth > MAX_DEPTH:
        assert str(MAX_DEPTH) in error and "deep" in error
    assert count(db) == 0
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_deep_json_is_counted_by_the_rate_limit(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    app.config["RATELIMIT_SUBMIT"] = "3 per minute"
    body = '{"questionnaire":"' + SLUG + '","a":' + "[" * 2000 + "]" * 2000 + "}"
    statuses = [
        client.post("/api/v1/responses", data=body, content_type="application/json").status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    # An unreadable body counts against the client with no questionnaire, as a body
    # naming none does: that one is now limited as well.
    ok = client.post("/api/v1/responses", json={"token": "x"})
    assert ok.status_code == 429


def test_json_at_the_limit_is_parsed(client: FlaskClient, survey: Any, db: Database) -> None:
    # MAX_DEPTH levels in all, counting the top-level object: still an ordinary answer.
    inner = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    body = f'{{"questionnaire":"{SLUG}","token":"x","answers":{{"c":{inner}}}}}'
    response = client.post("/api/v1/responses", data=body, content_type="application/json")
    # Read and checked as usual: the made-up token is what is refused.
    assert response.status_code == 422
    assert "token" in response.get_json()["error"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 3_000])
def test_no_route_fails_on_deep_json(
    app: Flask,
    client: FlaskClient,
    survey: Any,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    depth: int,
) -> None:
    caplog.set_level(logging.WARNING)
    body = _nested(depth, "arrays under a key")
    tried = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH"}
        if not methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", "1").replace(f"<int:{name}>", "1")
            path = path.replace(f"<path:{name}>", "1")
        for method in sorted(methods):
            response = client.open(path, method=method, data=body, content_type="application/json")
            tried += 1
            assert response.status_code < 500, (method, path, response.text[:300])
            if path.startswith("/api/"):
                assert response.status_code == 400, (method, path)
    assert tried > 5
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ('"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', False),  # brackets inside a string
        ('"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""', False),  # escaped quotes
        ('{"k\\\\":' + "[" * 40 + "]" * 40 + "}", True),  # an escaped backslash ends a string
        ("[" * 40 + "]" * 40, True),
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
    ],
)
def test_depth_scan_skips_strings(text: str, deep: bool) -> None:
    if deep:
        with pytest.raises(JSONBodyError):
            check_depth(text.encode())
    else:
        check_depth(text.encode())
