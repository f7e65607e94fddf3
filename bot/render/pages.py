"""The information pages and short answers: /start, /help, /safety, /benefits, /urgent,
/sources, /privacy, /deletedata, /language, the group pointer to a private chat, and the
fallback."""

from __future__ import annotations

import html
from collections.abc import Iterable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot import callbacks
from bot.render.common import Reply, callback_button
from content import LANGUAGES, Content


def private_chat_link(bot_username: str) -> str:
    """The link that opens a private chat with the bot (as a /start)."""
    return f"https://t.me/{bot_username}?start=private"


def private_only(content: Content, bot_username: str, public_commands: Iterable[str]) -> Reply:
    """In a group: this is personal, let's talk in private (a button opens it); and the
    commands that do work in the group."""
    button = InlineKeyboardButton(
        content.buttons["open_private"], url=private_chat_link(bot_username)
    )
    commands = " ".join(f"/{name}" for name in public_commands)
    return Reply(
        content.message("private_only", commands=commands), InlineKeyboardMarkup([[button]])
    )


def welcome(content: Content) -> Reply:
    """The /start message with its three buttons."""
    buttons = content.buttons
    return Reply(
        content.message("welcome"),
        InlineKeyboardMarkup(
            [
                [callback_button(buttons["subscribe"], callbacks.SUBSCRIBE)],
                [
                    callback_button(buttons["techniques"], callbacks.TECHNIQUES),
                    callback_button(buttons["safety"], callbacks.SAFETY),
                ],
            ]
        ),
    )


def help_text(content: Content) -> Reply:
    """The /help message."""
    return Reply(content.message("help"))


def fallback(content: Content, *, warning_sign: bool) -> Reply:
    """The answer to free text or an unknown command: what the bot can do now, as buttons
    (check in, a bad day's plan, the warning signs). When the words named a warning sign,
    the warning signs themselves come first. Nothing of what was typed is shown."""
    buttons = content.buttons
    checkin_open = callback_button(buttons["checkin_open"], callbacks.CHECKIN_ASK)
    bad_day = callback_button(buttons["bad_day"], callbacks.FLARE)
    if warning_sign:
        text = f"{content.pages['urgent']}\n\n{content.message('fallback_warning')}"
        return Reply(text, InlineKeyboardMarkup([[checkin_open], [bad_day]]))
    urgent = callback_button(buttons["urgent"], callbacks.URGENT)
    return Reply(
        content.message("fallback"), InlineKeyboardMarkup([[checkin_open], [bad_day], [urgent]])
    )


def page(content: Content, key: str) -> Reply:
    """A long page (/safety, /benefits, /urgent, /sources) with buttons to the others: the
    evidence behind /safety and /benefits one tap away, and /urgent from every page. The
    pages of warning signs (/urgent, /safety) never offer massage techniques."""
    buttons = content.buttons
    techniques = callback_button(buttons["techniques"], callbacks.TECHNIQUES)
    safety = callback_button(buttons["safety"], callbacks.SAFETY)
    benefits = callback_button(buttons["benefits"], callbacks.BENEFITS)
    sources = callback_button(buttons["sources"], callbacks.SOURCES)
    urgent = callback_button(buttons["urgent"], callbacks.URGENT)
    rows = {
        "safety": [[benefits, sources], [urgent]],
        "benefits": [[techniques, safety], [sources]],
        "sources": [[safety, benefits], [urgent]],
        "urgent": [[safety]],
    }.get(key, [[techniques, safety]])
    text = sources_page(content) if key == "sources" else content.pages[key]
    return Reply(text, InlineKeyboardMarkup(rows))


def source_line(content: Content, key: str) -> str | None:
    """One entry of sources.toml as a line: "<b>name</b> (year): line"; None if unknown."""
    source = content.sources.get(key)
    if source is None:
        return None
    return content.message(
        "source_line",
        name=html.escape(source.name),
        year=html.escape(source.year),
        line=source.line,
    )


def sources_page(content: Content) -> str:
    """The /sources page with every entry of sources.toml in it, in the file's order."""
    lines = (source_line(content, key) for key in content.sources)
    return content.page("sources", sources="\n".join(line for line in lines if line))


def privacy(content: Content, keep_days: int) -> Reply:
    """The /privacy page: what is stored, why, for how long (the delivery log and the
    broadcast copies: ``keep_days``, the retention window), and how to erase it."""
    return Reply(content.page("privacy", keep_days=str(keep_days)))


def delete_confirm(content: Content) -> Reply:
    """The /deletedata question, with buttons to delete everything or cancel."""
    buttons = content.buttons
    return Reply(
        content.message("delete_confirm"),
        InlineKeyboardMarkup(
            [
                [
                    callback_button(buttons["delete_confirm"], callbacks.DELETE_CONFIRM),
                    callback_button(buttons["delete_cancel"], callbacks.DELETE_CANCEL),
                ]
            ]
        ),
    )


def language_menu(content: Content) -> Reply:
    """The /language question, with a button per language (each named in its own script)."""
    return Reply(
        content.message("language_choose"),
        InlineKeyboardMarkup(
            [
                [
                    callback_button(
                        content.buttons[f"language_{language}"], callbacks.language(language)
                    )
                    for language in LANGUAGES
                ]
            ]
        ),
    )
