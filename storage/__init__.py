"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

from storage.checkins import Checkin
from storage.models import (
    Caution,
    Claim,
    Delivery,
    DeliveryStatus,
    NextTip,
    Progress,
    Recovery,
    Subscriber,
    TechniqueTips,
    TipSync,
)
from storage.store import Store, is_busy

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
    "is_busy",
]
