"""Field cases and transcripts for the AMI tests, from ``shared/``."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from shared_material import shared_dir

AMI_PROTOCOLS = ("ami", "queue", "voicemail")


def field_cases(protocols: tuple[str, ...] = AMI_PROTOCOLS) -> list[dict[str, Any]]:
    """The cases of ``protocols`` from cases.json."""
    cases: list[dict[str, Any]] = json.loads(
        (shared_dir() / "field-cases" / "cases.json").read_text(encoding="utf-8")
    )
    return [case for case in cases if case["protocol"] in protocols]


def wire_bytes(case_id: str) -> bytes:
    """A case's ``wire_input`` as the bytes Asterisk sent."""
    (case,) = [case for case in field_cases() if case["id"] == case_id]
    data: bytes = codecs.escape_decode(case["wire_input"].encode("ascii"))[0]
    return data


def transcript_path(name: str) -> Path:
    """A transcript file in shared/field-cases/transcripts."""
    return shared_dir() / "field-cases" / "transcripts" / name
