"""Suite-wide set-up: this folder is importable, so helpers such as
``shared_material`` can be shared by the test packages below it.

``tests/`` is therefore on sys.path, and ``tests/cti`` (no ``__init__``)
would be taken for the ``cti`` package as a namespace portion by any test
that imports ``cti`` first, e.g. through the ``ivr`` command line. A regular
package anywhere on sys.path wins over a namespace portion, so the
repository root is added here for every test, not only those under
``tests/cti``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[1])
if REPO not in sys.path:
    sys.path.append(REPO)
