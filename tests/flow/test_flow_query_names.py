"""Query nodes naming a backend or query the backends file lacks are errors.

A typo there used to load: every caller keyed an ID number and a PIN and
then heard that the system is unavailable. ``ivr check``, start-up and
reload now refuse it at the typo's line and column, with a hint.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from flow_edits import TODAY, broken_copy, errors_of, relative, where_in
from flow_fakes import MENUS, PROMPTS

from ivr.cli import main
from ivr.flow import KnownQueries, check_main, load_flow
from ivr.prompts import PromptCatalog

ROOT = MENUS.parent
BACKENDS = {
    "hrss": frozenset(
        {"si-contributions", "pension-payments", "card-progress", "certificate-check"}
    )
}
KNOWN = KnownQueries(BACKENDS, "config/backends.yaml")
CONTRIBUTIONS = "backend: hrss\n    query: si-contributions"


def _check_with(backends: Path) -> tuple[int, str]:
    """``ivr check`` of the shipped flow with ``backends``: status, output."""
    out = io.StringIO()
    status = check_main(
        str(MENUS),
        str(PROMPTS),
        backends_file=str(backends),
        today=date(2026, 3, 1),
        out=out,
    )
    return status, out.getvalue()


def _errors(path: Path, catalog: PromptCatalog) -> tuple[bool, list[str]]:
    flow, problems = load_flow(path, catalog, today=TODAY, queries=KNOWN)
    return flow is None, errors_of([relative(p, path) for p in problems])


@pytest.mark.parametrize(
    ("new", "snippet", "message"),
    [
        (
            "backend: hrss\n    query: si-contributons",
            "si-contributons",
            "backend 'hrss' in config/backends.yaml has no query 'si-contributons' "
            "(did you mean 'si-contributions'?)",
        ),
        (
            "backend: hrs\n    query: si-contributions",
            "hrs\n",
            "config/backends.yaml has no backend 'hrs' (did you mean 'hrss'?)",
        ),
        (
            "backend: hrss\n    query: weather",
            "weather",
            "backend 'hrss' in config/backends.yaml has no query 'weather'; it has "
            "card-progress, certificate-check, pension-payments, si-contributions",
        ),
        (
            "backend: tax\n    query: si-contributions",
            "tax",
            "config/backends.yaml has no backend 'tax'; it has hrss",
        ),
    ],
)
def test_a_name_the_backends_lack_is_an_error_at_its_line(
    tmp_path: Path, catalog: PromptCatalog, new: str, snippet: str, message: str
) -> None:
    """One error at the misspelt word, with the closest name or the known ones."""
    path, text = broken_copy(tmp_path, CONTRIBUTIONS, new)

    refused, errors = _errors(path, catalog)

    assert refused
    assert errors == [f"{where_in(text, snippet)}: error: {message}"]


def test_the_shipped_flow_matches_the_shipped_backends(catalog: PromptCatalog) -> None:
    """menus.yaml names only what config/backends.yaml has."""
    flow, problems = load_flow(MENUS, catalog, today=TODAY, queries=KNOWN)

    assert flow is not None
    assert errors_of([str(p) for p in problems]) == []


def test_without_known_queries_the_names_are_not_checked(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """``queries=None`` (no backends file) loads a flow naming anything."""
    path, _ = broken_copy(tmp_path, CONTRIBUTIONS, "backend: hrs\n    query: x")

    flow, _ = load_flow(path, catalog, today=TODAY)

    assert flow is not None


def test_check_finds_the_backends_file_in_the_working_folder(tmp_path: Path) -> None:
    """Run from the repository, ``ivr check`` uses config/backends.yaml there."""
    path, text = broken_copy(
        tmp_path, CONTRIBUTIONS, "backend: hrss\n    query: si-contributons"
    )
    out = io.StringIO()

    status = check_main(str(path), str(PROMPTS), today=date(2026, 3, 1), out=out)

    where = where_in(text, "si-contributons").replace("menus.yaml", str(path))
    assert status == 1
    assert f"{where}: error: backend 'hrss' in config/backends.yaml" in out.getvalue()


def test_check_finds_the_backends_file_beside_the_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From another folder, config/backends.yaml beside the flow is used."""
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()

    status = check_main(str(MENUS), None, today=date(2026, 3, 1), out=out)

    assert status == 0, out.getvalue()
    assert "unchecked" not in out.getvalue()


