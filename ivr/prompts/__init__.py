"""The prompt catalog: prompt id -> Chinese script text and audio file path.

The catalog file is ``prompts/prompts.yaml``; recorded audio lives beside it
at ``prompts/<lang>/<id>.wav`` (rendered elsewhere). The flow checker uses the
catalog to report prompt ids a menu names but no script defines.
"""

from ivr.prompts.catalog import CATALOG_FILE, DIALPLAN_PROMPTS, PromptCatalog
from ivr.prompts.errors import PromptCatalogError, PromptError

__all__ = [
    "CATALOG_FILE",
    "DIALPLAN_PROMPTS",
    "PromptCatalog",
    "PromptCatalogError",
    "PromptError",
]
