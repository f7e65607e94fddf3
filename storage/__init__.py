"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

from storage.checkins import Checkin
from storage.store import (
    Caution,
    Claim,
    Delivery,
    DeliveryStatus,
    NextTip,
    Progress,
    Recovery,
    Store,
    Subscriber,
    TechniqueTips,
    TipSync,
)

__all__ = [
    "Caution",
    "Checkin",
    "Claim",
    "Delivery",
    "DeliveryStatus",
    "NextTip",
    "Progress",
    "Recovery",
    "Store",
    "Subscriber",
    "TechniqueTips",
    "TipSync",
]
