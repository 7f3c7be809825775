"""The short recorded pieces numbers, money, dates and times are built from.

Each piece is a prompt id (``num-2``, ``unit-wan``, ``money-yuan``...) whose
audio lives beside the other prompts; its script is in ``prompts/pieces.yaml``,
which a test keeps equal to :data:`PIECE_SCRIPTS`. A spoken value is a list of
:class:`Piece`: the id to play and the characters it stands for, so one list
gives both the audio sequence and the text shown on an agent's screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["PIECE_SCRIPTS", "Piece", "piece", "piece_ids", "piece_text"]

PIECE_SCRIPTS: dict[str, str] = {
    "num-0": "零",
    "num-1": "一",
    "num-2": "二",
    "num-3": "三",
    "num-4": "四",
    "num-5": "五",
    "num-6": "六",
    "num-7": "七",
    "num-8": "八",
    "num-9": "九",
    "num-liang": "两",
    "num-yao": "幺",
    "unit-shi": "十",
    "unit-bai": "百",
    "unit-qian": "千",
    "unit-wan": "万",
    "unit-yi": "亿",
    "unit-ge": "个",
    "unit-geyue": "个月",
    "unit-tian": "天",
    "unit-ci": "次",
    "money-yuan": "元",
    "money-jiao": "角",
    "money-fen": "分",
    "date-nian": "年",
    "date-yue": "月",
    "date-ri": "日",
    "date-hao": "号",
    "time-dian": "点",
    "time-fen": "分",
}
"""Piece id -> the Chinese it says. ``num-0`` also says the 〇 of a year."""


class Piece(NamedTuple):
    """One recorded piece: the prompt id to play and the text it stands for."""

    id: str
    text: str


def piece(piece_id: str, text: str | None = None) -> Piece:
    """The piece ``piece_id``, shown as ``text`` (default: its script)."""
    return Piece(piece_id, text if text is not None else PIECE_SCRIPTS[piece_id])


def piece_ids(pieces: Sequence[Piece]) -> list[str]:
    """The prompt ids to play, in order."""
    return [p.id for p in pieces]


def piece_text(pieces: Sequence[Piece]) -> str:
    """The Chinese text the pieces say, for screens, logs and tests."""
    return "".join(p.text for p in pieces)
