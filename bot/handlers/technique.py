"""/technique: the acupoint overview with the list of techniques, and each technique's
picture and card, behind the caution check."""

from __future__ import annotations

from telegram import Chat, Message, Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import (
    app_address,
    command_argument,
    edit,
    pressed_button,
    send,
    send_to,
)
from bot.render import photos
from bot.render import safety as render_safety
from bot.render import techniques as render_techniques
from bot.render.common import echo
from content import Technique
from content.search import find_technique
from storage import Decision, Permit

#: The picture shown with the list of techniques.
OVERVIEW = "overview"


def decision(chat: Chat, context: BotContext) -> Decision:
    """The safety decision for ``chat`` now: may it be taught or guided through massage?"""
    return context.store.massage(chat.id, context.now())


async def send_card(chat: Chat, context: BotContext, technique: Technique, permit: Permit) -> None:
    """Send a technique's picture with its card as the caption (the rest right after)."""
    card = render_techniques.technique_captioned(context.content, technique, permit)
    caption = card.caption
    await photos.send(chat, context, technique.id, caption.text, caption.keyboard)
    if card.rest is not None:
        await send_to(chat, card.rest)


async def _send_list(chat: Chat, context: BotContext, intro: str | None = None) -> None:
    reply = render_techniques.technique_list(
        context.content, intro=intro, app=app_address(chat, context)
    )
    await photos.send(chat, context, OVERVIEW, reply.text, reply.keyboard)


async def technique(update: Update, context: BotContext) -> None:
    """Show the overview and the list, or the technique named after the command."""
    chat = update.effective_chat
    if chat is None:
        return
    content = context.content
    name = command_argument(update)
    if not name:
        await _send_list(chat, context)
        return
    found = find_technique(content, name, context.services.contents.values())
    if found is None:
        intro = content.message("technique_unknown", name=echo(name))
        await _send_list(chat, context, intro)
        return
    await open_technique(update, context, found)


async def open_technique(update: Update, context: BotContext, technique: Technique) -> None:
    """Send a technique's card if the safety decision allows it; else the caution check
    (never answered), or why massage is held and what lifts it."""
    chat = update.effective_chat
    if chat is None:
        return
    allowed = decision(chat, context)
    if allowed.permit is None:
        await send(update, render_safety.massage_held(context.content, allowed, technique.id))
        return
    await send_card(chat, context, technique, allowed.permit)


async def technique_button(update: Update, context: BotContext) -> None:
    """Turn the pressed picture into the overview or a technique; other messages stay."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    message = query.message if isinstance(query.message, Message) else None
    on_picture = message is not None and bool(message.photo)
    if data == callbacks.TECHNIQUES:
        await query.answer()
        if message is not None and on_picture:
            reply = render_techniques.technique_list(content, app=app_address(chat, context))
            await photos.edit(message, context, OVERVIEW, reply.text, reply.keyboard)
        else:
            # A tip, a page or the welcome: keep it, and send the overview below it.
            await _send_list(chat, context)
        return
    found = content.technique(callbacks.parse_technique(data))
    if found is None:
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    allowed = decision(chat, context)
    if allowed.permit is None:
        reply = render_safety.massage_held(content, allowed, found.id)
        if on_picture:
            await send_to(chat, reply)
        else:
            await edit(query, reply)
        return
    if message is None or not on_picture:
        await send_card(chat, context, found, allowed.permit)
        return
    card = render_techniques.technique_captioned(content, found, allowed.permit)
    await photos.edit(message, context, found.id, card.caption.text, card.caption.keyboard)
    if card.rest is not None:
        await send_to(chat, card.rest)
