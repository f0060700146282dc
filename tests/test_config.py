from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surveyapp import create_app
from surveyapp.config import ConfigError, load_settings


def test_defaults_use_sqlite_in_instance_and_generate_a_kept_secret(tmp_path: Path) -> None:
    first = load_settings(tmp_path, env={})
    second = load_settings(tmp_path, env={})
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'surveyapp.sqlite'}"
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["TIMEZONE"] == "Asia/Ho_Chi_Minh"


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        env={
            "SURVEYAPP_DATABASE_URL": "postgresql+psycopg://u@localhost/db",
            "SURVEYAPP_SECRET_KEY": "x" * 40,
            "SURVEYAPP_TIMEZONE": "UTC",
        },
    )
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@localhost/db"
    assert settings["SECRET_KEY"] == "x" * 40
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SURVEYAPP_DATABASE_URL": "mysql://x/y"}, "SURVEYAPP_DATABASE_URL"),
        ({"SURVEYAPP_DATABASE_URL": "postgresql+psycopg2://u@h/db"}, "psycopg"),
        ({"SURVEYAPP_DATABASE_URL": "not a url"}, "SURVEYAPP_DATABASE_URL"),
        ({"SURVEYAPP_SECRET_KEY": "short"}, "SURVEYAPP_SECRET_KEY"),
        ({"SURVEYAPP_TIMEZONE": "Mars/Olympus"}, "SURVEYAPP_TIMEZONE"),
        ({"SURVEYAPP_PUBLIC_URL": "ftp://x"}, "SURVEYAPP_PUBLIC_URL"),
        ({"SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS": "soon"}, "SURVEYAPP_SQLITE_BUSY_TIMEOUT_MS"),
        ({"SURVEYAPP_REPORT_MAX_DAYS": "0"}, "SURVEYAPP_REPORT_MAX_DAYS"),
        ({"SURVEYAPP_REPORT_MAX_PERIODS": "many"}, "SURVEYAPP_REPORT_MAX_PERIODS"),
    ],
)
def test_invalid_settings_are_refused_with_the_variable_named(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, env={"SURVEYAPP_SECRET_KEY": "k" * 32, **env})


def test_report_limits_are_settings(tmp_path: Path) -> None:
    env = {"SURVEYAPP_SECRET_KEY": "k" * 32}
    defaults = load_settings(tmp_path, env=env)
    assert (defaults["REPORT_MAX_DAYS"], defaults["REPORT_MAX_PERIODS"]) == (3660, 240)
    chosen = load_settings(
        tmp_path,
        env={**env, "SURVEYAPP_REPORT_MAX_DAYS": "400", "SURVEYAPP_REPORT_MAX_PERIODS": "12"},
    )
    assert (chosen["REPORT_MAX_DAYS"], chosen["REPORT_MAX_PERIODS"]) == (400, 12)


def test_create_app_refuses_invalid_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SURVEYAPP_DATABASE_URL"):
        create_app({"DATABASE_URL": "oracle://nope", "SECRET_KEY": "k" * 32})


def test_short_stored_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("abc")
    with pytest.raises(ConfigError, match="too short"):
        load_settings(tmp_path, env={})


# -- several app servers: Redis and shared state --------------------------------------------

SHARED = {
    "SURVEYAPP_SECRET_KEY": "s" * 40,
    "SURVEYAPP_DATABASE_URL": "postgresql+psycopg://u@db.internal/surveyapp",
    "SURVEYAPP_REDIS_URL": "redis://redis.internal:6379/0",
}


def test_redis_url_stores_rate_limits_unless_a_storage_url_is_given(tmp_path: Path) -> None:
    alone = load_settings(tmp_path, env={"SURVEYAPP_SECRET_KEY": "k" * 32})
    assert alone["REDIS_URL"] is None
    assert alone["RATELIMIT_STORAGE_URI"] == "memory://"
    shared = load_settings(tmp_path, env=SHARED)
    assert shared["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0"
    explicit = load_settings(
        tmp_path, env={**SHARED, "SURVEYAPP_RATELIMIT_STORAGE_URL": "memory://"}
    )
    assert explicit["RATELIMIT_STORAGE_URI"] == "memory://"
    assert explicit["REDIS_URL"] == "redis://redis.internal:6379/0"


@pytest.mark.parametrize("url", ["http://redis:6379", "redis:", "localhost:6379"])
def test_a_bad_redis_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="SURVEYAPP_REDIS_URL"):
        load_settings(tmp_path, env={"SURVEYAPP_SECRET_KEY": "k" * 32, "SURVEYAPP_REDIS_URL": url})


def test_shared_state_required_and_given(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={**SHARED, "SURVEYAPP_REQUIRE_SHARED_STATE": "1"})
    assert settings["REQUIRE_SHARED_STATE"] is True


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SURVEYAPP_SECRET_KEY", "SURVEYAPP_SECRET_KEY is not set"),
        ("SURVEYAPP_DATABASE_URL", "SQLite"),
        ("SURVEYAPP_REDIS_URL", "rate limits are counted in memory"),
    ],
)
def test_shared_state_required_refuses_per_machine_state(
    tmp_path: Path, missing: str, message: str
) -> None:
    env = {k: v for k, v in SHARED.items() if k != missing}
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, env={**env, "SURVEYAPP_REQUIRE_SHARED_STATE": "true"})
    assert not (tmp_path / "secret_key").exists()  # no per-machine key was made


def test_shared_state_flag_must_be_a_boolean(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SURVEYAPP_REQUIRE_SHARED_STATE"):
        load_settings(tmp_path, env={**SHARED, "SURVEYAPP_REQUIRE_SHARED_STATE": "maybe"})


def test_create_app_refuses_in_memory_limits_when_shared_state_is_required() -> None:
    with pytest.raises(ConfigError, match="in memory"):
        create_app(
            {
                "DATABASE_URL": "postgresql+psycopg://u@db.internal/surveyapp",
                "SECRET_KEY": "k" * 32,
                "REQUIRE_SHARED_STATE": True,
            }
        )


def test_serve_require_shared_state_refuses_in_memory_limits(cli: Any) -> None:
    result = cli("serve", "--workers", "4", "--require-shared-state")
    assert result.exit_code == 1
    assert "--require-shared-state is set but" in result.output
    assert "rate limits are counted in memory" in result.output
