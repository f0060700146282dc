"""Settings read from environment variables, with safe defaults.

This is the only module that reads ``os.environ`` for application settings.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class ConfigError(Exception):
    """A setting is invalid; the message says which one and why."""


def _default_questionnaires_dir() -> Path:
    shipped = REPO_DIR / "questionnaires"
    return shipped if shipped.is_dir() else Path.cwd() / "questionnaires"


def _instance_secret_key(instance_path: Path) -> str:
    """Return the instance's generated secret key, creating it once.

    Several workers starting at once must agree on one key, so the file is
    created exclusively and a loser of the race reads the winner's key.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / SECRET_KEY_FILE
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        stored = path.read_text(encoding="ascii").strip()
        if len(stored) < 32:
            raise ConfigError(
                f"{path}: the stored secret key is too short; delete the file to make a new one"
            ) from None
        return stored
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def _validate_database_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"SURVEYAPP_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigError(
            "SURVEYAPP_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, "
            f"not {parsed.get_backend_name()!r}"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise ConfigError(
            "SURVEYAPP_DATABASE_URL: use the psycopg 3 driver (postgresql+psycopg://...)"
        )
    return url


def _validate_public_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"SURVEYAPP_PUBLIC_URL must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


def _int_setting(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _number_setting(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not minimum <= value < float("inf"):
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw}")
    return value


def load_settings(
    instance_path: Path,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables.

    ``overrides`` (Flask config keys) take precedence over the environment and
    are validated the same way. Raises ConfigError with a message naming the
    variable when one is invalid.
    """
    env = os.environ if env is None else env
    overrides = overrides or {}
    database_url = (
        overrides.get("DATABASE_URL")
        or env.get("SURVEYAPP_DATABASE_URL")
        or f"sqlite:///{instance_path / 'surveyapp.sqlite'}"
    )
    secret_key = (
        overrides.get("SECRET_KEY")
        or env.get("SURVEYAPP_SECRET_KEY")
        or _instance_secret_key(instance_path)
    )
    if len(secret_key) < 16:
        raise ConfigError("SURVEYAPP_SECRET_KEY must be at least 16 characters long")
    tz_name = env.get("SURVEYAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SURVEYAPP_TIMEZONE is not a known time zone: {tz_name!r}") from None
    settings: dict[str, Any] = {
        "SECRET_KEY": secret_key,
        "DATABASE_URL": _validate_database_url(database_url),
        "TIMEZONE": tz_name,
        "PUBLIC_URL": _validate_public_url(
            env.get("SURVEYAPP_PUBLIC_URL", "http://127.0.0.1:8000")
        ),
        "QUESTIONNAIRES_DIR": Path(
            env.get("SURVEYAPP_QUESTIONNAIRES_DIR") or _default_questionnaires_dir()
        ),
        "SQLITE_BUSY_TIMEOUT_MS": _int_setting(env, "SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS", 5000, 0),
        "MAX_CONTENT_LENGTH": _int_setting(env, "SURVEYAPP_MAX_CONTENT_LENGTH", 256 * 1024, 1024),
        # Public form: anti-abuse and token lifetime.
        "MIN_FILL_SECONDS": _number_setting(env, "SURVEYAPP_MIN_FILL_SECONDS", 3.0, 0.0),
        "FORM_TOKEN_MAX_AGE": _number_setting(env, "SURVEYAPP_FORM_TOKEN_MAX_AGE", 86400.0, 60.0),
        # Rate limits (Flask-Limiter). The in-memory store counts per worker process.
        "RATELIMIT_STORAGE_URI": env.get("SURVEYAPP_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_SUBMIT": env.get("SURVEYAPP_RATELIMIT_SUBMIT") or "20 per minute;300 per hour",
        "RATELIMIT_VIEW": env.get("SURVEYAPP_RATELIMIT_VIEW") or "120 per minute",
        # Reverse proxies in front whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": _int_setting(env, "SURVEYAPP_PROXY_COUNT", 0, 0),
    }
    settings.update(overrides)
    return settings
