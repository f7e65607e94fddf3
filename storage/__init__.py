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
from storage.store import NewerDatabase, Store, is_busy, is_damaged

__all__ = [
    "Caution",
    "Checkin",
    "Claim",
    "Delivery",
    "DeliveryStatus",
    "NewerDatabase",
    "NextTip",
    "Progress",
    "Recovery",
    "Store",
    "Subscriber",
    "TechniqueTips",
    "TipSync",
    "is_busy",
    "is_damaged",
]
