"""Tests for the layered configuration (``ivr.config``)."""

from __future__ import annotations

import stat
from dataclasses import fields
from pathlib import Path

import pytest

from ivr.config import Config, ConfigError, load_config, read_setting

REPO = Path(__file__).resolve().parent.parent
KEY = "k" * 32


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    """Write a YAML file and return its path as the CLI would pass it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_embedded_defaults() -> None:
    """Without file, environment or flags the documented defaults apply."""
    config = load_config(env={})

    assert config.fastagi.host == "127.0.0.1"
    assert config.fastagi.port == 4573
    assert config.http.port == 8080
    assert config.database.url == "sqlite+aiosqlite:///./ivr.sqlite3"
    assert config.flow.path == "menus.yaml"
    assert config.prompts.dir == "prompts"
    assert config.calls.allow_clock_override is True
    assert config.logging.level == "INFO"


def test_hash_key_generated_once_with_mode_0600(in_tmp: Path) -> None:
    """An unset key is generated into .ivr-hash-key and reused on restart."""
    first = load_config(env={})
    second = load_config(env={})
    key_file = in_tmp / ".ivr-hash-key"

    assert len(first.privacy.hash_key) >= 32
    assert first.privacy.hash_key == second.privacy.hash_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_hash_key_never_in_repr() -> None:
    """The secret does not leak through repr (and so not into logs)."""
    config = load_config(env={"IVR_PRIVACY_HASH_KEY": KEY})

    assert config.privacy.hash_key == KEY.encode()
    assert KEY not in repr(config)


def test_layers_override_in_order(in_tmp: Path) -> None:
    """File beats defaults, environment beats file, flags beat environment."""
    path = write(
        in_tmp / "site.yaml",
        "fastagi:\n  port: 5000\n  host: 10.0.0.1\nhttp:\n  port: 9000\n",
    )
    env = {"IVR_FASTAGI_PORT": "5001", "IVR_HTTP_PORT": "9001", "PATH": "/bin"}

    config = load_config(path, env=env, overrides={"http.port": 9002})

    assert config.fastagi.host == "10.0.0.1"
    assert config.fastagi.port == 5001
    assert config.http.port == 9002


def test_default_file_in_working_folder_is_read(in_tmp: Path) -> None:
    """config/default.yaml in the working folder is used without --config."""
    write(in_tmp / "config" / "default.yaml", "logging:\n  level: DEBUG\n")

    assert load_config(env={}).logging.level == "DEBUG"


def test_nested_overrides_and_typed_env_values() -> None:
    """Flags may come nested; environment strings become bool and float."""
    env = {
        "IVR_CALLS_ALLOW_CLOCK_OVERRIDE": "false",
        "IVR_CALLS_REPLY_TIMEOUT": "2.5",
        "IVR_SHARED_DIR": "/elsewhere",
    }

    config = load_config(env=env, overrides={"prompts": {"dir": "/srv/p"}})

    assert config.calls.allow_clock_override is False
    assert config.calls.reply_timeout == 2.5
    assert config.prompts.dir == "/srv/p"


def test_unknown_yaml_key_names_file_line_and_suggestion(in_tmp: Path) -> None:
    """A misspelt key is an error pointing at file:line:col with a suggestion."""
    path = write(in_tmp / "c.yaml", "fastagi:\n  host: 127.0.0.1\n  prot: 4573\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})

    message = str(caught.value)
    assert f"{path}:3:3" in message
    assert "'fastagi.prot'" in message
    assert "did you mean 'fastagi.port'" in message


def test_unknown_section_is_an_error(in_tmp: Path) -> None:
    """A misspelt section is reported with the closest known section."""
    path = write(in_tmp / "c.yaml", "databse:\n  url: x\n")

    with pytest.raises(ConfigError, match="did you mean 'database'"):
        load_config(path, env={})


def test_unknown_env_key_in_known_section_is_an_error() -> None:
    """IVR_FASTAGI_PROT is a typo, not a variable for someone else."""
    with pytest.raises(ConfigError) as caught:
        load_config(env={"IVR_FASTAGI_PROT": "1"})

    assert "environment variable IVR_FASTAGI_PROT" in str(caught.value)
    assert "did you mean 'fastagi.port'" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"IVR_FASTAGI_PORT": "abc"}, "expected an integer, got 'abc'"),
        ({"IVR_FASTAGI_PORT": "70000"}, "from 0 to 65535"),
        ({"IVR_CALLS_DRAIN_SECONDS": "-1"}, "greater than 0"),
        ({"IVR_CALLS_ALLOW_CLOCK_OVERRIDE": "maybe"}, "expected true or false"),
        ({"IVR_LOGGING_LEVEL": "LOUD"}, "one of DEBUG"),
        ({"IVR_DATABASE_URL": "mysql://x"}, "postgresql+asyncpg://"),
        ({"IVR_PRIVACY_HASH_KEY": "short"}, "at least 16 characters"),
    ],
)
def test_bad_env_values_say_what_was_expected(
    env: dict[str, str], expected: str
) -> None:
    """Each bad value names its variable and the expected form."""
    with pytest.raises(ConfigError) as caught:
        load_config(env=env)

    assert expected in str(caught.value)
    if not env.get("IVR_PRIVACY_HASH_KEY"):
        assert f"environment variable {next(iter(env))}" in str(caught.value)


def test_bad_yaml_value_points_at_its_line(in_tmp: Path) -> None:
    """A wrongly typed YAML value is reported at its key's position."""
    path = write(in_tmp / "c.yaml", "http:\n  host: h\n  port: [1, 2]\n")

    with pytest.raises(ConfigError, match=r"c\.yaml:3:3: http\.port: expected an"):
        load_config(path, env={})


