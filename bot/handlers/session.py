"""/session and its buttons: start a guided session (after the caution check, like the
card), pause, resume, skip, stop, the pain stop, and how it felt. The message is kept up
to date by the session job (``bot.jobs.sessions``); a press is shown at once."""

from __future__ import annotations

from telegram import Chat, Update

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
from bot.handlers.technique import decision
from bot.render import pages as render_pages
from bot.render import safety as render_safety
from bot.render import sessions as render_sessions
from bot.render.common import Reply
from content import Technique
from content.search import find_technique
from storage import Permit
from storage.rules.sessions import Feeling, SessionState


async def session(update: Update, context: BotContext) -> None:
    """``/session kneading`` starts one; ``/session`` alone offers the four."""
    chat = update.effective_chat
    if chat is None:
        return
    content = context.content
    name = command_argument(update)
    found = find_technique(content, name, context.services.contents.values())
    if found is None:
        await send(update, render_sessions.session_pick(content, app_address(chat, context)))
        return
    await _start_checked(update, context, chat, found, in_chat=False)


async def _start_checked(
    update: Update, context: BotContext, chat: Chat, technique: Technique, *, in_chat: bool
) -> None:
    """Begin a session if the safety decision allows it; else the caution check (whose
    answer goes on to the session), or why massage is held and what lifts it."""
    allowed = decision(chat, context)
    if allowed.permit is None:
        target = callbacks.caution_session(technique.id)
        await send_to(chat, render_safety.massage_held(context.content, allowed, target))
        return
    await begin(chat, context, technique, allowed.permit, in_chat=in_chat)


async def begin(
    chat: Chat, context: BotContext, technique: Technique, permit: Permit, *, in_chat: bool = False
) -> None:
    """With the Mini App on, offer it, the chat session one tap away (the page asks the
    safety decision again); else, or ``in_chat``, start the session in the chat."""
    app = app_address(chat, context)
    if app is not None and not in_chat:
        await send_to(chat, render_sessions.session_offer(context.content, technique, app))
        return
    await start(chat, context, technique, permit)


async def start(chat: Chat, context: BotContext, technique: Technique, permit: Permit) -> None:
    """Start a guided session of ``technique`` in ``chat`` and send its message."""
    store, now = context.store, context.now()
    started = store.start_session(permit, technique.id, context.language, now)
    if started is None:
        await send_to(chat, Reply(context.content.message("session_already")))
        return
    reply = render_sessions.session_view(context.content, technique, started, now, permit)
    try:
        message = await send_to(chat, reply)
    except BaseException:
        # Not sent (refused, a 5xx, a timeout, cancelled): the session ends at once and is
        # counted nowhere; the error handler tells the user.
        store.discard_session(started.id)
        raise
    store.set_session_message(started.id, message.message_id, now)
    context.jobs.sessions.remember(started, reply)


async def session_button(update: Update, context: BotContext) -> None:
    """A session's buttons, "Start a guided session" under a card, and "Guide me here in
    the chat" under the Mini App's offer."""
    pressed = await pressed_button(update, context)
    if pressed is None:
        return
    query, data, chat = pressed
    content, store, now = context.content, context.store, context.now()
    press = callbacks.parse_session(data)
    if press.technique_id is not None:
        technique = content.technique(press.technique_id)
        if technique is None:
            await query.answer(content.answers["stale"])
            return
        await query.answer()
        await _start_checked(update, context, chat, technique, in_chat=press.in_chat)
        return
    assert press.session_id is not None
    found = store.session(press.session_id)
    if found is None or found.chat_id != chat.id:  # erased since, or forged
        await query.answer(content.answers["stale"])
        return
    runner = context.jobs.sessions
    technique = runner.technique(found)
    if press.feeling is not None:
        felt = store.set_feeling(found.id, Feeling(press.feeling), now)  # worse: none today
        if felt is None:
            await query.answer(content.answers["stale"])
            return
        await query.answer()
        await edit(query, render_sessions.session_felt(content, Feeling(press.feeling)))
        return
    if press.action == "pain":
        # Ends at once, no more massage today (``Store.pain_stop``); the warning signs next.
        ended = store.pain_stop(found.id, now)
        await query.answer()
        runner.forget(found.id)
        if ended is not None:
            await edit(query, Reply(content.message("session_pain_stop")))
        await send_to(chat, render_pages.page(content, "urgent"))
        return
    if press.action == "stop":
        ended = store.end_session(found.id, SessionState.STOPPED, now)
        if ended is None:
            await query.answer(content.answers["stale"])
            return
        await query.answer()
        runner.forget(found.id)
        await edit(query, render_sessions.session_stopped(content, technique, ended, now))
        return
    if press.action == "pause":
        changed = store.pause_session(found.id, now)
    elif press.action == "resume":
        changed = store.resume_session(found.id, now)
    else:
        changed = store.skip_step(found.id, technique.timings, now)
    if changed is None:
        await query.answer(content.answers["stale"])
        return
    await query.answer()
    # Shown at once, in this session alone (not the next pass): the new step, the pause,
    # or how it felt if that was the last step.
    await runner.refresh(context.bot, found.id)
