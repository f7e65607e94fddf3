"""/technique: the acupoint overview with the list of techniques, and each technique's
picture and card, behind the caution check."""

from __future__ import annotations

from telegram import Chat, Message, Update

from bot import callbacks, photos, render
from bot.context import BotContext
from bot.handlers.common import command_argument, edit, pressed_button, send, send_to
from content import Technique
from storage import Caution

#: The picture shown with the list of techniques.
OVERVIEW = "overview"


def _caution(update: Update, context: BotContext) -> Caution | None:
    """The chat's answer to the caution check (None if never answered); nothing is created."""
    chat = update.effective_chat
    subscriber = context.store.subscriber(chat.id) if chat is not None else None
    return subscriber.caution if subscriber is not None else None


def _allowed(caution: Caution | None) -> bool:
    return caution is not None and caution.allows_massage


def caution_allows(update: Update, context: BotContext) -> tuple[bool, Caution | None]:
    """Whether the chat's answer to the caution check lets a technique (or a session of
    one) be shown, and the answer itself."""
    caution = _caution(update, context)
    return _allowed(caution), caution


async def send_card(chat: Chat, context: BotContext, technique: Technique) -> None:
    """Send a technique's picture with its card as the caption (the rest right after)."""
    card = render.technique_captioned(context.content, technique)
    caption = card.caption
    await photos.send(chat, context, technique.id, caption.text, caption.keyboard)
    if card.rest is not None:
        await send_to(chat, card.rest)


async def _send_list(chat: Chat, context: BotContext, intro: str | None = None) -> None:
    reply = render.technique_list(context.content, intro=intro)
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
    found = render.find_technique(content, name)
    if found is None:
        intro = content.message("technique_unknown", name=render.echo(name))
        await _send_list(chat, context, intro)
        return
    await open_technique(update, context, found)


async def open_technique(update: Update, context: BotContext, technique: Technique) -> None:
    """Send a technique's card, or the caution check first if it was never answered (or
    the answer does not allow massage)."""
    chat = update.effective_chat
    if chat is None:
        return
    caution = _caution(update, context)
    if not _allowed(caution):
        await send(update, render.guarded_technique(context.content, caution, technique))
        return
    await send_card(chat, context, technique)


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
            reply = render.technique_list(content)
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
    caution = _caution(update, context)
    if not _allowed(caution):
        reply = render.guarded_technique(content, caution, found)
        if on_picture:
            await send_to(chat, reply)
        else:
            await edit(query, reply)
        return
    if message is None or not on_picture:
        await send_card(chat, context, found)
        return
    card = render.technique_captioned(content, found)
    await photos.edit(message, context, found.id, card.caption.text, card.caption.keyboard)
    if card.rest is not None:
        await send_to(chat, card.rest)
