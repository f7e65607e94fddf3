"""The services every handler and job reaches through a typed CallbackContext."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.render.drawings import Drawings
from content import DEFAULT_LANGUAGE, Content
from storage import Store

Clock = Callable[[], datetime]

#: Telegram language codes answered in Simplified Chinese; every other code gets English.
CHINESE_CODES = frozenset({"zh", "zh-hans", "zh-cn", "zh-sg"})


def system_clock() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def language_for(language_code: str | None) -> str:
    """The content language for a Telegram ``language_code`` (an IETF tag, any case)."""
    code = (language_code or "").strip().lower().replace("_", "-")
    return "zh" if code in CHINESE_CODES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Services:
    """What the bot is built from: settings, storage, content and the clock."""

    settings: Settings
    store: Store
    #: Everything the bot says, per language (see ``content.LANGUAGES``).
    contents: Mapping[str, Content]
    clock: Clock
    #: Charts drawn off the event loop, and the last one each chat was sent.
    drawings: Drawings = field(default_factory=Drawings)

    @property
    def content(self) -> Content:
        """The default language's content."""
        return self.contents[DEFAULT_LANGUAGE]

    def content_for(self, language: str | None) -> Content:
        """The content of ``language``, or the default language's if None or unknown."""
        return self.contents.get(language or DEFAULT_LANGUAGE) or self.content


SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's services, in the user's language."""

    _update: Update | None = None
    _language: str | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> BotContext:
        """The context for one update; remembers it to answer in the user's language."""
        context: BotContext = super().from_update(update, application)
        context._update = update if isinstance(update, Update) else None
        return context

    @property
    def services(self) -> Services:
        """The bot's services."""
        return services_of(self.application)

    @property
    def store(self) -> Store:
        """The database."""
        return self.services.store

    @property
    def language(self) -> str:
        """The language to answer in: chosen with /language, else the user's Telegram app's."""
        if self._language is None:
            update = self._update
            chat = update.effective_chat if update else None
            user = update.effective_user if update else None
            # An inline query has no chat: the user's private chat with the bot has the
            # user's id, and holds the language they chose.
            chat_id = chat.id if chat else user.id if user else None
            subscriber = self.store.subscriber(chat_id) if chat_id is not None else None
            chosen = subscriber.language if subscriber else None
            self._language = chosen or language_for(user.language_code if user else None)
        return self._language

    def forget_language(self) -> None:
        """Look the language up again (after /language changed it)."""
        self._language = None

    @property
    def content(self) -> Content:
        """Everything the bot says, in the user's language."""
        return self.services.content_for(self.language)

    def now(self) -> datetime:
        """The current instant from the injected clock."""
        return self.services.clock()


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """Return the services stored on an application by ``bot.app.build_application``."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
