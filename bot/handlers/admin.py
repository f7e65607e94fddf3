"""Operators' commands, for BACKCARE_ADMIN_IDS only: /stats and /broadcast.

Anyone else gets exactly what an unknown command or button gets; the attempt is logged
with the user's id, never with what they wrote.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from telegram import Message, Update
from telegram.error import TelegramError

from bot import callbacks, jobs
from bot.context import BotContext
from bot.handlers import fallback
from bot.handlers.common import edit, pressed_button, send, send_photo
from bot.render import operators as render_operators
from bot.render.common import Reply
from storage import BroadcastStatus, Store
from storage.stats import Stats

logger = logging.getLogger(__name__)


def _is_admin(update: Update, context: BotContext, what: str) -> bool:
    user = update.effective_user
    if user is not None and user.id in context.services.settings.admin_ids:
        return True
    logger.warning("%s refused: user %s is not an operator", what, user.id if user else None)
    return False


async def stats(update: Update, context: BotContext) -> None:
    """The figures of the last 30 days: a chart with a summary, and feedback per tip."""
    if not _is_admin(update, context, "/stats"):
        await fallback.unknown(update, context)
        return
    chat = update.effective_chat
    if chat is None:
        return
    # Counting at 1M subscribers takes about a second, and drawing tens of milliseconds:
    # both run in the drawing threads so the bot keeps answering meanwhile.
    drawings = context.services.drawings
    figures = await drawings.draw(_collect, context.store.path, context.now())
    photo, details = await drawings.draw(render_operators.stats, context.content, figures)
    await send_photo(chat, photo)
    await send(update, details)


def _collect(path: Path, now: datetime) -> Stats:
    """The figures, read on a connection of this thread's own (SQLite connections are not
    shared between threads)."""
    store = Store(path)
    try:
        return store.stats(now)
    finally:
        store.close()


async def broadcast_command(update: Update, context: BotContext) -> None:
    """Preview the message replied to, with buttons to send it to everyone or cancel."""
    if not _is_admin(update, context, "/broadcast"):
        await fallback.unknown(update, context)
        return
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    source = message.reply_to_message
    if source is None:
        await send(update, Reply(context.content.message("broadcast_usage")))
        return
    # The preview is the copy itself: what subscribers will see, byte for byte.
    await context.bot.copy_message(chat.id, chat.id, source.message_id)
    count = context.store.active_subscribers(context.now())
    await send(
        update,
        render_operators.broadcast_preview(context.content, chat.id, source.message_id, count),
    )


async def broadcast_button(update: Update, context: BotContext) -> None:
    """Send the previewed broadcast, reporting progress in the same message, or cancel."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, _ = pressed
    content = context.content
    if not _is_admin(update, context, "broadcast button"):
        await fallback.stale_button(update, context)
        return
    message = query.message if isinstance(query.message, Message) else None
    if data.startswith(callbacks.BROADCAST_STOP_PREFIX):
        cancelled = context.store.cancel_broadcast(
            callbacks.parse_broadcast_stop(data), context.now()
        )
        # Nothing left to cancel: it finished, or a second tap.
        await query.answer(content.answers["broadcast_stopping" if cancelled else "stale"])
        if cancelled:
            logger.info("broadcast %s cancelled: %d chats not sent", data, cancelled)
        return
    if data == callbacks.BROADCAST_CANCEL or message is None:
        await query.answer()
        if message is not None:
            await message.edit_text(content.message("broadcast_cancelled"))
        return
    from_chat, message_id = callbacks.parse_broadcast_confirm(data)
    user = update.effective_user
    assert user is not None  # _is_admin checked it
    started = context.store.start_broadcast(from_chat, message_id, user.id, context.now())
    if started is None:
        await query.answer(content.answers["stale"])  # a second tap: it is on its way already
        return
    logger.info("broadcast %d started by %s to %d chats", started.id, user.id, started.recipients)
    await query.answer()
    await edit(
        query, render_operators.broadcast_progress(content, started.id, 0, started.recipients)
    )

    async def report(done: int, total: int) -> None:
        # Progress is a courtesy: a failed edit must not stop the broadcast.
        try:
            reply = render_operators.broadcast_progress(content, started.id, done, total)
            await message.edit_text(reply.text, reply_markup=reply.keyboard)
        except TelegramError as error:
            logger.info("broadcast %d: progress not shown (%s)", started.id, error)

    async def finished(counts: dict[BroadcastStatus, int]) -> None:
        await message.edit_text(render_operators.broadcast_done(content, counts))

    # A job of its own, like every other (bot/jobs): it outlives this update.
    jobs.start_broadcast(
        context.application, context.services, started, progress=report, finished=finished
    )
