"""/technique: the list of massage techniques and each one's card, behind the caution check."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import command_argument, edit, send
from storage import Caution


def _caution(update: Update, context: BotContext) -> Caution | None:
    """The chat's answer to the caution check (None if never answered); nothing is created."""
    chat = update.effective_chat
    subscriber = context.store.subscriber(chat.id) if chat is not None else None
    return subscriber.caution if subscriber is not None else None


async def technique(update: Update, context: BotContext) -> None:
    """Show the list, or the card of the technique named after the command."""
    content = context.content
    name = command_argument(update)
    if not name:
        await send(update, render.technique_list(content))
        return
    found = render.find_technique(content, name)
    if found is None:
        intro = content.message("technique_unknown", name=render.echo(name))
        await send(update, render.technique_list(content, intro=intro))
        return
    await send(update, render.guarded_technique(content, _caution(update, context), found))


async def technique_button(update: Update, context: BotContext) -> None:
    """Edit the pressed message into the list or into a technique's card."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    content = context.content
    if query.data == callbacks.TECHNIQUES:
        await query.answer()
        await edit(query, render.technique_list(content))
        return
    found = content.technique(query.data.removeprefix(callbacks.TECHNIQUE_PREFIX))
    if found is None:
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    await edit(query, render.guarded_technique(content, _caution(update, context), found))
