"""BotApplication (what the bot holds, typed), its Runtime, and the BotContext handlers use."""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.jobs import Jobs
from bot.services import Services
from bot.web.metrics import BotMetrics
from content import DEFAULT_LANGUAGE, Content
from storage import Store, is_damaged

logger = logging.getLogger(__name__)

#: Telegram language codes answered in Simplified Chinese; every other code gets English.
CHINESE_CODES = frozenset({"zh", "zh-hans", "zh-cn", "zh-sg"})


def language_for(language_code: str | None) -> str:
    """The content language for a Telegram ``language_code`` (an IETF tag, any case)."""
    code = (language_code or "").strip().lower().replace("_", "-")
    return "zh" if code in CHINESE_CODES else DEFAULT_LANGUAGE


@dataclass
class Runtime:
    """What changes while the bot runs: how to stop it, the damage that stopped it, the
    metrics port's and the Mini App's servers, and the updates already apologised for."""

    #: Cancels the running bot (set by ``bot.lifecycle.until_stopped``); None when the bot
    #: was not run by it.
    cancel: Callable[[], None] | None = None
    #: The first error that showed the database damaged while running.
    damage: sqlite3.DatabaseError | None = None
    #: The metrics port's server (``bot.web.metrics.serve_port``), stopped by post_shutdown.
    metrics_runner: web.AppRunner | None = None
    #: The Mini App's server in polling mode (``bot.app.serve_webapp``), stopped by
    #: post_shutdown, and the address its pages are served at on this machine.
    web_runner: web.AppRunner | None = None
    web_address: str | None = None
    #: The error handler's memory: updates it told the user about, oldest first.
    apologised: OrderedDict[int, None] = field(default_factory=OrderedDict)

    def stop(self) -> None:
        """Stop the bot cleanly, as SIGTERM does (nothing when it was not run by ``run``)."""
        if self.cancel is not None:
            self.cancel()

    def stop_on_damage(self, error: BaseException) -> bool:
        """If ``error`` says the database is damaged (SQLITE_CORRUPT, SQLITE_NOTADB),
        remember it and stop the bot: every job and reply would fail on it from now on, and
        restarting cannot mend it (``backcare-bot run`` then exits 3). Returns whether it
        did."""
        if not is_damaged(error):
            return False
        if self.damage is None:
            assert isinstance(error, sqlite3.DatabaseError)
            self.damage = error
            logger.debug("the database is damaged; stopping")
            self.stop()
        return True


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
    def application(self) -> BotApplication:
        """The bot's application, and what it holds."""
        application = self._application
        assert isinstance(application, BotApplication)
        return application

    @property
    def services(self) -> Services:
        """The bot's services."""
        return self.application.services

    @property
    def store(self) -> Store:
        """The database."""
        return self.services.store

    @property
    def jobs(self) -> Jobs:
        """The bot's scheduled jobs."""
        return self.application.jobs

    @property
    def runtime(self) -> Runtime:
        """What changes while the bot runs."""
        return self.application.runtime

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


# The context type is Any: PTB types CallbackContext.application with a type variable for
# it, and BotContext.application returns this class.
class BotApplication(
    Application[ExtBot[None], Any, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
):
    """PTB's Application and what the bot holds, typed: its services, its jobs, its metrics
    and what changes while it runs. Built by ``bot.app.build_application`` (PTB's
    ``ApplicationBuilder.application_class``); handlers reach it through ``BotContext``."""

    __slots__ = ("jobs", "metrics", "runtime", "services")

    def __init__(
        self, *, services: Services, jobs: Jobs, metrics: BotMetrics, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.jobs = jobs
        self.metrics = metrics
        self.runtime = Runtime()
