"""Fax documents of the configuration, checked by ``ivr check``, start-up and
reload: an unknown prompt is an error, a fax node without documents a
warning."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from flow_fakes import MENUS, PROMPTS

from ivr.cli import main
from ivr.config import load_config
from ivr.flow import check_main
from ivr.reload import FlowRefusedError, read_flow
from ivr.ticket_settings import FaxDocumentSettings

KEY = "k" * 32
ENV = {"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY}
NOPE = FaxDocumentSettings("1", "pension-guide", "指南", "/srv/p.tif", "nope-prompt")
GUIDE = FaxDocumentSettings(
    "1", "pension-guide", "指南", "/srv/p.tif", "fax-doc-pension-guide"
)
CONFIG = """\
tickets:
  fax_documents:
    - {key: "1", id: pension-guide, title: 指南, path: /srv/p.tif,
       prompt: nope-prompt}
"""


def _fax_node_line() -> int:
    lines = MENUS.read_text(encoding="utf-8").splitlines()
    return lines.index("  fax-request:") + 1


def _check(documents: tuple[FaxDocumentSettings, ...]) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = check_main(
        str(MENUS),
        str(PROMPTS),
        fax_documents=documents,
        fax_origin="fax.yaml:3:3",
        today=date(2026, 3, 1),
        out=out,
    )
    return status, out.getvalue().splitlines()


def test_an_unknown_document_prompt_is_an_error() -> None:
    """The caller would hear silence for that option: an error at the
    configuration's place, naming the document and the prompt."""
    status, lines = _check((NOPE,))

    assert status == 1
    assert (
        "fax.yaml:3:3: error: tickets.fax_documents: document 'pension-guide' "
        "names prompt 'nope-prompt', which is not in prompts.yaml"
    ) in "\n".join(lines)
    assert lines[-1].endswith("; the flow cannot be loaded")


def test_a_fax_node_without_documents_is_a_warning() -> None:
    """The shipped menus offer fax: with no documents configured the fax
    node is a warning at its line; known prompts are no problem."""
    empty_status, empty = _check(())
    known_status, known = _check((GUIDE,))

    assert empty_status == 0
    expected = f"{MENUS}:{_fax_node_line()}:3: warning: fax node 'fax-request'"
    assert any(line.startswith(expected) for line in empty)
    assert "fax.yaml:3:3" in next(line for line in empty if "fax node" in line)
    assert known_status == 0
    assert not [line for line in known if "fax_documents" in line]


def test_ivr_check_reads_the_documents_of_its_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ivr check --config`` names the configuration file and line."""
    config = tmp_path / "fax.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    status = main(
        ["check", str(MENUS), "--prompts", str(PROMPTS), "--config", str(config)]
    )

    out = capsys.readouterr().out
    assert status == 1
    assert (
        f"{config}:2:3: error: tickets.fax_documents: document 'pension-guide'" in out
    )


def test_start_up_refuses_an_unknown_prompt_and_warns_without_documents(
    tmp_path: Path,
) -> None:
    """Start-up and reload (read_flow) refuse the flow for an unknown fax
    document prompt and warn when the fax node has nothing to offer."""
    config = tmp_path / "fax.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = f"flow:\n  path: {MENUS}\nprompts:\n  dir: {PROMPTS}\n"
    bare = tmp_path / "bare.yaml"
    bare.write_text(settings, encoding="utf-8")
    config.write_text(settings + CONFIG, encoding="utf-8")

    with pytest.raises(FlowRefusedError) as refused:
        read_flow(load_config(str(config), env=ENV))
    _, warnings, _ = read_flow(load_config(str(bare), env=ENV))

    assert any("'nope-prompt'" in line for line in refused.value.problems)
    assert [str(p) for p in warnings if "fax node 'fax-request'" in p.message]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("tickets:\n  message_days: 61\n", "tickets.message_days: expected"),
        ("tickets:\n  max_seconds: 100000\n", "tickets.max_seconds: expected"),
        ("tickets:\n  node: 12\n", "tickets.node: expected"),
    ],
)
def test_ivr_check_applies_every_rule_of_the_service_to_its_config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    expected: str,
) -> None:
    """A configuration ``ivr serve`` would refuse fails ``ivr check --config``
    with the same words and line, so ops learn it before the deploy; a good
    one is said to be accepted. No key file is created by checking."""
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text(setting, encoding="utf-8")
    good.write_text("tickets:\n  message_days: 5\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IVR_PRIVACY_HASH_KEY", raising=False)
    flow = ["check", str(MENUS), "--prompts", str(PROMPTS)]

    refused = main([*flow, "--config", str(bad)])
    refused_out = capsys.readouterr().out
    accepted = main([*flow, "--config", str(good)])
    accepted_out = capsys.readouterr().out

    assert refused == 1
    assert f"{bad}:2:3: {expected}" in refused_out
    assert "the service would refuse to start" in refused_out
    assert accepted == 0
    assert f"{good}: the service would accept this configuration" in accepted_out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "good.yaml"]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "privacy.hash_key is not set"),
        ({"IVR_PRIVACY_HASH_KEY": "short"}, "at least 16 characters, got 5"),
    ],
)
def test_ivr_check_applies_the_start_up_rules_on_secrets(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    expected: str,
) -> None:
    """The production sample with the database and AMI secrets but no (or a
    short) hash key: ``ivr serve`` refuses it, so ``ivr check`` does too."""
    monkeypatch.setenv("IVR_DATABASE_URL", "postgresql+asyncpg://ivr:x@db/ivr")
    monkeypatch.setenv("IVR_AMI_SECRET", "abcdefghijkl")
    monkeypatch.delenv("IVR_PRIVACY_HASH_KEY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sample = MENUS.parent / "config" / "production.sample.yaml"
    flow = ["check", str(MENUS), "--prompts", str(PROMPTS)]

    status = main([*flow, "--config", str(sample)])

    out = capsys.readouterr().out
    assert status == 1 and expected in out
    assert "the service would refuse to start" in out


def test_ivr_check_refuses_ami_without_its_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """AMI on without a secret stops the service at start: the check says so."""
    config = tmp_path / "ami.yaml"
    config.write_text("ami:\n  enabled: true\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IVR_AMI_SECRET", raising=False)

    status = main(
        ["check", str(MENUS), "--prompts", str(PROMPTS), "--config", str(config)]
    )

    assert status == 1 and "no AMI secret is set" in capsys.readouterr().out
