"""The bot's SQLite storage (sqlite-utils): ``Store``, what its methods take and return, and
the pure rules callers apply themselves. This is what callers import; the modules behind it:

- store.py: ``Store``, one connection, composed of one part per concern, each a file named
  after what it keeps: subscribers.py, tips.py, deliveries.py, checkins.py, sessions.py,
  safety.py, media.py, feedback.py, broadcasts.py, retention.py, stats.py, and record.py
  (a person's data over a range of days, read once for every summary; base.py: what they
  share). models.py: the records they return; migrations.py: the schema.
- rules/: the pure rules, no database: checkins.py, safety.py, sessions.py, choosing.py,
  schedule.py (``schedule`` and ``choosing`` are listed here as modules).
- files.py (the database and its copies 0600) and export.py (/mydata, /export: writes out
  what the caller read).
"""

# First: sqlite-utils without numpy (see _lean).
from storage import _lean  # noqa: F401
from storage.broadcasts import Broadcast
from storage.models import (
    EVENING_FIRST,
    EVENING_LAST,
    BroadcastStatus,
    Caution,
    Claim,
    DayOne,
    Delivery,
    DeliveryStatus,
    NextTip,
    Recovery,
    Subscriber,
    TipSync,
    is_evening,
)
from storage.record import SessionCounts
from storage.retention import DEFAULT_KEEP_DAYS, MAX_KEEP_DAYS, MIN_KEEP_DAYS, Window
from storage.rules import choosing, schedule
from storage.rules.checkins import MAX_SCORE, MIN_SCORE, Checkin, WeekChange, compare_weeks
from storage.rules.choosing import BelowKnee, DaysLike, Focus
from storage.rules.safety import Decision, Hold, Permit, decide
from storage.rules.sessions import Feeling, Session, SessionState
from storage.stats import (
    FLAG_MIN_ANSWERS,
    FLAG_MIN_SHARE,
    MONTH_DAYS,
    RECENT_DAYS,
    Day,
    DeliveryCounts,
    Participation,
    Stats,
    SubscriberCounts,
    TipFeedback,
)
from storage.store import NewerDatabase, Store, is_busy, is_damaged

__all__ = [
    "DEFAULT_KEEP_DAYS",
    "EVENING_FIRST",
    "EVENING_LAST",
    "FLAG_MIN_ANSWERS",
    "FLAG_MIN_SHARE",
    "MAX_KEEP_DAYS",
    "MAX_SCORE",
    "MIN_KEEP_DAYS",
    "MIN_SCORE",
    "MONTH_DAYS",
    "RECENT_DAYS",
    "BelowKnee",
    "Broadcast",
    "BroadcastStatus",
    "Caution",
    "Checkin",
    "Claim",
    "Day",
    "DayOne",
    "DaysLike",
    "Decision",
    "Delivery",
    "DeliveryCounts",
    "DeliveryStatus",
    "Feeling",
    "Focus",
    "Hold",
    "NewerDatabase",
    "NextTip",
    "Participation",
    "Permit",
    "Recovery",
    "Session",
    "SessionCounts",
    "SessionState",
    "Stats",
    "Store",
    "Subscriber",
    "SubscriberCounts",
    "TipFeedback",
    "TipSync",
    "WeekChange",
    "Window",
    "choosing",
    "compare_weeks",
    "decide",
    "is_busy",
    "is_damaged",
    "is_evening",
    "schedule",
]
