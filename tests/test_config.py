from __future__ import annotations

from pathlib import Path

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
    ],
)
def test_invalid_settings_are_refused_with_the_variable_named(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, env={"SURVEYAPP_SECRET_KEY": "k" * 32, **env})


def test_create_app_refuses_invalid_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SURVEYAPP_DATABASE_URL"):
        create_app({"DATABASE_URL": "oracle://nope", "SECRET_KEY": "k" * 32})


def test_short_stored_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("abc")
    with pytest.raises(ConfigError, match="too short"):
        load_settings(tmp_path, env={})
