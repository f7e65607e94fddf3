""" "Later" under the daily tip (in an hour, or this evening), and /evening, the time a tip
put off until the evening comes at. The put-off tip goes out from the snooze job
(``bot.jobs.later``); the next day's time never moves."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render
from bot.context import BotContext
from bot.handlers.common import command_argument, edit, pressed_button, send, send_to
from storage import is_evening, schedule


async def later_button(update: Update, context: BotContext) -> None:
    """ "Later" asks when; a choice puts the day's tip off until then (once per tip)."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    parsed = callbacks.parse_later(data)
    subscriber = store.subscriber(chat.id)
    delivery = store.delivery(chat.id, parsed[0]) if parsed and subscriber else None
    if parsed is None or subscriber is None or delivery is None:
        await query.answer(content.answers["stale"])
        return
    day, choice = parsed
    # Only today's tip (yesterday's just after midnight): an old or forged button has none.
    options = subscriber.later_options(day, now)
    if not options:
        await query.answer(content.answers["stale"])
        return
    if delivery.snoozed:
        await query.answer(content.message("later_once"))
        return
    if choice is None:
        await query.answer()
        await send_to(chat, render.later_ask(content, day, options, subscriber.evening))
        return
    until = options.get(choice)
    if until is None or not store.snooze(chat.id, day, until, now):
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    local = until.astimezone(subscriber.zone).time()
    await edit(query, render.Reply(content.message("later_set", time=schedule.format_time(local))))


async def evening(update: Update, context: BotContext) -> None:
    """``/evening 21:30``: the time a tip put off until the evening comes at (evening
    hours only)."""
    content = context.content
    at = schedule.parse_time(command_argument(update))
    chat = update.effective_chat
    if at is None or not is_evening(at) or chat is None:
        await send(update, render.evening_usage(content))
        return
    subscriber = context.store.set_evening(chat.id, at, context.now())
    text = content.message("evening_set", time=schedule.format_time(subscriber.evening))
    await send(update, render.Reply(text))
