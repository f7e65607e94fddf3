"""Guided sessions through the local Bot API, on a clock the test drives: a whole session,
pause, skip, stop, the pain stop, one per chat, a restart mid-session, /progress."""

from __future__ import annotations

import sqlite3

import pytest

from bot import callbacks
from bot.jobs.base import always
from bot.jobs.sessions import SessionRunner
from content import Content, load_all
from storage import Caution, Feeling, SessionState
from tests.conftest import START, Harness
from tests.helpers import buttons

KNEADING = (30, 15, 55, 65, 15)


def runner(bot: Harness) -> SessionRunner:
    assert bot.application is not None
    found: SessionRunner = bot.application.jobs.sessions
    return found


async def tick(bot: Harness) -> None:
    """Run the session job now (it also runs on its own every second)."""
    assert bot.application is not None
    await runner(bot).run_once(bot.application.bot, always)


async def started(bot: Harness, technique: str = "kneading") -> dict:
    """Answer the caution check, start a session with /session; return its message."""
    bot.store.set_caution(bot.chat_id, Caution.NONE, bot.clock())
    reply = await bot.say(f"/session {technique}")
    return reply.result


def text_now(bot: Harness, message_id: int) -> str:
    """What the session's message shows in the chat now."""
    return str(bot.fake.api.messages[(bot.chat_id, message_id)]["text"])


async def test_someone_new_gets_the_caution_check_before_a_session(
    harness: Harness, content: Content
) -> None:
    reply = await harness.say("/session kneading")
    assert reply.params["text"] == content.message("caution_check")
    assert harness.store.active_session(harness.chat_id) is None


async def test_session_without_a_technique_offers_the_four(
    harness: Harness, content: Content
) -> None:
    reply = await harness.say("/session")
    assert reply.params["text"] == content.message("session_pick")
    assert buttons(reply.params) == [callbacks.session_start(t.id) for t in content.techniques]


async def test_a_whole_session_runs_step_by_step_and_asks_how_it_felt(
    harness: Harness, content: Content
) -> None:
    message = await started(harness)
    kneading = content.technique("kneading")
    assert kneading is not None
    first = text_now(harness, message["message_id"])
    assert first.startswith(f"<b>{kneading.steps[0]}</b>")
    assert "step 1 of 5" in first and "0:30" in first and "3:00 left in all" in first
    assert kneading.steps[1][:40] in first  # what comes next
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    pause, skip = (callbacks.session_action(a, session.id) for a in ("pause", "skip"))
    assert buttons(message)[:2] == [pause, skip]
    assert callbacks.session_action("pain", session.id) in buttons(message)

    harness.clock.advance(seconds=31)
    await tick(harness)
    second = text_now(harness, message["message_id"])
    assert "step 2 of 5" in second and "0:15" in second
    harness.clock.advance(seconds=sum(KNEADING) - 31)
    await tick(harness)
    done = text_now(harness, message["message_id"])
    assert done == content.message("session_done", technique=kneading.name)
    ended = harness.store.sessions(harness.chat_id)[0]
    assert ended.state is SessionState.DONE
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_feeling(ended.id, "worse"))
    answer = await harness.next_call(start, "editMessageText")
    assert answer.params["text"] == content.message("session_felt_worse")
    assert buttons(answer.params) == [callbacks.URGENT]
    assert harness.store.sessions(harness.chat_id)[0].feeling is Feeling.WORSE


async def test_edits_come_at_most_every_five_seconds(harness: Harness) -> None:
    message = await started(harness)
    start = len(harness.calls)
    for _ in range(60):  # a minute, ticking every second
        harness.clock.advance(seconds=1)
        await tick(harness)
    edits = [
        c
        for c in harness.since(start, "editMessageText")
        if c.params.get("message_id") == message["message_id"]
    ]
    assert 6 <= len(edits) <= 60 // 5 + 1


async def test_pause_holds_the_timer_and_resume_goes_on(harness: Harness, content: Content) -> None:
    message = await started(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    harness.clock.advance(seconds=10)
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_action("pause", session.id))
    await harness.next_call(start, "editMessageText")
    paused = text_now(harness, message["message_id"])
    assert content.message("session_paused") in paused and "0:20" in paused
    harness.clock.advance(minutes=10)
    await tick(harness)
    assert "0:20" in text_now(harness, message["message_id"])
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_action("resume", session.id))
    await harness.next_call(start, "editMessageText")
    resumed = text_now(harness, message["message_id"])
    assert content.message("session_paused") not in resumed and "0:20" in resumed


async def test_skip_moves_to_the_next_step_at_once(harness: Harness) -> None:
    message = await started(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_action("skip", session.id))
    await harness.next_call(start, "editMessageText")
    assert "step 2 of 5" in text_now(harness, message["message_id"])


async def test_stop_ends_it_kindly(harness: Harness, content: Content) -> None:
    message = await started(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_action("stop", session.id))
    edit = await harness.next_call(start, "editMessageText")
    assert edit.params["text"] == content.message("session_stopped", step="1", steps="5")
    assert "reply_markup" not in edit.params or not buttons(edit.params)
    assert harness.store.sessions(harness.chat_id)[0].state is SessionState.STOPPED
    # A second press on the old message is answered as stale and changes nothing.
    answer = await harness.press(
        message["message_id"], callbacks.session_action("pause", session.id)
    )
    assert answer.params.get("text") == content.answers["stale"]


