"""Fixtures for the simulated caller's tests (helpers live in ``sim_peer``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_peer import transcripts


@pytest.fixture(scope="session")
def transcript_paths() -> list[Path]:
    """The recorded FastAGI sessions; the tests need all seven."""
    paths = transcripts()
    assert len(paths) == 7, f"expected 7 fastagi transcripts, found {paths}"
    return paths
