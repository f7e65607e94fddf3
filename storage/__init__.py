"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

# First: sqlite-utils without numpy (see _lean).
from storage import _lean  # noqa: F401
from storage.checkins import Checkin
from storage.models import (
    Caution,
    Claim,
    DayOne,
    Delivery,
    DeliveryStatus,
    NextTip,
    Recovery,
    Subscriber,
    TipSync,
)
from storage.safety import Decision, Hold, Permit
from storage.store import NewerDatabase, Store, is_busy, is_damaged

__all__ = [
    "Caution",
    "Checkin",
    "Claim",
    "DayOne",
    "Decision",
    "Delivery",
    "DeliveryStatus",
    "Hold",
    "NewerDatabase",
    "NextTip",
    "Permit",
    "Recovery",
    "Store",
    "Subscriber",
    "TipSync",
    "is_busy",
    "is_damaged",
]
