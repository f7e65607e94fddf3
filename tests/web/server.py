"""The Mini App's server as the page tests run it: the real sub-app mounted on an aiohttp
application over a real SQLite file, with the chat's replies and PDF records recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.render.common import Reply
from bot.services import Services
from bot.web import miniapp
from storage import Store
from tests.conftest import FakeClock, contents


@dataclass
class MiniAppServer:
    """The application to serve, its store, and what it sent into chats."""

    app: web.Application
    store: Store
    #: Replies the pain stop sent into a chat: (chat id, reply).
    sent: list[tuple[int, Reply]] = field(default_factory=list)
    #: PDF records asked for: (chat id, language, days).
    reports: list[tuple[int, str, int]] = field(default_factory=list)


def mini_app(tmp_path: Path, clock: FakeClock, token: str) -> MiniAppServer:
    """The Mini App mounted under /app/ on a new application, for ``token``'s bot."""
    store = Store(tmp_path / "app.db")
    store.migrate()
    settings = Settings(
        token=token, db_path=tmp_path / "app.db", default_timezone="UTC", api_base_url="http://x"
    )
    services = Services(settings=settings, store=store, contents=contents(), clock=clock)
    served = MiniAppServer(web.Application(), store)

    async def notify(chat_id: int, reply: Reply) -> None:
        served.sent.append((chat_id, reply))

    async def report(chat_id: int, language: str, days: int) -> None:
        served.reports.append((chat_id, language, days))

    miniapp.mount(served.app, services, notify, report)
    return served
