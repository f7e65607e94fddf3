"""Groups get the information pages only: everything personal is for a private chat.

Subscriptions, the caution check, technique cards, check-ins, progress, settings and
/deletedata are one person's; in a group any member could answer for everyone (one
member's caution answer opened the cards for all, anyone could record a pain score for the
group or erase its data). So in groups and supergroups those answer "let's talk in
private" with a button that opens the private chat, and nothing is stored under a group id.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Chat, Update
from telegram.ext import BaseHandler

from bot import callbacks
from bot.context import BotContext
from bot.handlers.commands import PUBLIC_COMMANDS
from bot.handlers.common import send
from bot.render import pages as render_pages

#: Chat types that have more than one member.
GROUP_TYPES = frozenset({Chat.GROUP, Chat.SUPERGROUP})
_PUBLIC_PRESS = re.compile(callbacks.PAGE_PATTERN)


def in_group(update: Update) -> bool:
    """Whether the update comes from a group or supergroup."""
    chat = update.effective_chat
    return chat is not None and chat.type in GROUP_TYPES


async def private_only(update: Update, context: BotContext) -> None:
    """A personal command in a group: point to the private chat."""
    reply = render_pages.private_only(context.content, context.bot.username, PUBLIC_COMMANDS)
    await send(update, reply)


async def private_press(update: Update, context: BotContext) -> None:
    """A personal button pressed in a group: the answer opens the private chat."""
    query = update.callback_query
    assert query is not None
    await query.answer(
        context.content.answers["private_only"],
        url=render_pages.private_chat_link(context.bot.username),
    )


class GroupPressHandler(BaseHandler[Update, BotContext, None]):
    """Takes a button pressed in a group, except on the information pages."""

    def __init__(self) -> None:
        super().__init__(private_press)

    def check_update(self, update: object) -> Any:
        """True for a press in a group whose data is not an information page's."""
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        if not in_group(update):
            return False
        return not _PUBLIC_PRESS.match(update.callback_query.data or "")
