"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

# First: sqlite-utils without numpy (see _lean).
from storage import _lean  # noqa: F401
from storage.models import (
    Caution,
    Claim,
    Delivery,
    DeliveryStatus,
    NextTip,
    Progress,
    Recovery,
    Subscriber,
    TipSync,
)
from storage.rules import choosing, schedule
from storage.rules.checkins import Checkin
from storage.rules.safety import Decision, Hold, Permit
from storage.store import NewerDatabase, Store, is_busy, is_damaged

__all__ = [
    "Caution",
    "Checkin",
    "Claim",
    "Decision",
    "Delivery",
    "DeliveryStatus",
    "Hold",
    "NewerDatabase",
    "NextTip",
    "Permit",
    "Progress",
    "Recovery",
    "Store",
    "Subscriber",
    "TipSync",
    "choosing",
    "is_busy",
    "is_damaged",
    "schedule",
]
