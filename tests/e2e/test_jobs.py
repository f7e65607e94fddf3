"""Every job on one engine (issue 21): one chat's failure never stops another's work, a
button press is shown at once in its own session, and the jobs that send to many chats take
everything due in one run, mark the chats that are gone and give back what a stop left."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from bot import callbacks
from bot.console.localapi import Call
from bot.jobs import broadcasts
from bot.jobs.base import always
from bot.jobs.sessions import SessionRunner, countdown_every
from bot.jobs.weekly import Weeklies
from content import load
from storage import BroadcastStatus, Caution
from tests.conftest import START, Harness, MakeHarness

#: Kneading's step times (content/sessions.toml).
FIRST_STEP = 30


def bot_of(harness: Harness) -> Any:
    assert harness.application is not None
    return harness.application.bot


def runner(bot: Harness) -> SessionRunner:
    assert bot.application is not None
    found: SessionRunner = bot.application.jobs.sessions
    return found


async def session_in(bot: Harness, chat_id: int) -> int:
    """Start a kneading session in ``chat_id``; return its message id."""
    bot.store.set_caution(chat_id, Caution.NONE, bot.clock())
    reply = await bot.say("/session kneading", chat_id=chat_id)
    return int(reply.result["message_id"])


def edits_of(bot: Harness, start: int, message_id: int, chat_id: int) -> list[str]:
    return [
        c.params["text"]
        for c in bot.since(start, "editMessageText")
        if c.params.get("message_id") == message_id and c.params.get("chat_id") == chat_id
    ]


async def test_one_sessions_failing_edits_never_stop_the_others(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    mine, other = harness.chat_id, harness.chat_id + 1
    my_message = await session_in(harness, mine)
    other_message = await session_in(harness, other)
    # Every try of this chat's edit fails (a 5xx three times: the whole retry ladder).
    harness.fake.faults[mine] = ["500", "500", "500"]
    harness.clock.advance(seconds=FIRST_STEP + 1)  # both move to step 2: must be shown
    start = len(harness.calls)
    with caplog.at_level(logging.WARNING):
        await runner(harness).run_once(bot_of(harness), always)
    assert edits_of(harness, start, other_message, other)  # the other session went on
    assert len([c for c in harness.fake.injected if c[0] == mine]) == 3  # the ladder
    failed = [r for r in caplog.records if "the edit failed" in r.getMessage()]
    assert len(failed) == 1  # logged once
    # Still running, and shown on the next pass.
    assert harness.store.active_session(mine) is not None
    start = len(harness.calls)
    await runner(harness).run_once(bot_of(harness), always)
    assert edits_of(harness, start, my_message, mine)


async def test_a_press_is_shown_at_once_even_while_a_pass_runs(harness: Harness) -> None:
    message_id = await session_in(harness, harness.chat_id)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    job = runner(harness)
    # A long pass is going on (many sessions): the press must not wait for it.
    async with job._lock:
        start = len(harness.calls)
        await harness.press(message_id, callbacks.session_action("pause", session.id))
        shown = edits_of(harness, start, message_id, harness.chat_id)
    assert shown and "⏸" in shown[-1]


def test_countdowns_thin_out_as_sessions_grow() -> None:
    assert countdown_every(1) == countdown_every(60) == 5
    assert countdown_every(1_000) > countdown_every(200) > 5
    # Never more countdown edits a second than the budget, whatever the number.
    for sessions in (10, 100, 1_000, 10_000):
        assert sessions / countdown_every(sessions) <= 12


def look_backs(bot: Harness, start: int) -> list[Call]:
    """The weekly look backs sent after the first ``start`` calls."""
    title = load().message("weekly_title", first="", last="").split(",")[0]
    return [c for c in bot.since(start, "sendMessage") if c.params["text"].startswith(title)]


async def weekly_chats(bot: Harness, count: int) -> list[int]:
    """``count`` subscribed chats whose look back is due now (Thursday 18:00 UTC)."""
    chats = [1_000 + n for n in range(count)]
    for chat in chats:
        bot.store.subscribe(chat, bot.clock())
        bot.store.set_weekly(chat, START.weekday(), bot.clock())
    # No daily tip due meanwhile: a fault set for a chat must meet its look back.
    bot.store.db.execute("UPDATE subscribers SET next_due = NULL")
    bot.clock.set(START.replace(hour=18, minute=1))
    return chats


async def test_every_due_look_back_goes_out_in_one_run_and_failures_stay_their_own(
    harness: Harness,
) -> None:
    chats = await weekly_chats(harness, 250)  # more than one batch
    gone, failing = chats[7], chats[8]
    harness.fake.faults[gone] = ["403"]
    harness.fake.faults[failing] = ["500", "500", "500"]
    assert harness.application is not None
    job: Weeklies = harness.application.jobs.weekly
    start = len(harness.calls)
    await job.run_once(bot_of(harness), always)
    reached = {int(c.params["chat_id"]) for c in look_backs(harness, start)}
    assert reached == set(chats) - {gone, failing}
    blocked = harness.store.subscriber(gone)
    assert blocked is not None and blocked.blocked  # marked, in one write
    # Each at most once: a second run sends nothing.
    start = len(harness.calls)
    await job.run_once(bot_of(harness), always)
    assert look_backs(harness, start) == []


async def test_a_stop_gives_back_the_look_backs_it_did_not_send(harness: Harness) -> None:
    chats = await weekly_chats(harness, 5)
    assert harness.application is not None
    job: Weeklies = harness.application.jobs.weekly
    taken = job.take(10)
    assert [item.chat_id for item in taken] == chats
    job.give_back(taken)  # what the fan-out does with items a stop left unsent
    again = job.take(10)
    assert [item.chat_id for item in again] == chats  # due again, once
    assert job.take(10) == []


async def test_a_broadcast_goes_through_the_one_fan_out(harness: Harness) -> None:
    """Copies of a broadcast: a failing chat (a 5xx through the whole ladder) and a gone one
    are their own; every other chat gets it once, and the counts say so."""
    chats = [2_000 + n for n in range(6)]
    for chat in chats:
        harness.store.subscribe(chat, harness.clock())
    harness.store.db.execute("UPDATE subscribers SET next_due = NULL")  # no daily tip
    source = await harness.say("/help")
    started = harness.store.start_broadcast(
        harness.chat_id, source.result["message_id"], harness.chat_id, START
    )
    assert started is not None
    gone, failing = chats[1], chats[2]
    harness.fake.faults[gone] = ["403"]
    harness.fake.faults[failing] = ["500", "500", "500"]
    start = len(harness.calls)
    assert harness.application is not None
    services = harness.application.services
    counts = await broadcasts.send(bot_of(harness), services, started, always)
    assert counts is not None
    copied = [int(c.params["chat_id"]) for c in harness.since(start, "copyMessage")]
    assert sorted(copied) == sorted(set(chats) - {gone, failing})
    assert counts[BroadcastStatus.SENT] == len(chats) - 2
    assert counts[BroadcastStatus.BLOCKED] == 1 and counts[BroadcastStatus.FAILED] == 1
    blocked = harness.store.subscriber(gone)
    assert blocked is not None and blocked.blocked


async def test_a_sessions_last_message_is_never_held_back(harness: Harness) -> None:
    """The end ("how did that feel?") goes out even right after another edit of the same
    chat: the session has ended, and no later pass would show it."""
    message_id = await session_in(harness, harness.chat_id)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    job = runner(harness)
    harness.clock.advance(seconds=sum(job.technique(session).timings) + 1)
    job._ticked[session.id] = harness.clock().timestamp()
    start = len(harness.calls)
    await job.run_once(bot_of(harness), always)
    (done,) = edits_of(harness, start, message_id, harness.chat_id)
    assert "?" in done  # how did that feel?
    assert harness.store.active_session(harness.chat_id) is None


async def test_step_changes_fill_a_pass_first_and_countdowns_get_what_is_left(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more step changes due than a pass may send, a pass sends only step changes,
    the longest-waiting first; the next pass follows at once with the rest, and only then
    the countdowns."""
    job = runner(harness)
    monkeypatch.setattr(job, "budget", lambda: 3)
    early = [harness.chat_id + n for n in range(4)]
    messages = {chat: await session_in(harness, chat) for chat in early}
    harness.clock.advance(seconds=1)
    late = early[0] + 100  # a moment later: its step change has waited less
    messages[late] = await session_in(harness, late)
    harness.clock.advance(seconds=FIRST_STEP - 10)
    counting = late + 1  # started later still: only its countdown moves
    messages[counting] = await session_in(harness, counting)
    harness.clock.advance(seconds=10)  # the first five are at step 2; ``counting`` is not
    start = len(harness.calls)
    await job.run_once(bot_of(harness), always)
    order = [
        int(c.params["chat_id"])
        for c in harness.since(start, "editMessageText")
        if messages.get(int(c.params["chat_id"])) == c.params.get("message_id")
    ]
    assert len(order) == 6  # one run: every step change and the countdown
    assert set(order[:3]) <= set(early)  # the first pass: the longest-waiting changes
    assert set(order[3:5]) == set(messages) - set(order[:3]) - {counting}
    assert order[5] == counting


async def test_a_session_edit_waits_the_send_timeout_for_an_answer(
    make_harness: MakeHarness,
) -> None:
    """As every job on the fan-out: an edit Telegram does not answer in time is tried
    again after ``send_timeout`` (0.3 s), not when the fake's 504 comes 2 s later."""
    bot = make_harness(send_timeout=0.3, send_backoff=0.05)
    async with bot.running():
        message_id = await session_in(bot, bot.chat_id)
        bot.clock.advance(seconds=FIRST_STEP + 1)
        bot.fake.faults[bot.chat_id] = ["timeout"]
        start, began = len(bot.calls), time.monotonic()
        await runner(bot).run_once(bot_of(bot), always)
        took = time.monotonic() - began
        assert edits_of(bot, start, message_id, bot.chat_id)
    assert took < 1.2
    assert [fault for chat, fault in bot.fake.injected if chat == bot.chat_id] == ["timeout"]
