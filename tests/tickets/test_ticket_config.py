"""The ``tickets`` configuration section: defaults, documents, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import Config, ConfigError, FaxDocumentSettings, load_config

KEY = "k" * 32
ENV = {"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(tmp_path: Path, text: str) -> Config:
    """Load a configuration file holding ``text``."""
    path = tmp_path / "ivr.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(str(path), env=ENV)


def test_defaults_promise_three_working_days() -> None:
    """Without settings every kind gets 3 working days, fax sending off."""
    tickets = load_config(env=ENV).tickets

    assert (tickets.message_days, tickets.complaint_days, tickets.fax_days) == (3, 3, 3)
    assert tickets.fax_documents == ()
    assert tickets.fax_sending is False


def test_production_sample_records_where_asterisk_does() -> None:
    """The production sample names Asterisk's spool folder for messages."""
    sample = str(REPO / "config" / "production.sample.yaml")
    env = {**ENV, "IVR_DATABASE_URL": "postgresql+asyncpg://ivr@db/ivr"}

    tickets = load_config(sample, env=env).tickets

    assert tickets.recordings_dir == "/var/spool/asterisk/ivr-messages"


def test_fax_documents_from_yaml(tmp_path: Path) -> None:
    """A list of documents becomes FaxDocumentSettings in order."""
    text = (
        "tickets:\n"
        "  fax_documents:\n"
        "    - {key: '1', id: form-a, title: 表A, path: /srv/a.tif}\n"
        "    - {key: '2', id: form-b, title: 表B, path: /srv/b.tif, prompt: p-b}\n"
    )

    tickets = load(tmp_path, text).tickets

    assert tickets.fax_documents == (
        FaxDocumentSettings("1", "form-a", "表A", "/srv/a.tif"),
        FaxDocumentSettings("2", "form-b", "表B", "/srv/b.tif", "p-b"),
    )


def test_fax_area_codes_and_daily_limit() -> None:
    """Any area and three faxes a day by default; codes from the file in
    quotes, or from the environment separated by commas."""
    env = {**ENV, "IVR_TICKETS_FAX_AREA_CODES": "010, 0755"}

    default = load_config(env=ENV).tickets
    listed = load_config(env=env).tickets

    assert (default.fax_area_codes, default.fax_per_caller_day) == ((), 3)
    assert listed.fax_area_codes == ("010", "0755")


def test_fax_documents_from_the_environment() -> None:
    """IVR_TICKETS_FAX_DOCUMENTS carries the list as YAML text."""
    env = {
        **ENV,
        "IVR_TICKETS_FAX_DOCUMENTS": "[{key: '3', id: c, title: C, path: /c}]",
    }

    tickets = load_config(env=env).tickets

    assert [d.id for d in tickets.fax_documents] == ["c"]
    with pytest.raises(ConfigError, match=r"IVR_TICKETS_FAX_DOCUMENTS.*not a YAML"):
        load_config(env={**ENV, "IVR_TICKETS_FAX_DOCUMENTS": "[{key: '3'"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tickets:\n  fax_documents: {key: 1}\n",
            r"ivr.yaml:2:3: tickets.fax_doc.*list",
        ),
        (
            "tickets:\n  fax_documents:\n    - {key: '1', id: a}\n",
            "document 1: needs key, id, title and path",
        ),
        (
            "tickets:\n  fax_documents:\n    - {key: '1', id: a, title: A, path: /a,"
            " colour: red}\n",
            r"document 1: unknown \['colour'\]",
        ),
        (
            "tickets:\n  fax_documents:\n"
            "    - {key: '12', id: a, title: A, path: /a}\n",
            "each key must be one digit",
        ),
        (
            "tickets:\n  fax_documents:\n    - {key: '1', id: a, title: A, path: /a}\n"
            "    - {key: '1', id: b, title: B, path: /b}\n",
            "keys and ids must be unique",
        ),
        ("tickets:\n  fax_area_codes: [010]\n", "area code in quotes"),
        ("tickets:\n  fax_area_codes: ['10']\n", "mainland area codes with their 0"),
        ("tickets:\n  fax_area_codes: '011'\n", "mainland area codes with their 0"),
        ("tickets:\n  fax_per_caller_day: 0\n", "fax_per_caller_day.*greater"),
        ("tickets:\n  fax_sending: true\n", "fax_context: needed"),
        ("tickets:\n  min_seconds: 10\n  max_seconds: 5\n", "longer than min_seconds"),
        ("tickets:\n  prefix: '12a'\n", "up to six digits"),
        ("tickets:\n  recording_format: mp3\n", "one of wav"),
        ("tickets:\n  message_days: 0\n", "tickets.message_days.*from 1 to 60"),
        ("tickets:\n  node: 12\n", "single digit"),
        ("tickets:\n  grace: 5\n", "did you mean 'tickets.grace_seconds'"),
    ],
)
def test_bad_ticket_settings_are_clear(tmp_path: Path, text: str, message: str) -> None:
    """Each bad setting is refused with the key and what is expected."""
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, text)