def test_check_without_a_backends_file_warns_that_names_are_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No backends file anywhere: exit 0, one warning saying what is unchecked."""
    path, _ = broken_copy(tmp_path, CONTRIBUTIONS, "backend: hrs\n    query: x")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()

    status = check_main(str(path), str(PROMPTS), today=date(2026, 3, 1), out=out)

    lines = out.getvalue().splitlines()
    assert status == 0
    warning = [line for line in lines if "unchecked" in line]
    assert len(warning) == 1
    assert warning[0].startswith(f"{path}: warning: no backends file")
    assert "0 errors, 2 warnings" in lines[-1]


def test_check_reports_a_broken_backends_file_as_an_error(tmp_path: Path) -> None:
    """A backends file that cannot be read is one error; exit status 1."""
    backends = tmp_path / "backends.yaml"
    backends.write_text("backends:\n  hrss: {base_url: demo}\n", "utf-8")

    status, out = _check_with(backends)

    assert status == 1
    assert "needs 'queries:'" in out
    assert "names were not checked" in out
    assert out.splitlines()[-1].startswith(f"{MENUS}: 1 error")


def test_check_needs_no_secrets_of_the_backends_file(tmp_path: Path) -> None:
    """``${NAME}`` references need not be set where ``ivr check`` runs."""
    backends = tmp_path / "backends.yaml"
    text = (ROOT / "config" / "backends.yaml").read_text("utf-8")
    backends.write_text(
        text.replace(
            "    timeout: 3 ",
            "    password: ${IVR_NOT_SET_ANYWHERE}\n    timeout: 3 ",
            1,
        ),
        "utf-8",
    )

    status, out = _check_with(backends)

    assert status == 0, out


def test_ivr_check_uses_the_configured_backends_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``queries.backends_file`` of the configuration is the one checked,
    and checking creates no key or token file in the working folder."""
    backends = tmp_path / "other-backends.yaml"
    backends.write_text(
        "backends:\n  tax:\n    base_url: demo\n    queries:\n"
        "      dues: {method: POST, url: /dues}\n",
        "utf-8",
    )
    config = tmp_path / "ivr.yaml"
    config.write_text(f"queries:\n  backends_file: {backends}\n", "utf-8")
    monkeypatch.chdir(tmp_path)

    status = main(["check", str(MENUS), "--config", str(config)])

    out = capsys.readouterr().out
    assert status == 1
    assert f"{backends} has no backend 'hrss'; it has tax" in out
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "ivr.yaml",
        "other-backends.yaml",
    ]


def test_check_warns_of_a_query_that_puts_inputs_in_its_url(tmp_path: Path) -> None:
    """GET, or an input in the URL template: a warning at each query node
    using it (URLs end up in access logs); POST with a plain URL is quiet."""
    backends = tmp_path / "backends.yaml"
    text = (ROOT / "config" / "backends.yaml").read_text("utf-8")
    text = text.replace(
        "pension-payments: {method: POST, url: /pension/payments}",
        "pension-payments: {method: GET, url: /pension/payments}",
    ).replace(
        "card-progress: {method: POST, url: /card/progress}",
        "card-progress: {method: POST, url: '/card/{id_number}/progress'}",
    )
    backends.write_text(text, "utf-8")

    status, out = _check_with(backends)

    menus = MENUS.read_text("utf-8")
    warned = [line for line in out.splitlines() if "in its URL" in line]
    assert status == 0, out
    assert warned == [
        f"{MENUS}:{where_in(menus, 'pension-payments').split(':', 1)[1]}: warning: "
        f"query 'pension-payments' of backend 'hrss' in {backends} puts the "
        "caller's ID number, PIN or phone in its URL (method GET sends every "
        "input as a query parameter), and URLs end up in access logs: use "
        "method: POST, with no {input} in the url",
        f"{MENUS}:{where_in(menus, 'card-progress').split(':', 1)[1]}: warning: "
        f"query 'card-progress' of backend 'hrss' in {backends} puts the "
        "caller's ID number, PIN or phone in its URL (its url names "
        "{id_number}), and URLs end up in access logs: use method: POST, "
        "with no {input} in the url",
    ]
