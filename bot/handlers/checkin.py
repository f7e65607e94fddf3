"""/checkin and /progress: a 0–10 pain score for today, a nudge towards a clinician when
scores rise (technique tips held back until the user feels fine), and the 30-day chart."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import app_address, edit, pressed_button, send, send_photo, send_to
from bot.render import checkins as render_checkins
from bot.render import pages as render_pages
from bot.render import progress as render_progress
from bot.render import safety as render_safety
from bot.render.common import Photo, Reply
from bot.sending import api_errors


async def checkin(update: Update, context: BotContext) -> None:
    """Ask how the back is today (the red-flag answer is a button to the urgent card)."""
    await send(update, render_checkins.checkin(context.content))


async def ask_button(update: Update, context: BotContext) -> None:
    """The check-in button under a daily tip: ask the question in a new message."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    await query.answer()
    reply = render_checkins.checkin(context.content)
    await send_to(chat, reply)


async def checkin_button(update: Update, context: BotContext) -> None:
    """Store the pressed score for today and thank the user, noting a rising trend."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content = context.content
    # The pattern lets only 0–10 through; anything else is a forged press, answered as stale.
    score = callbacks.parse_checkin(data)
    if score is None:
        await query.answer(content.answers["stale"])
        return
    rising = context.store.check_in(chat.id, score, context.now())
    await query.answer()
    await edit(query, render_checkins.checked_in(content, score, rising))


async def fine_button(update: Update, context: BotContext) -> None:
    """ "I feel fine": let technique tips come again."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    _, changed = context.store.set_hold(chat.id, False, context.now())
    if not changed:
        await query.answer(context.content.answers["hold_not_held"])
        return
    await query.answer()
    reply = render_safety.hold_lifted(
        context.content, context.store.massage(chat.id, context.now())
    )
    await send_to(chat, reply)


async def red_flag_button(update: Update, context: BotContext) -> None:
    """The check-in's warning-signs button: note the date for /report and hold massage
    until a clinician has seen the user, then the urgent card (the same card as every
    other urgent button)."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    context.store.report_warning_sign(chat.id, context.now())
    await query.answer()
    await send_to(chat, render_pages.page(context.content, "urgent"))


async def flare(update: Update, context: BotContext) -> None:
    """/flare: a bad day."""
    chat = update.effective_chat
    if chat is not None:
        await _bad_day(chat, context)


async def flare_button(update: Update, context: BotContext) -> None:
    """The "Bad day" button under the daily tip and the check-in question."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    await query.answer()
    await _bad_day(chat, context)


async def _bad_day(chat: Chat, context: BotContext) -> None:
    """Note the bad day (tips about massage wait until tomorrow) and send the plan."""
    context.store.report_flare(chat.id, context.now())
    await send_to(chat, render_checkins.flare(context.content))


async def progress(update: Update, context: BotContext) -> None:
    """Send the chart of the last 30 days' check-ins, or say how to start one."""
    chat = update.effective_chat
    if chat is not None:
        await _send_progress(chat, context)


async def progress_button(update: Update, context: BotContext) -> None:
    """The "My progress" button: the same as /progress."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, _, chat = pressed
    await query.answer()
    await _send_progress(chat, context)


async def _send_progress(chat: Chat, context: BotContext) -> None:
    """The chart, drawn at most once per change: the same chart again goes by file id."""
    data = context.store.record(chat.id, context.now())
    reply = render_progress.progress(context.content, data, app_address(chat, context))
    if isinstance(reply, Reply):
        await send_to(chat, reply)
        return
    drawings = context.services.drawings
    file_id = drawings.sent(chat.id, reply.key)
    if file_id is not None:
        try:
            await chat.send_photo(file_id, caption=reply.caption, reply_markup=reply.keyboard)
            return
        except BadRequest as error:
            if not api_errors.file_id_refused(error):
                raise
            drawings.forget(chat.id)
    picture = await drawings.draw(render_progress.progress_picture, context.content, data)
    message = await send_photo(chat, Photo(picture, reply.caption, reply.keyboard))
    if message.photo:
        drawings.remember(chat.id, reply.key, message.photo[-1].file_id)
