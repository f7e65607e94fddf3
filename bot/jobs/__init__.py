"""Every scheduled job, and what runs when.

Read ``schedule`` top to bottom: it is the one table of the bot's jobs, wired as
python-telegram-bot's own examples wire theirs (``job_queue.run_repeating`` /
``run_once``). Each job is a class on one skeleton (``base.Job``: one run at a time, and
another process's write lock ends a run quietly); the ones that send to many chats (daily
tips, put-off tips, weekly look backs, broadcasts) do it through the one fan-out of
``bot.sending`` and differ only in what they claim and render.

| job | what it does | when |
|---|---|---|
| daily-tips (``daily``) | claims due daily tips and sends them | every tick (1 s), from 1 s |
| later (``later``) | tips put off with ⏰ Later, when due | every tick |
| weekly (``weekly``) | the weekly look backs, on each chat's day at 18:00 | every tick |
| guided-sessions (``sessions``) | edits each running session's message | every second |
| retention (``retention``) | deletes old delivery rows in timed batches | hourly, from 60 s |
| wal-checkpoint | copies the WAL into the database file, in a thread | every 30 s |
| broadcast-N (``broadcasts``) | a broadcast, sent or resumed after a stop | once |
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.jobs import broadcasts, daily, later, retention, sessions, weekly
from bot.jobs.base import JobContext
from bot.render import operators as render_operators
from bot.services import Services
from storage import Broadcast, BroadcastStatus, Store

logger = logging.getLogger(__name__)

#: Any Application: the jobs sit below ``bot.context.BotApplication``, which holds them.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

#: How often the WAL is copied into the database file (SQLite's own checkpoints are off).
CHECKPOINT_SECONDS = 30


@dataclass(frozen=True)
class Jobs:
    """Every job of the bot, made once from its services; ``schedule`` runs them."""

    dispatcher: daily.Dispatcher
    later: later.Snoozes
    weekly: weekly.Weeklies
    sessions: sessions.SessionRunner
    retention: retention.Retention

    @classmethod
    def of(cls, services: Services) -> Jobs:
        """Make every job from ``services``."""
        return cls(
            dispatcher=daily.Dispatcher(services),
            later=later.Snoozes(services),
            weekly=weekly.Weeklies(services),
            sessions=sessions.SessionRunner(services),
            retention=retention.Retention(services),
        )


def schedule(application: AnyApplication, services: Services, jobs: Jobs) -> None:
    """What runs when: every job of the bot, once it has started."""
    tick = services.settings.tick_seconds
    # The daily tip: a second after start (settings.first_tick_seconds; APScheduler cannot
    # start a job at once), then every tick. A run that drains a backlog outlasts the
    # interval: the next ones return at once (the skeleton's lock, base.Job) instead of
    # APScheduler logging a skipped run.
    _every(
        application,
        jobs.dispatcher.tick,
        tick,
        services.settings.first_tick_seconds,
        daily.JOB_NAME,
        instances=2,
    )
    # The same for the other jobs on the skeleton: a run that outlasts its interval (a
    # backlog of look backs, a thousand sessions) makes the next return at once.
    _every(application, jobs.later.tick, tick, tick, later.JOB_NAME, instances=2)
    _every(application, jobs.weekly.tick, tick, tick, weekly.JOB_NAME, instances=2)
    _every(
        application,
        jobs.sessions.tick,
        sessions.TICK_SECONDS,
        sessions.TICK_SECONDS,
        sessions.JOB_NAME,
        instances=2,
    )
    _every(
        application,
        jobs.retention.tick,
        retention.INTERVAL_SECONDS,
        retention.FIRST_SECONDS,
        retention.JOB_NAME,
    )
    _every(
        application,
        _checkpoint(services.store),
        CHECKPOINT_SECONDS,
        CHECKPOINT_SECONDS,
        "wal-checkpoint",
    )
    for unfinished in services.store.unfinished_broadcasts():
        # A stop interrupted it: go on once running (at the first tick), and tell the
        # operator the final count.
        logger.info("resuming broadcast %d", unfinished.id)
        when = services.settings.first_tick_seconds
        start_broadcast(application, services, unfinished, when=when)


def start_broadcast(
    application: AnyApplication,
    services: Services,
    broadcast: Broadcast,
    *,
    when: float = 0,
    progress: broadcasts.Progress | None = None,
    finished: Callable[[dict[BroadcastStatus, int]], Awaitable[None]] | None = None,
) -> None:
    """Send a broadcast as a job of its own, ``when`` seconds from now: ``progress`` is
    awaited now and then, ``finished`` with the final counts (else the operator who sent it
    is told them); a stop leaves it unfinished, and ``schedule`` resumes it."""
    assert application.job_queue is not None

    async def run(context: JobContext) -> None:
        counts = await broadcasts.send(
            context.bot,
            services,
            broadcast,
            lambda: context.application.running,
            progress,
        )
        if counts is None:  # stopping: the count comes after the restart
            return
        if finished is not None:
            await finished(counts)
        else:
            text = render_operators.broadcast_done(services.content, counts)
            await context.bot.send_message(broadcast.created_by, text)

    application.job_queue.run_once(run, when=when, name=f"broadcast-{broadcast.id}")


def _every(
    application: AnyApplication,
    callback: Callable[[JobContext], Coroutine[Any, Any, None]],
    interval: float,
    first: float,
    name: str,
    *,
    instances: int = 1,
) -> None:
    """Run ``callback`` every ``interval`` seconds from ``first`` on: a run that outlasts
    the interval makes the next one skip instead of queueing up."""
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        callback,
        interval=interval,
        first=first,
        name=name,
        job_kwargs={"max_instances": instances, "coalesce": True, "misfire_grace_time": None},
    )


def _checkpoint(store: Store) -> Callable[[JobContext], Coroutine[Any, Any, None]]:
    """The job that copies the WAL into ``store``'s file in a thread, off the event loop."""

    async def checkpoint(context: JobContext) -> None:
        await asyncio.to_thread(store.checkpoint)

    return checkpoint
