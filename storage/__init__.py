"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

from storage.store import (
    Claim,
    Delivery,
    DeliveryStatus,
    Recovery,
    Store,
    Subscriber,
    Tip,
    TipSync,
)

__all__ = [
    "Claim",
    "Delivery",
    "DeliveryStatus",
    "Recovery",
    "Store",
    "Subscriber",
    "Tip",
    "TipSync",
]
