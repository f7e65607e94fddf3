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
from typing import Any

from telegram.ext import Application

from bot import render
from bot.context import BotContext, Services, services_of
from bot.jobs import broadcasts, daily, later, retention, sessions, weekly
from storage import Broadcast, BroadcastStatus

logger = logging.getLogger(__name__)

#: Any Application of the bot's (handlers see it with looser types).
BotApplication = Application[Any, Any, Any, Any, Any, Any]

#: Where the Application keeps each job (``bot_data``).
DISPATCHER_KEY = "dispatcher"
RETENTION_KEY = "retention"
LATER_KEY = "later"
WEEKLY_KEY = "weekly"
SESSIONS_KEY = "sessions"
#: How often the WAL is copied into the database file (SQLite's own checkpoints are off).
CHECKPOINT_SECONDS = 30


def build(application: BotApplication, services: Services) -> None:
    """Make every job and keep it on the application, for the table and the handlers."""
    data = application.bot_data
    data[DISPATCHER_KEY] = daily.Dispatcher(services)
    data[RETENTION_KEY] = retention.Retention(services)
    data[LATER_KEY] = later.Snoozes(services)
    data[WEEKLY_KEY] = weekly.Weeklies(services)
    data[SESSIONS_KEY] = sessions.SessionRunner(services)


def schedule(application: BotApplication) -> None:
    """What runs when: every job of the bot, once it has started."""
    services = services_of(application)
    data = application.bot_data
    tick = services.settings.tick_seconds
    # The daily tip: a second after start (settings.first_tick_seconds; APScheduler cannot
    # start a job at once), then every tick. A run that drains a backlog outlasts the
    # interval: the next ones return at once (the skeleton's lock, base.Job) instead of
    # APScheduler logging a skipped run.
    _every(
        application,
        data[DISPATCHER_KEY].tick,
        tick,
        services.settings.first_tick_seconds,
        daily.JOB_NAME,
        instances=2,
    )
    # The same for the other jobs on the skeleton: a run that outlasts its interval (a
    # backlog of look backs, a thousand sessions) makes the next return at once.
    _every(application, data[LATER_KEY].tick, tick, tick, later.JOB_NAME, instances=2)
    _every(application, data[WEEKLY_KEY].tick, tick, tick, weekly.JOB_NAME, instances=2)
    _every(
        application,
        data[SESSIONS_KEY].tick,
        sessions.TICK_SECONDS,
        sessions.TICK_SECONDS,
        sessions.JOB_NAME,
        instances=2,
    )
    _every(
        application,
        data[RETENTION_KEY].tick,
        retention.INTERVAL_SECONDS,
        retention.FIRST_SECONDS,
        retention.JOB_NAME,
    )
    _every(application, _checkpoint, CHECKPOINT_SECONDS, CHECKPOINT_SECONDS, "wal-checkpoint")
    for unfinished in services.store.unfinished_broadcasts():
        # A stop interrupted it: go on once running (at the first tick), and tell the
        # operator the final count.
        logger.info("resuming broadcast %d", unfinished.id)
        start_broadcast(application, unfinished, when=services.settings.first_tick_seconds)


def start_broadcast(
    application: BotApplication,
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

    async def run(context: BotContext) -> None:
        counts = await broadcasts.send(
            context.bot,
            context.services,
            broadcast,
            lambda: context.application.running,
            progress,
        )
        if counts is None:  # stopping: the count comes after the restart
            return
        if finished is not None:
            await finished(counts)
        else:
            text = render.broadcast_done(context.services.content, counts)
            await context.bot.send_message(broadcast.created_by, text)

    application.job_queue.run_once(run, when=when, name=f"broadcast-{broadcast.id}")


def _every(
    application: BotApplication,
    callback: Callable[[BotContext], Coroutine[Any, Any, None]],
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


async def _checkpoint(context: BotContext) -> None:
    """Copy the WAL into the database file in a thread, off the event loop."""
    await asyncio.to_thread(context.store.checkpoint)
