"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

from storage.checkins import Checkin
from storage.store import (
    Caution,
    Claim,
    Delivery,
    DeliveryStatus,
    Progress,
    Recovery,
    Store,
    Subscriber,
    Tip,
    TipSync,
)

__all__ = [
    "Caution",
    "Checkin",
    "Claim",
    "Delivery",
    "DeliveryStatus",
    "Progress",
    "Recovery",
    "Store",
    "Subscriber",
    "Tip",
    "TipSync",
]
