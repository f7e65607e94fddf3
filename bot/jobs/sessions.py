"""Guided sessions as they run: one message per session, edited as the time passes.

The session job runs every ``TICK_SECONDS``. For each running or paused session it works
out where the session stands from the clock (``storage.rules.sessions``), and edits its message
only when what it shows has changed. The edits of one pass go out together through the
one engine (the stop-aware pool, the retry ladder, the limiter at bulk priority, so replies
to users go first), in order of need:

1. what must be seen now: a new step, the end ("how did that feel?"), a session ended,
   the longest-waiting first;
2. countdowns, each session's at most every ``countdown_every(n)`` seconds: 5 s (the time
   left moves in steps of ``bot.render.sessions.SESSION_DISPLAY_SECONDS``) while few
   sessions run, and thinner as they grow, so that countdowns never take more than
   ``COUNTDOWN_RATE`` of the global budget of about 30 messages a second. They thin out
   instead of falling behind, and get only what a pass's budget (the send rate for one
   tick) leaves after 1.

A pass sends at most one tick's worth of the send rate; what does not fit waits for the
next pass (still urgent, still first), so no pass grows long and no step change waits
behind a backlog of countdowns. A session whose step and state have not moved, and whose
countdown is not due, costs the pass no rendering and no storage read.

One chat's failure never stops another's: each edit is caught, retried by the ladder,
counted and logged once. A message that is gone (deleted by the user) or a chat that
blocked the bot ends its session: nobody is following it any more.

A button press (pause, resume, skip) is shown at once by the press handler, which edits
its own session (``refresh``), not the next pass. A session that has run all its steps asks
how it felt; one left too long (the bot was away, or it stayed paused) ends politely, and
so does one the safety decision no longer allows (``storage.rules.safety``: a hold set since it
started, or found when it resumes). When the bot stops, running sessions are held at their
step and go on from it when the bot starts again.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.jobs.base import Job, always
from bot.render import safety as render_safety
from bot.render import sessions as render_sessions
from bot.render.common import Reply
from bot.sending import api_errors
from bot.sending.outcome import Outcome, Result, send_with_retries
from bot.sending.pool import run_pool
from bot.sending.ratelimit import BULK, BULK_PREPACED, PriorityRateLimiter
from bot.services import Services
from content import Technique
from storage import Session, SessionState

logger = logging.getLogger(__name__)

JOB_NAME = "guided-sessions"
TICK_SECONDS = 1.0
#: Countdown edits a second, at most, for all sessions together: the rest of Telegram's
#: global 30 a second goes to step changes and to replies.
COUNTDOWN_RATE = 12.0
#: Seconds between two looks at the Mini App's sessions. Nothing is shown for them here:
#: a look only ends one that is over, left too long, or no longer allowed at a new step
#: (the app asks the safety decision at every event itself, and ends a session whose clock
#: ran out), so a late look costs nobody anything, and 10,000 of them cost the pass a tenth.
APP_SETTLE_SECONDS = 10.0
#: Seconds between two edits of one session's message, at least (Telegram: about one
#: message a second per chat).
PER_CHAT = 1.0


def countdown_every(sessions: int) -> float:
    """Seconds between two countdown edits of one session, with ``sessions`` running."""
    return max(float(render_sessions.SESSION_DISPLAY_SECONDS), math.ceil(sessions / COUNTDOWN_RATE))


@dataclass(frozen=True)
class Edit:
    """One session's message to edit into ``reply``: ``urgent`` unless only its countdown
    moved."""

    session: Session
    reply: Reply
    urgent: bool
    #: The session is over with this edit: nothing is remembered about it after.
    final: bool = False
    #: The step and state it shows.
    where: tuple[int, SessionState] | None = None
    #: Seconds the change has been due (how far into its step a running session is).
    waiting: float = 0.0
    #: How many times a press had shown the session when this was worked out.
    version: int = 0


@dataclass(frozen=True)
class Moved:
    """A session whose message no longer shows where it stands; not rendered yet."""

    session: Session
    technique: Technique
    #: The step and state it is at.
    where: tuple[int, SessionState]
    #: A new step or state (not only the time left).
    urgent: bool
    #: Seconds the change has been due.
    waiting: float
    #: How many times a press had shown the session when this was worked out.
    version: int


class SessionRunner(Job):
    """Keeps every session's message up to date; one pass at a time."""

    name = JOB_NAME

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        #: What each session's message shows now, by session id: edited only on a change.
        self.shown: dict[int, str] = {}
        #: When each session's countdown was last edited (the clock's seconds), and the step
        #: and state its message shows.
        self._ticked: dict[int, float] = {}
        self._where: dict[int, tuple[int, SessionState]] = {}
        #: Presses shown per session: a pass's edit worked out before one is dropped.
        self._versions: dict[int, int] = {}
        #: Edits since the start, by outcome (for /metrics).
        self.edits: Counter[Outcome] = Counter()
        #: Sessions running or paused at the last pass.
        self.active = 0
        #: The step each of the Mini App's sessions still going was at when last looked
        #: at, and when that was (the clock's seconds).
        self._app_steps: dict[int, int] = {}
        self._app_settled = -math.inf

    def technique(self, session: Session) -> Technique:
        """The technique a session runs, in its language."""
        found = self.services.content_for(session.language).technique(session.technique_id)
        if found is None:
            raise LookupError(f"session {session.id}: no technique {session.technique_id}")
        return found

    async def run(self, bot: ExtBot[Any], running: Callable[[], bool] = always) -> int:
        """Bring every running or paused session's message up to date, or end it; return
        how many edits went out. While a pass fills its budget, the next follows at once
        (a full pass takes about a tick already: waiting for the next tick would halve
        the rate)."""
        sent = 0
        while running():
            done, full = await self._pass(bot, running)
            sent += done
            if not full:
                break
        return sent

    async def _pass(self, bot: ExtBot[Any], running: Callable[[], bool]) -> tuple[int, bool]:
        """One pass: the edits that fit one tick's budget; how many went out, and whether
        the budget was full (more may be waiting)."""
        store = self.services.store
        sessions = store.active_sessions(in_chat=True)
        now = self.services.clock().timestamp()
        # A session the Mini App runs has no message (bot.web.miniapp): its clock runs on the
        # device, so it is never rendered or edited here, only ended when it is over, left
        # too long, or no longer allowed, looked at every APP_SETTLE_SECONDS. (A chat
        # session whose first message is on its way has none yet either: nothing to edit
        # for it until it does.)
        if now - self._app_settled >= APP_SETTLE_SECONDS:
            in_app = store.active_sessions(in_chat=False)
            self._settle_app(in_app)  # keeps the steps of those still going
            self._app_settled = now
        self.active = len(sessions) + len(self._app_steps)
        every = countdown_every(len(sessions))
        # First what moved, cheaply (the clock and the steps' times); then only what this
        # pass sends is rendered.
        moved = [
            found
            for session in sessions
            if (found := self._look(session, countdown=self._countdown_due(session, now, every)))
            is not None
        ]
        # Telegram takes about one message a second per chat: a session edited less than
        # a second ago waits for the next pass (a 429 there would pause other chats too);
        # not its last edit, though: the session has ended, no later pass would show it.
        urgent = [
            found
            for found in moved
            if found.urgent
            and (
                isinstance(found, Edit)
                or now - self._ticked.get(found.session.id, -math.inf) >= PER_CHAT
            )
        ]
        urgent.sort(key=lambda found: -found.waiting)
        countdowns = [found for found in moved if not found.urgent]
        # The longest-waiting countdowns first, after everything that must be seen now, and
        # only with what the pass's budget leaves: a pass stays about a tick long, so the
        # next step change waits for no backlog of countdowns.
        countdowns.sort(key=lambda found: self._ticked.get(found.session.id, -math.inf))
        budget = self.budget()
        spare = max(0, min(math.ceil(COUNTDOWN_RATE * TICK_SECONDS), budget - len(urgent)))
        chosen = [*urgent[:budget], *countdowns[:spare]]
        queue = [
            edit
            for found in chosen
            if (edit := found if isinstance(found, Edit) else self._render(found)) is not None
        ]
        sent = 0

        def next_edit() -> Edit | None:
            return queue.pop(0) if queue else None

        limiter = getattr(bot, "rate_limiter", None)
        paced = limiter if isinstance(limiter, PriorityRateLimiter) else None

        async def handle(edit: Edit) -> None:
            nonlocal sent
            if not edit.final and self._versions.get(edit.session.id, 0) != edit.version:
                return  # a press showed this session since: this view is older
            if await self._send(bot, edit, bulk=True, prepaced=paced is not None):
                sent += 1

        await run_pool(
            next_edit,
            handle,
            workers=self.services.settings.max_in_flight,
            running=running,
            acquire=None if paced is None else paced.acquire_bulk,
        )
        return sent, sent > 0 and len(chosen) >= budget

    def _settle_app(self, sessions: list[Session]) -> None:
        """End the app's sessions that are over (done), too old (ended), or no longer
        allowed (ended: asked at each new step, as a chat session's step asks it when
        shown). Storage only, and only a clock comparison for most: no rendering, no
        request."""
        store, now = self.services.store, self.services.clock()
        steps: dict[int, int] = {}
        for session in sessions:
            try:
                technique = self.technique(session)
            except LookupError:
                store.end_session(session.id, SessionState.ENDED, now)
                continue
            if session.held and not session.stale(technique.timings, now):
                # The bot stopped while it ran: it goes on where it was.
                session = store.resume_session(session.id, now) or session
            if session.stale(technique.timings, now):
                store.end_session(session.id, SessionState.ENDED, now)
                continue
            where = session.position(technique.timings, now)
            if session.state is SessionState.RUNNING and where.finished:
                store.end_session(session.id, SessionState.DONE, now)
                continue
            steps[session.id] = where.step
            moved = self._app_steps.get(session.id) != where.step
            if moved and store.massage(session.chat_id, now).permit is None:
                store.end_session(session.id, SessionState.ENDED, now)
                del steps[session.id]
        self._app_steps = steps

    def budget(self) -> int:
        """Edits one pass may send: the send rate for one tick (no pacing: no limit)."""
        rate = self.services.settings.send_rate
        return math.ceil(rate * TICK_SECONDS) if rate else 1_000_000

    def _countdown_due(self, session: Session, now: float, every: float) -> bool:
        """Whether the session's countdown may move this pass."""
        return now - self._ticked.get(session.id, -math.inf) >= every

    async def refresh(self, bot: ExtBot[Any], session_id: int) -> None:
        """Show one session as it stands now, at once (after a press on its buttons): a
        reply to the user, not bulk work."""
        session = self.services.store.session(session_id)
        if session is None:
            return
        self._versions[session_id] = self._versions.get(session_id, 0) + 1
        found = self._look(session, countdown=True)
        edit = found if isinstance(found, Edit) or found is None else self._render(found)
        if edit is not None:
            await self._send(bot, edit, bulk=False)

    def _look(self, session: Session, *, countdown: bool) -> Edit | Moved | None:
        """Where the session stands now, from the clock alone: an ``Edit`` that ends it
        (over, stale, or its technique gone), what ``Moved`` (a new step or state, or
        its countdown if ``countdown``), or None. Storage only: no request."""
        store, now = self.services.store, self.services.clock()
        content = self.services.content_for(session.language)
        try:
            technique = self.technique(session)
        except LookupError:  # the content lost the technique: nothing to show any more
            store.end_session(session.id, SessionState.ENDED, now)
            return None
        if session.held:
            # The bot stopped while this ran: go on at the same step, unless it is too late.
            if session.stale(technique.timings, now):
                return self._ended(session, Reply(content.message("session_ended")))
            resumed = store.resume_session(session.id, now)
            if resumed is None:
                return None
            session = resumed
        if session.stale(technique.timings, now):
            return self._ended(session, Reply(content.message("session_ended")))
        position = session.position(technique.timings, now)
        if session.state is SessionState.RUNNING and position.finished:
            return self._done(session, technique)
        where = (position.step, session.state)
        known = self._where.get(session.id)
        if known is not None:
            # Only the time left moved: a countdown tick. Anything else (a new step, a
            # pause) must be seen now.
            urgent = known != where
        else:
            # Not shown by this process yet (it just started): urgent only at a step that
            # has just begun; the others are refreshed with the countdowns, so a thousand
            # sessions after a restart do not all queue ahead of the next step changes.
            # From now on, a step change is known as one (this one too, until it is shown).
            just_before = now - timedelta(seconds=2 * TICK_SECONDS)
            before = session.position(technique.timings, just_before).step
            urgent = before != where[0]
            self._where[session.id] = (before, session.state)
        if not urgent and not countdown:
            return None
        waiting = 0.0
        if session.state is SessionState.RUNNING:
            waiting = technique.timings[position.step] - position.left
        return Moved(session, technique, where, urgent, waiting, self._versions.get(session.id, 0))

    def _render(self, moved: Moved) -> Edit | None:
        """The edit that shows a session that moved (asking the safety decision first), or
        None if its message shows that already. Storage only: no request."""
        session, now = moved.session, self.services.clock()
        content = self.services.content_for(session.language)
        # Every step shown asks the safety decision: a hold set since the session started
        # (a warning sign, /flare) or found on resuming after a restart ends it, saying why.
        allowed = self.services.store.massage(session.chat_id, now)
        if allowed.permit is None:
            held = render_safety.massage_held(content, allowed, None)
            reply = Reply(f"{content.message('session_held_resume')}\n\n{held.text}")
            return self._ended(session, reply)
        reply = render_sessions.session_view(content, moved.technique, session, now, allowed.permit)
        if self.shown.get(session.id) == reply.text:
            self._ticked[session.id] = now.timestamp()  # it shows this already
            return None
        return Edit(
            session,
            reply,
            moved.urgent,
            where=moved.where,
            version=moved.version,
            waiting=moved.waiting,
        )

    def _done(self, session: Session, technique: Technique) -> Edit | None:
        """Every step has run: end the session and ask how it felt."""
        now = self.services.clock()
        done = self.services.store.end_session(session.id, SessionState.DONE, now)
        if done is None:
            return None
        content = self.services.content_for(session.language)
        return Edit(
            done,
            render_sessions.session_done(content, technique, done),
            True,
            final=True,
            version=self._versions.get(done.id, 0),
            waiting=session.elapsed(now) - sum(technique.timings),
        )

    def _ended(self, session: Session, reply: Reply) -> Edit | None:
        ended = self.services.store.end_session(
            session.id, SessionState.ENDED, self.services.clock()
        )
        if ended is None:
            return None
        return Edit(ended, reply, True, final=True, version=self._versions.get(ended.id, 0))

    async def _send(
        self, bot: ExtBot[Any], edit: Edit, *, bulk: bool, prepaced: bool = False
    ) -> bool:
        """Edit one session's message; True if it went out. Any failure is this session's
        alone: retried by the ladder, then counted and logged once."""
        session = edit.session
        if session.message_id is None:
            self._forget(session.id)
            return False
        message_id = session.message_id

        async def request(attempt: int) -> Any:
            return await bot.edit_message_text(
                edit.reply.text,
                chat_id=session.chat_id,
                message_id=message_id,
                reply_markup=edit.reply.keyboard,
                read_timeout=self.services.settings.send_timeout,
                rate_limit_args=(
                    (BULK_PREPACED if prepaced and attempt == 1 else BULK) if bulk else None
                ),
            )

        try:
            result: Result[Any] = await send_with_retries(
                request, backoff=self.services.settings.send_backoff
            )
        except Exception:
            logger.exception("session %d: the edit failed", session.id)
            result = Result(Outcome.FAILED)
        self.edits[result.outcome] += 1
        error = result.error
        if result.outcome is Outcome.SENT or (
            isinstance(error, BadRequest) and api_errors.not_modified(error)
        ):
            if edit.final:
                self._forget(session.id)
            else:
                self.shown[session.id] = edit.reply.text
                self._ticked[session.id] = self.services.clock().timestamp()
                if edit.where is not None:
                    self._where[session.id] = edit.where
            return result.outcome is Outcome.SENT
        if result.outcome in (Outcome.GONE, Outcome.REFUSED):
            # The message is gone (deleted, or too old to edit) or the chat is: nobody
            # follows this session any more.
            logger.info("session %d: its message is gone (%s)", session.id, error)
            self.services.store.end_session(session.id, SessionState.ENDED, self.services.clock())
            self._forget(session.id)
            return False
        # Failed after the ladder (a 5xx, a timeout, a 429): the next pass tries again.
        logger.warning("session %d: the edit failed: %s", session.id, error)
        return False

    def remember(self, session: Session, reply: Reply) -> None:
        """A session's first message went out showing ``reply`` (its first step)."""
        self.shown[session.id] = reply.text
        self._ticked[session.id] = self.services.clock().timestamp()
        self._where[session.id] = (0, session.state)

    def forget(self, session_id: int) -> None:
        """A session ended outside the job (its Stop buttons): nothing more to show."""
        self._forget(session_id)

    def _forget(self, session_id: int) -> None:
        self.shown.pop(session_id, None)
        self._ticked.pop(session_id, None)
        self._where.pop(session_id, None)
        self._versions.pop(session_id, None)
