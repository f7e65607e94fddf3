"""The services every handler and job reaches through a typed CallbackContext."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from content import Content
from storage import Store

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """What the bot is built from: settings, storage, content and the clock."""

    settings: Settings
    store: Store
    content: Content
    clock: Clock


SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's services."""

    @property
    def services(self) -> Services:
        """The bot's services."""
        return services_of(self.application)

    @property
    def store(self) -> Store:
        """The database."""
        return self.services.store

    @property
    def content(self) -> Content:
        """Everything the bot says."""
        return self.services.content

    def now(self) -> datetime:
        """The current instant from the injected clock."""
        return self.services.clock()


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """Return the services stored on an application by ``bot.app.build_application``."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
