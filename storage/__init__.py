"""The bot's SQLite storage (sqlite-utils): migrations and typed functions."""

from storage.store import (
    Delivery,
    DeliveryStatus,
    Store,
    Subscriber,
    Tip,
    TipSync,
)

__all__ = ["Delivery", "DeliveryStatus", "Store", "Subscriber", "Tip", "TipSync"]
