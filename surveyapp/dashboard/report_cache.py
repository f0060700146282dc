"""Where city-wide reports are cached: in this process, or in Redis shared by app servers.

A city report is cached under a fingerprint of the aggregates it was built from,
so an entry is never stale; the cache only saves recomputing it. Without
``SURVEYAPP_REDIS_URL`` the cache is a small per-process LRU. With it, every app
server reads and writes one Redis: the report is stored as its JSON form
(``surveyapp.reporting.serialise``) and read back by the report dataclasses' own
type hints, never unpickled, so nothing in the shared store can run code. Keys
are keyed hashes (HMAC with the secret key), so deployments sharing one Redis
never read each other's reports. A Redis that is down costs a warning and a
recomputation, never an error page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import json
import logging
import threading
import types
import typing
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context

from surveyapp.reporting.model import CITY_SCHEMA, CityReport
from surveyapp.reporting.serialise import dumps

logger = logging.getLogger(__name__)

#: Reports kept per process without Redis.
LOCAL_SIZE = 8
#: Seconds a report stays in Redis: the key changes with the data, this bounds memory.
REDIS_TTL_SECONDS = 3600
#: Seconds to wait for Redis before computing without it.
REDIS_TIMEOUT_SECONDS = 1.0
#: Bump when the report model changes shape, so older entries are never decoded.
FORMAT = f"{CITY_SCHEMA}+cache1"
EXTENSION_KEY = "surveyapp.report_cache"


class CacheFormatError(ValueError):
    """Stored data does not have the shape of the report dataclasses."""


class LocalCache:
    """A small least-recently-used cache of reports in this process."""

    def __init__(self, size: int = LOCAL_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, CityReport] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], CityReport]) -> CityReport:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        report = compute()
        with self.lock:
            self.entries[key] = report
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return report

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class RedisCache:
    """Reports in Redis as JSON, under keyed hashes of their fingerprints, with a TTL."""

    def __init__(self, url: str, secret: str, ttl: int = REDIS_TTL_SECONDS) -> None:
        import redis

        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self.secret = secret.encode("utf-8")
        self.ttl = ttl

    def key(self, fingerprint: Hashable) -> str:
        message = f"{FORMAT}:{fingerprint!r}".encode()
        return "surveyapp:city-report:" + hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def get_or_compute(
        self, fingerprint: Hashable, compute: Callable[[], CityReport]
    ) -> CityReport:
        key = self.key(fingerprint)
        try:
            stored = self.client.get(key)
        except self.errors as exc:
            logger.warning("report cache: Redis unavailable, computing without it: %s", exc)
            return compute()
        if stored is not None:
            try:
                return city_report_from_json(bytes(stored))  # type: ignore[arg-type]
            except (CacheFormatError, ValueError) as exc:
                logger.warning("report cache: unreadable entry %s ignored: %s", key, exc)
        report = compute()
        try:
            self.client.set(key, dumps(report, indent=None).encode("utf-8"), ex=self.ttl)
        except self.errors as exc:
            logger.warning("report cache: Redis unavailable, report not stored: %s", exc)
        return report


#: The per-process cache (used without Redis, and outside an app).
local = LocalCache()


def current() -> LocalCache | RedisCache:
    """Return the current app's cache: Redis when ``REDIS_URL`` is set, else this process's."""
    if not has_app_context():
        return local
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        url = app.config.get("REDIS_URL")
        cache = RedisCache(url, str(app.config["SECRET_KEY"])) if url else local
        app.extensions[EXTENSION_KEY] = cache
    return typing.cast(LocalCache | RedisCache, cache)


# -- reading the JSON form back ----------------------------------------------------------


def city_report_from_json(data: bytes | str) -> CityReport:
    """Rebuild a CityReport from its JSON form; raise CacheFormatError on any mismatch."""
    report = from_plain(CityReport, json.loads(data))
    if report.schema != CITY_SCHEMA:
        raise CacheFormatError(f"schema {report.schema!r} is not {CITY_SCHEMA!r}")
    return typing.cast(CityReport, report)


def from_plain(hint: Any, value: Any) -> Any:
    """Rebuild a value of type ``hint`` from what ``serialise.plain`` made of it."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None:
            if type(None) in options:
                return None
            raise CacheFormatError(f"null where {hint!r} is expected")
        for option in options:
            if option is type(None):
                continue
            try:
                return from_plain(option, value)
            except CacheFormatError:
                continue
        raise CacheFormatError(f"{value!r} is not a {hint!r}")
    if origin is tuple:
        if not isinstance(value, list):
            raise CacheFormatError(f"{value!r} is not a list")
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v) for v in value)
        if len(args) != len(value):
            raise CacheFormatError(f"{value!r} does not have {len(args)} items")
        return tuple(from_plain(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if not isinstance(value, dict):
            raise CacheFormatError(f"{value!r} is not an object")
        return {from_plain(key_type, k): from_plain(value_type, v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_from_plain(hint, value)
    return _scalar_from_plain(hint, value)


def _dataclass_from_plain(cls: type, value: Any) -> Any:
    if not isinstance(value, dict):
        raise CacheFormatError(f"{value!r} is not an object for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    names = {f.name.rstrip("_") for f in fields}
    if set(value) != names:
        raise CacheFormatError(f"{cls.__name__} fields differ: {sorted(set(value) ^ names)}")
    return cls(**{f.name: from_plain(hints[f.name], value[f.name.rstrip("_")]) for f in fields})


def _scalar_from_plain(hint: Any, value: Any) -> Any:
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        # A float field may hold an int (a count): JSON keeps 30 and 30.0 apart.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is dt.datetime:
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
    elif hint is dt.date:
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    elif hint is Any:
        return value
    else:
        raise CacheFormatError(f"cannot read {hint!r} back")
    raise CacheFormatError(f"{value!r} is not a {hint!r}")
