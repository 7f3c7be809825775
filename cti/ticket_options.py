"""The CTI's ticket settings, in its own terms (see :mod:`cti.settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cti.fax import FaxOptions
from cti.overdue import OverdueOptions

__all__ = ["TicketOptions"]


@dataclass(frozen=True, slots=True)
class TicketOptions:
    """Where ticket recordings live and how replies, faxes and reports go.

    ``recordings_dir`` is the folder Asterisk records messages into, in
    ``recording_format`` (recorded replies go to its ``replies`` subfolder
    as WAV, so Asterisk can play them); parts older than ``retention_days``
    are deleted and answered 410. ``callback_context`` is the dialplan
    context a call-back dials the caller from, ``callback_result_timeout``
    how long to wait for its result (it comes after hangup, so this covers
    the caller's ringing and the conversation); ``fax_documents`` maps a fax
    document id to its TIFF/F.
    """

    recordings_dir: str = "ticket-recordings"
    recording_format: str = "wav"
    retention_days: int = 180
    callback_context: str = "cti-callback"
    callback_result_timeout: float = 3600.0
    overdue: OverdueOptions = field(default_factory=OverdueOptions)
    fax: FaxOptions = field(default_factory=FaxOptions)
    fax_documents: Mapping[str, str] = field(default_factory=dict)
