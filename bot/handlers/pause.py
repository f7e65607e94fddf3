"""/pause and /resume, and the pause and resume buttons of the settings view."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import command_argument, edit, pressed_button, send
from bot.render import settings as render_settings
from bot.render.common import Reply
from storage import schedule

logger = logging.getLogger(__name__)


async def pause(update: Update, context: BotContext) -> None:
    """Pause the daily tip until /resume, or for a number of days: /pause 3."""
    chat = update.effective_chat
    if chat is None:
        return
    content, store, now = context.content, context.store, context.now()
    argument = command_argument(update)
    days = schedule.parse_pause_days(argument) if argument else None
    if argument and days is None:
        await send(update, Reply(content.message("pause_usage")))
        return
    subscriber = store.pause_if_subscribed(chat.id, days, now)
    if subscriber is None:
        await send(update, Reply(content.message("pause_not_subscribed")))
        return
    logger.info("chat paused")
    await send(update, render_settings.paused(content, subscriber, now))


async def resume(update: Update, context: BotContext) -> None:
    """End a pause and say when the next tip comes."""
    chat = update.effective_chat
    if chat is None:
        return
    now = context.now()
    subscriber, was_paused = context.store.resume(chat.id, now)
    if was_paused:
        logger.info("chat resumed")
    await send(update, render_settings.resumed(context.content, subscriber, was_paused, now))


async def pause_button(update: Update, context: BotContext) -> None:
    """Handle the pause menu, its choices, and the resume button."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    if data == callbacks.PAUSE_MENU:
        await query.answer()
        await edit(query, render_settings.pause_menu(content))
        return
    if data == callbacks.RESUME:
        subscriber, was_paused = store.resume(chat.id, now)
        if not was_paused:
            await query.answer(content.answers["not_paused"])
            return
        await query.answer(content.answers["resumed"])
    else:
        valid, days = callbacks.parse_pause_choice(data)
        if not valid:
            await query.answer(content.answers["stale"])
            return
        paused = store.pause_if_subscribed(chat.id, days, now)
        if paused is None:
            await query.answer(content.answers["pause_not_subscribed"])
            return
        subscriber = paused
        await query.answer(content.answers["paused"])
    await edit(query, render_settings.settings(content, subscriber, now))
