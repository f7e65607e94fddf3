"""What every reply module uses: the Reply, Prompt and Photo a handler sends, a callback
button, a Mini App button, and user input made safe to echo."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)

from bot import callbacks

#: How much of what a user typed is echoed back in a reply.
MAX_ECHO = 40


@dataclass(frozen=True)
class Reply:
    """A message to send or to edit into: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Prompt:
    """A message that puts a keyboard in place of the user's (the location button), or
    takes it away again."""

    text: str
    keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Photo:
    """A picture to send, with its HTML caption and an optional keyboard."""

    image: bytes
    caption: str
    keyboard: InlineKeyboardMarkup | None = None


def echo(value: str) -> str:
    """Return user input made safe to show inside an HTML reply, shortened if long.

    Control and format characters go (U+202E would turn the rest of the reply around, and
    zero-width ones hide what was typed); HTML is escaped.
    """
    value = " ".join(value.split())  # line breaks and tabs become single spaces first
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf"))
    if len(value) > MAX_ECHO:
        value = value[: MAX_ECHO - 1] + "…"
    return html.escape(value)


def callback_button(label: str, data: str) -> InlineKeyboardButton:
    """A button that sends ``data`` (``bot.callbacks``) back when pressed."""
    return InlineKeyboardButton(label, callback_data=data)


def webapp_button(label: str, url: str) -> InlineKeyboardButton:
    """A button that opens the Mini App's page at ``url`` (private chats only)."""
    return InlineKeyboardButton(label, web_app=WebAppInfo(url))


def app_page(base: str, page: str = "", **query: str) -> str:
    """The address of one of the Mini App's pages: ``base`` (BACKCARE_WEBAPP_URL, ending in
    "/"), the page's file name ("" for the guided session), and its query."""
    return base + page + (f"?{urlencode(query)}" if query else "")


def callback_data_of(reply: Reply) -> list[str]:
    """The callback data of every button of ``reply``.

    Raises:
        ValueError: if any is longer than Telegram's 64 bytes.
    """
    if reply.keyboard is None:
        return []
    data = [
        str(button.callback_data)
        for row in reply.keyboard.inline_keyboard
        for button in row
        if button.callback_data is not None  # not the chat picker's button, say
    ]
    too_long = [item for item in data if len(item.encode()) > callbacks.MAX_BYTES]
    if too_long:
        raise ValueError(f"callback data over {callbacks.MAX_BYTES} bytes: {too_long}")
    return data