async def test_the_pain_stop_ends_at_once_and_opens_the_urgent_card(
    harness: Harness, content: Content
) -> None:
    message = await started(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    start = len(harness.calls)
    await harness.press(message["message_id"], callbacks.session_action("pain", session.id))
    edit = await harness.next_call(start, "editMessageText")
    assert edit.params["text"] == content.message("session_pain_stop")
    urgent = await harness.next_call(start, "sendMessage")
    assert urgent.params["text"] == content.pages["urgent"]
    assert harness.store.sessions(harness.chat_id)[0].state is SessionState.PAIN_STOP


async def test_one_session_per_chat(harness: Harness, content: Content) -> None:
    await started(harness)
    again = await harness.say("/session pressing")
    assert again.params["text"] == content.message("session_already")


async def test_the_card_has_a_start_button_that_starts_one(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    card = await harness.say("/technique grasping")
    assert callbacks.session_start("grasping") in buttons(card.params)
    start = len(harness.calls)
    await harness.press(card.result["message_id"], callbacks.session_start("grasping"))
    session_message = await harness.next_call(start, "sendMessage")
    grasping = content.technique("grasping")
    assert grasping is not None
    assert session_message.params["text"].startswith(f"<b>{grasping.steps[0]}</b>")


async def test_a_restart_goes_on_at_the_same_step(stopped: Harness) -> None:
    bot = stopped
    async with bot.running():
        message = await started(bot)
        bot.clock.advance(seconds=50)  # step 3, 50 s left
        await tick(bot)
        assert "0:50" in text_now(bot, message["message_id"])
    bot.clock.advance(minutes=5)  # the bot is down
    async with bot.running():
        await tick(bot)
        now = text_now(bot, message["message_id"])
        assert "step 3 of 5" in now and "0:50" in now
        bot.clock.advance(seconds=5)
        await tick(bot)
        assert "0:45" in text_now(bot, message["message_id"])


async def test_a_restart_long_after_ends_the_session_politely(
    stopped: Harness, content: Content
) -> None:
    bot = stopped
    async with bot.running():
        message = await started(bot)
    bot.clock.advance(hours=2)
    async with bot.running():
        await tick(bot)
        assert text_now(bot, message["message_id"]) == content.message("session_ended")
    assert bot.store.sessions(bot.chat_id)[0].state is SessionState.ENDED


async def test_progress_counts_sessions_without_a_word_about_missed_days(
    harness: Harness, content: Content
) -> None:
    message = await started(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    await harness.press(message["message_id"], callbacks.session_action("stop", session.id))
    reply = await harness.say("/progress")
    line = content.message("progress_sessions", week="1")
    assert line in reply.params["text"]


async def test_a_session_in_chinese(harness: Harness) -> None:
    zh = load_all()["zh"]
    harness.language_code = "zh-hans"
    message = await started(harness, "按压")
    pressing = zh.technique("pressing")
    assert pressing is not None
    shown = text_now(harness, message["message_id"])
    assert shown.startswith(f"<b>{pressing.steps[0]}</b>") and "第 1 步，共 5 步" in shown


async def test_a_lock_held_elsewhere_only_delays_the_timer(harness: Harness) -> None:
    message = await started(harness)
    other = sqlite3.connect(harness.settings.db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process writing
        harness.clock.advance(seconds=sum(KNEADING) + 1)
        await tick(harness)  # cannot record the end: tries again next pass
        assert harness.store.active_session(harness.chat_id) is not None
    finally:
        other.execute("COMMIT")
        other.close()
    await tick(harness)
    assert harness.store.active_session(harness.chat_id) is None
    assert "?" in text_now(harness, message["message_id"])  # "how did that feel?"


@pytest.mark.parametrize(
    "fault", [pytest.param("400", id="refused"), pytest.param("500", id="5xx")]
)
async def test_a_session_whose_message_cannot_be_sent_ends_at_once_and_is_not_counted(
    harness: Harness, content: Content, fault: str
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    harness.store.subscribe(harness.chat_id, harness.clock())
    harness.store.set_weekly(harness.chat_id, START.weekday(), harness.clock())  # today, 18:00
    harness.fake.faults[harness.chat_id] = [fault]
    await harness.handle(harness.fake.api.user_message(harness.chat_id, "/session kneading"))
    assert harness.fake.injected == [(harness.chat_id, fault)]
    assert harness.store.active_session(harness.chat_id) is None
    assert harness.store.sessions(harness.chat_id) == []
    harness.clock.advance(seconds=sum(KNEADING) + 60)
    await tick(harness)
    # Counted nowhere: /progress, /export, the weekly look back.
    progress = await harness.say("/progress")
    assert content.message("progress_sessions", week="1") not in progress.params["text"]
    start = len(harness.calls)
    await harness.handle(harness.fake.api.user_message(harness.chat_id, "/export"))
    exported = harness.since(start, "sendDocument")
    if exported:  # nothing recorded: no file, or one without the session
        csv = harness.fake.api.files[exported[0].result["document"]["file_id"]].decode("utf-8-sig")
        assert all(row.split(",")[4] == "0" for row in csv.splitlines()[1:])
    harness.clock.set(START.replace(hour=18, minute=1))
    start = len(harness.calls)
    assert harness.application is not None
    await harness.application.jobs.weekly.run(harness.application.bot)
    (summary,) = [c.params["text"] for c in harness.since(start, "sendMessage")]
    assert content.message("weekly_sessions", count="1") not in summary
    # And a new session starts at once.
    reply = await harness.say("/session kneading")
    assert reply.params["text"] != content.message("session_already")
    assert harness.store.active_session(harness.chat_id) is not None
