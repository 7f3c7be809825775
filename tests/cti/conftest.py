"""Make ``import cti`` find the package, not this test folder.

``tests/`` is on sys.path (pytest's rootdir conftest) and ``tests/cti`` has
no ``__init__``, so without the repository root on sys.path ``cti`` would
resolve to this folder as a namespace package. A regular package anywhere on
sys.path wins over a namespace portion, so adding the root is enough.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.append(REPO)
