"""Where the project's shared material (``shared/field-cases``, the norm) is.

CI lays ``shared/`` beside the clone; a developer's clone elsewhere can point
``IVR_SHARED_DIR`` at it. Without it, the tests built on it are skipped with
that advice locally, and fail under CI (``CI`` set), where a silent skip would
hide that no field case ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """Return the shared folder, or skip (locally) / fail (CI) without it."""
    override = os.environ.get("IVR_SHARED_DIR")
    folder = Path(override) if override else REPO.parent / "shared"
    if (folder / "field-cases").is_dir():
        return folder
    advice = (
        f"the shared material is not at {folder}; set IVR_SHARED_DIR to the "
        "folder that holds field-cases/ and seed/"
    )
    if os.environ.get("CI"):
        raise RuntimeError(advice)
    pytest.skip(advice, allow_module_level=True)
