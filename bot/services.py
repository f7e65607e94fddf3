"""What the bot is built from: settings, storage, content, the clock and the drawing pool."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from bot.render.drawings import Drawings
from content import DEFAULT_LANGUAGE, Content
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
