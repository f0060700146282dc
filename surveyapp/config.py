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
#: Where ``surveyapp serve`` notes the address it serves at when SURVEYAPP_PUBLIC_URL is
#: unset, so that later commands (embed-snippet, posters) link to the same port.
SERVED_URL_FILE = "served_url"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Reports: the longest span asked (days, both ends counted) and the most trend periods.
DEFAULT_REPORT_MAX_DAYS = 3660
DEFAULT_REPORT_MAX_PERIODS = 240
#: The terms that give comments their topics (SIPAS criteria, problem flags).
DEFAULT_COMMENT_LEXICON = PACKAGE_DIR / "data" / "comment_lexicon.yaml"


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


def _comment_lexicon(env: Mapping[str, str]) -> Path:
    """The lexicon file; a file that cannot be used stops the start with its error."""
    from analysis.comments import LexiconError, load_lexicon

    path = Path(env.get("SURVEYAPP_COMMENT_LEXICON") or DEFAULT_COMMENT_LEXICON)
    try:
        load_lexicon(path)
    except LexiconError as exc:
        raise ConfigError(f"SURVEYAPP_COMMENT_LEXICON: {exc}") from None
    return path


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


def _served_url(instance_path: Path) -> str | None:
    """Return the address the last local ``surveyapp serve`` noted, if it is a valid one."""
    try:
        noted = (instance_path / SERVED_URL_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return _validate_public_url(noted)
    except ConfigError:
        return None


def write_served_url(instance_path: Path, url: str) -> None:
    """Note ``url`` as the address served at (SURVEYAPP_PUBLIC_URL being unset)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    (instance_path / SERVED_URL_FILE).write_text(_validate_public_url(url) + "\n", "ascii")


def _validate_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or parts.path):
        raise ConfigError(
            "SURVEYAPP_REDIS_URL must be a redis://HOST:PORT/DB, rediss:// or unix:// URL, "
            f"not {url!r}"
        )
    try:
        import redis  # noqa: F401 - only checks that the client is installed
    except ImportError:
        raise ConfigError(
            "SURVEYAPP_REDIS_URL is set but the redis client is not installed: "
            'pip install "surveyapp[redis]"'
        ) from None
    return url


def _flag_setting(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true or false), not {env.get(name)!r}")


def check_shared_state(settings: Mapping[str, Any]) -> None:
    """Refuse settings that keep per-process or per-machine state (several app servers).

    Several app servers behind a load balancer must share the secret key (sessions,
    form tokens), the database and the rate-limit counters; a generated key, a SQLite
    file or in-memory limits would each silently differ between them.
    """
    problems = []
    if settings.get("SECRET_KEY_GENERATED"):
        problems.append(
            "SURVEYAPP_SECRET_KEY is not set (a key generated into instance/ differs "
            "on every machine)"
        )
    if str(settings.get("DATABASE_URL", "")).startswith("sqlite"):
        problems.append("SURVEYAPP_DATABASE_URL is a SQLite file on this machine")
    if str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        problems.append(
            "rate limits are counted in memory per process: set SURVEYAPP_REDIS_URL "
            "(or SURVEYAPP_RATELIMIT_STORAGE_URL)"
        )
    if problems:
        raise ConfigError("SURVEYAPP_REQUIRE_SHARED_STATE is set but " + "; ".join(problems))


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


SMTP_SECURITY = ("starttls", "ssl", "none")


def _smtp_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Alert e-mail: ``SURVEYAPP_SMTP_URL`` (smtp://user:pass@host:port), its security, from."""
    url = env.get("SURVEYAPP_SMTP_URL") or ""
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                "SURVEYAPP_SMTP_URL must be smtp://[USER:PASS@]HOST[:PORT] or smtps://..., "
                f"not {parts.scheme or url!r}"
            )
        try:
            parts.port  # noqa: B018 - reading it validates the port
        except ValueError:
            raise ConfigError("SURVEYAPP_SMTP_URL has an invalid port") from None
    default = "ssl" if url.startswith("smtps:") else "starttls"
    security = (env.get("SURVEYAPP_SMTP_SECURITY") or default).strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(
            f"SURVEYAPP_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}"
        )
    sender = env.get("SURVEYAPP_SMTP_FROM") or ""
    if url and "@" not in sender:
        raise ConfigError("SURVEYAPP_SMTP_FROM must be an e-mail address when SMTP_URL is set")
    return {"SMTP_URL": url, "SMTP_SECURITY": security, "SMTP_FROM": sender}


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
    require_shared = bool(
        overrides.get("REQUIRE_SHARED_STATE")
        if "REQUIRE_SHARED_STATE" in overrides
        else _flag_setting(env, "SURVEYAPP_REQUIRE_SHARED_STATE")
    )
    secret_key = overrides.get("SECRET_KEY") or env.get("SURVEYAPP_SECRET_KEY")
    secret_generated = not secret_key
    if not secret_key and not require_shared:
        # Never write a per-machine key when several machines are required to agree.
        secret_key = _instance_secret_key(instance_path)
    secret_key = secret_key or ""
    if secret_key and len(secret_key) < 16:
        raise ConfigError("SURVEYAPP_SECRET_KEY must be at least 16 characters long")
    tz_name = env.get("SURVEYAPP_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SURVEYAPP_TIMEZONE is not a known time zone: {tz_name!r}") from None
    public_url = env.get("SURVEYAPP_PUBLIC_URL") or ""
    public_configured = bool(public_url)
    if not public_url:
        public_url = _served_url(instance_path) or DEFAULT_PUBLIC_URL
    raw_redis = overrides.get("REDIS_URL", env.get("SURVEYAPP_REDIS_URL"))
    redis_url = _validate_redis_url(raw_redis) if raw_redis else None
    settings: dict[str, Any] = {
        "SECRET_KEY": secret_key,
        "DATABASE_URL": _validate_database_url(database_url),
        "TIMEZONE": tz_name,
        # The app's own address: links, snippets, posters and the origin that forms are
        # accepted from. Never taken from a request's Host header (the client's choice).
        "PUBLIC_URL": _validate_public_url(public_url),
        "PUBLIC_URL_CONFIGURED": public_configured,
        "QUESTIONNAIRES_DIR": Path(
            env.get("SURVEYAPP_QUESTIONNAIRES_DIR") or _default_questionnaires_dir()
        ),
        "SQLITE_BUSY_TIMEOUT_MS": _int_setting(env, "SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS", 5000, 0),
        "MAX_CONTENT_LENGTH": _int_setting(env, "SURVEYAPP_MAX_CONTENT_LENGTH", 256 * 1024, 1024),
        # Public form: anti-abuse and token lifetime.
        "MIN_FILL_SECONDS": _number_setting(env, "SURVEYAPP_MIN_FILL_SECONDS", 3.0, 0.0),
        "FORM_TOKEN_MAX_AGE": _number_setting(env, "SURVEYAPP_FORM_TOKEN_MAX_AGE", 86400.0, 60.0),
        # Shared state of several app servers: Redis holds rate-limit counters and the
        # city report cache when set.
        "REDIS_URL": redis_url,
        "REQUIRE_SHARED_STATE": require_shared,
        "SECRET_KEY_GENERATED": secret_generated,
        # Rate limits (Flask-Limiter). The in-memory store counts per worker process;
        # an explicit storage URL wins over SURVEYAPP_REDIS_URL.
        "RATELIMIT_STORAGE_URI": (
            env.get("SURVEYAPP_RATELIMIT_STORAGE_URL") or redis_url or "memory://"
        ),
        "RATELIMIT_SUBMIT": env.get("SURVEYAPP_RATELIMIT_SUBMIT") or "20 per minute;300 per hour",
        "RATELIMIT_VIEW": env.get("SURVEYAPP_RATELIMIT_VIEW") or "120 per minute",
        # Looking a feedback case up by receipt code (/r/<receipt>), per client.
        "RATELIMIT_LOOKUP": env.get("SURVEYAPP_RATELIMIT_LOOKUP") or "20 per minute;200 per hour",
        # Public results: an agency with fewer responses than this is not shown.
        "PUBLIC_MIN_N": _int_setting(env, "SURVEYAPP_PUBLIC_MIN_N", 30, 1),
        # Requests per API token over the report routes, whatever the client's address.
        "RATELIMIT_API_TOKEN": env.get("SURVEYAPP_RATELIMIT_API_TOKEN") or "60 per minute",
        # Reports: a breakdown cell on fewer respondents is not shown (nor recoverable).
        "SUPPRESS_MIN_N": _int_setting(env, "SURVEYAPP_SUPPRESS_MIN_N", 10, 1),
        # Reports: a longer span or more trend periods is refused (400) on every surface.
        "REPORT_MAX_DAYS": _int_setting(
            env, "SURVEYAPP_REPORT_MAX_DAYS", DEFAULT_REPORT_MAX_DAYS, 1
        ),
        "REPORT_MAX_PERIODS": _int_setting(
            env, "SURVEYAPP_REPORT_MAX_PERIODS", DEFAULT_REPORT_MAX_PERIODS, 1
        ),
        # Counter kiosks: how many days an enrolled kiosk's queued ratings are accepted
        # after they were given, how long a half-filled kiosk form waits before it is
        # cleared, and how long the thank-you screen shows (seconds).
        "KIOSK_QUEUE_DAYS": _int_setting(env, "SURVEYAPP_KIOSK_QUEUE_DAYS", 7, 1),
        "KIOSK_IDLE_SECONDS": _int_setting(env, "SURVEYAPP_KIOSK_IDLE_SECONDS", 60, 5),
        "KIOSK_THANKS_SECONDS": _int_setting(env, "SURVEYAPP_KIOSK_THANKS_SECONDS", 5, 1),
        # Reverse proxies in front whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": _int_setting(env, "SURVEYAPP_PROXY_COUNT", 0, 0),
        "COMMENT_LEXICON": _comment_lexicon(env),
        **_smtp_settings(env),
    }
    settings.update(overrides)
    if require_shared:
        check_shared_state(settings)
    return settings