def test_invalid_yaml_and_missing_file_are_clear(in_tmp: Path) -> None:
    """Broken YAML and a missing --config file are named errors."""
    broken = write(in_tmp / "b.yaml", "http: [\n")

    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken, env={})
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(str(in_tmp / "absent.yaml"), env={})


def test_shipped_default_yaml_matches_embedded_defaults() -> None:
    """config/default.yaml writes out exactly the code defaults."""
    env = {"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY}

    from_file = load_config(str(REPO / "config" / "default.yaml"), env=env)

    assert from_file == load_config(env=env)
    assert [f.name for f in fields(Config)] == [
        "fastagi",
        "http",
        "database",
        "flow",
        "prompts",
        "calls",
        "privacy",
        "admin",
        "ami",
        "cti",
        "tickets",
        "queries",
        "logging",
    ]


def test_production_sample_requires_secrets_from_environment() -> None:
    """The production sample refuses to start without URL and hash key."""
    sample = str(REPO / "config" / "production.sample.yaml")
    url = "postgresql+asyncpg://ivr@db/ivr"

    with pytest.raises(ConfigError, match="IVR_DATABASE_URL"):
        load_config(sample, env={"IVR_PRIVACY_HASH_KEY": KEY})
    with pytest.raises(ConfigError, match="IVR_PRIVACY_HASH_KEY"):
        load_config(sample, env={"IVR_DATABASE_URL": url})
    config = load_config(
        sample, env={"IVR_DATABASE_URL": url, "IVR_PRIVACY_HASH_KEY": KEY}
    )

    assert config.database.url == url
    assert config.calls.allow_clock_override is False
    assert config.fastagi.host == "0.0.0.0"
    assert config.queries.demo_backend is False
    assert "redis://" not in repr(config.queries)
    assert not Path(".ivr-hash-key").exists()


def test_read_setting_takes_the_environment_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One setting, last layer first; no key or token file is created."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "ivr.yaml"
    config.write_text("queries:\n  backends_file: from-file.yaml\n", "utf-8")

    from_file = read_setting("queries.backends_file", str(config), env={})
    from_env = read_setting(
        "queries.backends_file",
        str(config),
        env={"IVR_QUERIES_BACKENDS_FILE": "from-env.yaml"},
    )
    unset = read_setting("queries.redis_url", str(config), env={})

    assert (from_file, from_env, unset) == ("from-file.yaml", "from-env.yaml", None)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ivr.yaml"]


def test_ticket_limits_out_of_reason_are_refused(in_tmp: Path) -> None:
    """A reply deadline of 400 working days (a year and a half promised to a
    caller) or a ten-hour recording is a typo: named with its line and range."""
    days = in_tmp / "days.yaml"
    days.write_text("tickets:\n  message_days: 400\n", encoding="utf-8")
    seconds = in_tmp / "seconds.yaml"
    seconds.write_text("tickets:\n  max_seconds: 36000\n", encoding="utf-8")

    days_error = r"days\.yaml:2:3: tickets\.message_days: .*1 to 60"
    with pytest.raises(ConfigError, match=days_error):
        load_config(days, env={})
    with pytest.raises(ConfigError, match=r"seconds\.yaml:2:3: .*at most 600"):
        load_config(seconds, env={})
