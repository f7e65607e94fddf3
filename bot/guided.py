"""Guided sessions as they run: one message per session, edited as the time passes.

The session job runs every ``TICK_SECONDS``. For each running or paused session it works
out where the session stands from the clock (``storage.session``), and edits its message
only when what it shows has changed: the time left moves in steps of
``render.SESSION_DISPLAY_SECONDS``, so a chat gets at most one edit that often, well
within Telegram's pace of about one message a second per chat. Edits go one after another,
so many sessions at once slow each other's timers down instead of flooding Telegram.

A session that has run all its steps asks how it felt; one left too long (the bot was
away, or it stayed paused) ends politely, and so does one the safety decision no longer
allows (``storage.safety``: a hold set since it started, or found when it resumes). When
the bot stops, running sessions are held at their step and go on from it when the bot
starts again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, Forbidden

from bot import api_errors, render
from bot.context import BotContext, Services
from content import Technique
from storage import is_busy
from storage.session import Session, SessionState

logger = logging.getLogger(__name__)

JOB_NAME = "guided-sessions"
TICK_SECONDS = 1.0


class SessionRunner:
    """Keeps every session's message up to date; one pass at a time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        #: What each session's message shows now, by session id: edited only on a change.
        self.shown: dict[int, str] = {}
        self._lock = asyncio.Lock()

    def technique(self, session: Session) -> Technique:
        """The technique a session runs, in its language."""
        found = self.services.content_for(session.language).technique(session.technique_id)
        if found is None:
            raise LookupError(f"session {session.id}: no technique {session.technique_id}")
        return found

    async def tick(self, context: BotContext) -> None:
        """The job's callback: one pass over the running and paused sessions."""
        await self.run(context.bot)

    async def run(self, bot: Any) -> None:
        """Bring every running or paused session's message up to date, or end it."""
        if self._lock.locked():
            return  # the last pass is still editing
        async with self._lock:
            try:
                for session in self.services.store.active_sessions():
                    await self._update(bot, session)
            except Exception as error:
                if not is_busy(error):
                    raise
                # Another process holds the write lock: the next pass, a second later,
                # goes on from the clock; nothing is lost.
                logger.debug("sessions: the database is busy; the next pass goes on")

    async def _update(self, bot: Any, session: Session) -> None:
        store, now = self.services.store, self.services.clock()
        content = self.services.content_for(session.language)
        try:
            technique = self.technique(session)
        except LookupError:  # the content lost the technique: nothing to show any more
            store.end_session(session.id, SessionState.ENDED, now)
            return
        if session.held:
            # The bot stopped while this ran: go on at the same step, unless it is too late.
            if session.stale(technique.timings, now):
                await self._end(bot, session, render.Reply(content.message("session_ended")))
                return
            resumed = store.resume_session(session.id, now)
            if resumed is None:
                return
            session = resumed
        if session.stale(technique.timings, now):
            await self._end(bot, session, render.Reply(content.message("session_ended")))
            return
        # Every step shown asks the safety decision: a hold set since the session started
        # (a warning sign, /flare) or found on resuming after a restart ends it, saying why.
        allowed = store.massage(session.chat_id, now)
        if allowed.permit is None:
            held = render.massage_held(content, allowed, None)
            reply = render.Reply(f"{content.message('session_held_resume')}\n\n{held.text}")
            await self._end(bot, session, reply)
            return
        if (
            session.state is SessionState.RUNNING
            and session.position(technique.timings, now).finished
        ):
            done = store.end_session(session.id, SessionState.DONE, now)
            if done is not None:
                await self.show(bot, done, render.session_done(content, technique, done))
                self.shown.pop(session.id, None)
            return
        view = render.session_view(content, technique, session, now, allowed.permit)
        await self.show(bot, session, view)

    async def _end(self, bot: Any, session: Session, reply: render.Reply) -> None:
        ended = self.services.store.end_session(
            session.id, SessionState.ENDED, self.services.clock()
        )
        self.shown.pop(session.id, None)
        if ended is not None:
            await self.show(bot, ended, reply)

    async def show(self, bot: Any, session: Session, reply: render.Reply) -> None:
        """Edit the session's message into ``reply`` if it shows something else now.

        A message that is gone (deleted by the user) or a chat that blocked the bot ends
        the session: nobody is following it any more.
        """
        if session.message_id is None or self.shown.get(session.id) == reply.text:
            return
        try:
            await bot.edit_message_text(
                reply.text,
                chat_id=session.chat_id,
                message_id=session.message_id,
                reply_markup=reply.keyboard,
            )
        except BadRequest as error:
            if not api_errors.not_modified(error):
                logger.info("session %d: its message is gone (%s)", session.id, error.message)
                self.services.store.end_session(
                    session.id, SessionState.ENDED, self.services.clock()
                )
                self.shown.pop(session.id, None)
                return
        except Forbidden:
            self.services.store.end_session(session.id, SessionState.ENDED, self.services.clock())
            self.shown.pop(session.id, None)
            return
        if session.state.active:
            self.shown[session.id] = reply.text
