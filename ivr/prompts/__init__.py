"""The prompt catalog and its audio: scripts per language, rendering, studio.

The catalog files are ``prompts/prompts.yaml`` (Mandarin, every prompt),
``prompts/prompts.<lang>.yaml`` (other languages, falling back to Mandarin)
``prompts/pieces.yaml`` (speech pieces) and ``prompts/asterisk.yaml``
(Asterisk's own queue and digit sounds); audio lives beside them at
``prompts/<lang>/<id>.wav``. Rendering (:mod:`ivr.prompts.render`), studio
import (:mod:`ivr.prompts.studio`) and the speech check
(:mod:`ivr.prompts.intelligibility`) are imported where used: they run
external tools and are not needed on a call path.
"""

from ivr.prompts.catalog import (
    ASTERISK_FILE,
    CATALOG_FILE,
    DEFAULT_LANGUAGE,
    DIALPLAN_PROMPTS,
    PIECES_FILE,
    PromptCatalog,
)
from ivr.prompts.errors import (
    PromptCatalogError,
    PromptError,
    StudioImportError,
    ToolError,
)

__all__ = [
    "ASTERISK_FILE",
    "CATALOG_FILE",
    "DEFAULT_LANGUAGE",
    "DIALPLAN_PROMPTS",
    "PIECES_FILE",
    "PromptCatalog",
    "PromptCatalogError",
    "PromptError",
    "StudioImportError",
    "ToolError",
]
