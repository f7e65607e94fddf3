"""Every command, by where it works: everywhere (information) or in private chats only."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.handlers import (
    admin,
    checkin,
    info,
    language,
    later,
    pause,
    privacy,
    report,
    session,
    settings,
    start,
    subscription,
    technique,
    tip,
    weekly,
)

HandlerCallback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

#: Commands that work in groups too: information for everyone, nothing stored.
PUBLIC_COMMANDS: dict[str, HandlerCallback] = {
    "help": start.help_command,
    "benefits": info.benefits,
    "safety": info.safety,
    "urgent": info.urgent,
    "sources": info.sources,
    "privacy": privacy.privacy,
}
#: Commands about one person: in a private chat only (groups are pointed there).
PERSONAL_COMMANDS: dict[str, HandlerCallback] = {
    "start": start.start,
    "technique": technique.technique,
    "session": session.session,
    "language": language.language,
    "deletedata": privacy.delete_data,
    "mydata": privacy.my_data,
    "export": privacy.export_days,
    "subscribe": subscription.subscribe,
    "unsubscribe": subscription.unsubscribe,
    "pause": pause.pause,
    "resume": pause.resume,
    "settings": settings.settings,
    "time": settings.set_time,
    "evening": later.evening,
    "weekly": weekly.weekly,
    "timezone": settings.set_timezone,
    "tip": tip.tip,
    "stats": admin.stats,
    "broadcast": admin.broadcast_command,
    "checkin": checkin.checkin,
    "flare": checkin.flare,
    "progress": checkin.progress,
    "report": report.report,
}
