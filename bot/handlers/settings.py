"""/settings, /time and /timezone, and the settings buttons (time, timezone and days)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, places
from bot.context import BotContext
from bot.handlers.common import command_argument, edit, pressed_button, send
from bot.handlers.subscription import subscribe_chat
from bot.render import settings as render_settings
from bot.render.common import Reply, echo
from storage import DayOne, Subscriber, schedule

#: The delivery-days buttons that choose a set of days at once.
_DAY_PRESETS = {
    callbacks.DAYS_EVERY_DAY: schedule.EVERY_DAY,
    callbacks.DAYS_WEEKDAYS: schedule.WEEKDAYS,
}


async def settings(update: Update, context: BotContext) -> None:
    """Show the chat's time, timezone and subscription with buttons to change them."""
    chat = update.effective_chat
    if chat is None:
        return
    subscriber = context.store.settings_of(chat.id)
    await send(update, render_settings.settings(context.content, subscriber, context.now()))


async def set_time(update: Update, context: BotContext) -> None:
    """Set the local time of the daily tip, e.g. /time 07:30."""
    chat = update.effective_chat
    if chat is None:
        return
    content = context.content
    argument = command_argument(update)
    if not argument:
        await send(update, render_settings.time_menu(content))
        return
    at = schedule.parse_time(argument)
    if at is None:
        await send(update, Reply(content.message("time_usage")))
        return
    subscriber = context.store.set_time(chat.id, at, context.now())
    await send(update, render_settings.time_set(content, subscriber, context.now()))


async def set_timezone(update: Update, context: BotContext) -> None:
    """Set the timezone, e.g. /timezone Europe/Berlin or /timezone +08:00."""
    chat = update.effective_chat
    if chat is None:
        return
    content = context.content
    argument = command_argument(update)
    if not argument:
        await send(update, render_settings.timezone_menu(content))
        offer = render_settings.location_offer(content)
        await chat.send_message(offer.text, reply_markup=offer.keyboard)
        return
    name = await context.services.drawings.draw(places.zone_named, argument)
    if name is None:
        usage = content.message("timezone_usage")
        text = content.message("timezone_unknown", value=echo(argument), usage=usage)
        await send(update, Reply(text))
        return
    subscriber = context.store.set_timezone(chat.id, name, context.now())
    await send(update, render_settings.subscription(content, "timezone_set", subscriber))


async def location(update: Update, context: BotContext) -> None:
    """A shared location: set the timezone found there. The coordinates are used for this
    lookup only; nothing stores or logs them."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.location is None:
        return
    place = message.location
    name = await context.services.drawings.draw(places.zone_at, place.latitude, place.longitude)
    subscriber = None if name is None else context.store.set_timezone(chat.id, name, context.now())
    done = render_settings.location_done(context.content, subscriber)
    await chat.send_message(done.text, reply_markup=done.keyboard)


async def settings_button(update: Update, context: BotContext) -> None:
    """Handle the settings buttons: subscription and check-in toggles, "I feel fine", and
    the time and timezone menus and their choices. Subscribing is what /subscribe does
    (``subscription.subscribe_chat``), day 1 at once included."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    answer = None
    if data == callbacks.TIME_MENU:
        await query.answer()
        await edit(query, render_settings.time_menu(content))
        return
    if data == callbacks.TIMEZONE_MENU:
        await query.answer()
        await edit(query, render_settings.timezone_menu(content))
        return
    if data == callbacks.SETTINGS_SUBSCRIBE:

        async def acknowledge(
            subscriber: Subscriber, changed: bool, day_one: DayOne | None
        ) -> None:
            await query.answer(content.answers["subscribed"])
            await edit(query, render_settings.settings(content, subscriber, now))

        await subscribe_chat(chat, context, acknowledge)
        return
    if data == callbacks.SETTINGS_UNSUBSCRIBE:
        store.unsubscribe(chat.id, now)
        answer = content.answers["unsubscribed"]
    elif data in (callbacks.SETTINGS_CHECKIN_ON, callbacks.SETTINGS_CHECKIN_OFF):
        store.set_checkin_prompt(chat.id, data == callbacks.SETTINGS_CHECKIN_ON, now)
        answer = content.answers["saved"]
    elif data == callbacks.SETTINGS_HOLD_OFF:
        _, changed = store.set_hold(chat.id, False, now)
        answer = content.answers["saved" if changed else "hold_not_held"]
    elif data.startswith(callbacks.TIME_PREFIX):
        at = callbacks.parse_time_choice(data)
        if at is None:
            await query.answer(content.answers["stale"])
            return
        store.set_time(chat.id, at, now)
        answer = content.answers["saved"]
    elif data.startswith(callbacks.TIMEZONE_PREFIX):
        name = callbacks.parse_timezone_choice(data)
        if name is None:
            await query.answer(content.answers["stale"])
            return
        store.set_timezone(chat.id, name, now)
        answer = content.answers["saved"]
    await query.answer(answer)
    subscriber = store.settings_of(chat.id)
    await edit(query, render_settings.settings(content, subscriber, now))


async def days_button(update: Update, context: BotContext) -> None:
    """Handle the delivery-days menu: every day, weekdays, and one toggle per weekday."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    if data == callbacks.DAYS_MENU:
        await query.answer()
        await edit(query, render_settings.days_menu(content, store.settings_of(chat.id)))
        return
    preset = _DAY_PRESETS.get(data)
    if preset is not None:
        subscriber, changed = store.choose_days(chat.id, preset, now)
    else:
        subscriber, changed = store.toggle_day(chat.id, callbacks.parse_day_toggle(data), now)
        if not changed:
            await query.answer(content.answers["days_last"])
            return
    await query.answer(content.answers["saved"])
    if changed:
        await edit(query, render_settings.days_menu(content, subscriber))
