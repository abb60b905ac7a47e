"""Card states as stored in the database, importable without SQLAlchemy."""

from __future__ import annotations

from enum import IntEnum


class CardStatus(IntEnum):
    """Where a card is in its life; LEARNING … RELEARNING equal ``fsrs.State`` values."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3
