"""/stats and /broadcast for operators (preview, confirm, paced delivery with progress and
counts), and refusal for everyone else, over HTTP through the fake Bot API."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from bot import callbacks
from bot.render import chart
from bot.render import operators as render_operators
from content import Content
from storage import BroadcastStatus
from tests.conftest import FakeClock, Harness, MakeHarness
from tests.fakeapi import FakeBotApi
from tests.helpers import buttons

ADMIN = 42
SUBSCRIBERS = [101, 102, 103, 104, 105]
BLOCKED = 104
SECRET = "the-words-of-the-broadcast-7f3a"


@pytest.fixture
async def admin(
    make_harness: MakeHarness, fake: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot with chat 42 as its operator and five subscribers, one of whom blocked it."""
    bot = make_harness(admin_ids=frozenset({ADMIN}))
    async with bot.running():
        await fake.wait_call("setMyCommands")
        for chat_id in SUBSCRIBERS:
            bot.store.subscribe(chat_id, clock())
        fake.api.blocked.add(BLOCKED)
        yield bot


async def write(bot: Harness, text: str) -> int:
    """The operator writes a message; return its id."""
    update = bot.fake.api.user_message(bot.chat_id, text)
    await bot.handle(update)
    return int(update["message"]["message_id"])


async def ask(bot: Harness, source: int) -> list:
    """Reply to message ``source`` with /broadcast; return the calls it made."""
    return await bot.handle(bot.fake.api.user_message(bot.chat_id, "/broadcast", reply_to=source))


async def test_broadcast_previews_the_message_and_asks_to_confirm(
    admin: Harness, content: Content
) -> None:
    source = await write(admin, SECRET)
    calls = await ask(admin, source)
    copy, question = [c for c in calls if c.method in ("copyMessage", "sendMessage")]
    assert copy.method == "copyMessage"
    assert (copy.params["chat_id"], copy.params["message_id"]) == (ADMIN, source)
    assert question.params["text"] == content.message("broadcast_preview", count="5")
    assert buttons(question.params) == [
        callbacks.broadcast_confirm(ADMIN, source),
        callbacks.BROADCAST_CANCEL,
    ]
    assert list(admin.store.db.execute("SELECT * FROM broadcasts")) == []


async def test_confirm_sends_to_every_active_subscriber_and_counts(
    admin: Harness, content: Content
) -> None:
    source = await write(admin, SECRET)
    question = [c for c in await ask(admin, source) if c.method == "sendMessage"][-1]
    done = content.message("broadcast_done", sent="4", blocked="1", failed="0")
    await admin.press(question.result["message_id"], callbacks.broadcast_confirm(ADMIN, source))
    final = await admin.fake.wait_for(
        lambda: next(
            (c for c in admin.since(0, "editMessageText") if c.params["text"] == done), None
        )
    )
    assert final.params["message_id"] == question.result["message_id"]
    copies = [c for c in admin.calls if c.method == "copyMessage" and c.params["chat_id"] != ADMIN]
    assert sorted(c.params["chat_id"] for c in copies) == SUBSCRIBERS
    assert all(c.params["message_id"] == source for c in copies)
    assert [c.params["chat_id"] for c in copies if c.error] == [BLOCKED]
    blocked = admin.store.subscriber(BLOCKED)
    assert blocked is not None and blocked.blocked
    assert admin.store.unfinished_broadcasts() == []
    counts = admin.store.broadcast_counts(1)
    assert counts[BroadcastStatus.SENT] == 4 and counts[BroadcastStatus.BLOCKED] == 1
    # The blocked user's refusal was expected; the fixture checks for other refusals.
    for call in [c for c in copies if c.error]:
        admin.calls.remove(call)


async def test_a_second_tap_on_confirm_sends_nothing_twice(
    admin: Harness, content: Content
) -> None:
    source = await write(admin, SECRET)
    question = [c for c in await ask(admin, source) if c.method == "sendMessage"][-1]
    confirm = callbacks.broadcast_confirm(ADMIN, source)
    # Both taps arrive before the first one's edit removes the buttons.
    first = admin.fake.api.press(admin.chat_id, question.result["message_id"], confirm)
    second = admin.fake.api.press(admin.chat_id, question.result["message_id"], confirm)
    await admin.fake.wait_for(lambda: {first["update_id"], second["update_id"]} <= admin.handled)
    done = content.message("broadcast_done", sent="4", blocked="1", failed="0")
    await admin.fake.wait_for(
        lambda: any(c.params["text"] == done for c in admin.since(0, "editMessageText"))
    )
    assert len(list(admin.store.db.execute("SELECT id FROM broadcasts"))) == 1
    copies = [c for c in admin.calls if c.method == "copyMessage" and c.params["chat_id"] != ADMIN]
    assert len(copies) == len(SUBSCRIBERS)
    for call in [c for c in copies if c.error]:
        admin.calls.remove(call)  # the blocked user's refusal was expected


async def test_cancel_sends_nothing(admin: Harness, content: Content) -> None:
    source = await write(admin, SECRET)
    question = [c for c in await ask(admin, source) if c.method == "sendMessage"][-1]
    start = len(admin.calls)
    await admin.press(question.result["message_id"], callbacks.BROADCAST_CANCEL)
    edit = await admin.next_call(start, "editMessageText")
    assert edit.params["text"] == content.message("broadcast_cancelled")
    assert [c for c in admin.since(start) if c.method == "copyMessage"] == []


async def test_broadcast_without_a_reply_explains(admin: Harness, content: Content) -> None:
    reply = await admin.say("/broadcast")
    assert reply.params["text"] == content.message("broadcast_usage")


async def test_non_operators_get_what_an_unknown_command_gets(
    harness: Harness, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    source = await write(harness, SECRET)
    calls = await ask(harness, source)
    unknown = await harness.say("/frobnicate")
    sent = [c for c in calls if c.method in ("sendMessage", "copyMessage")]
    assert [(c.method, c.params["text"]) for c in sent] == [("sendMessage", unknown.params["text"])]
    assert unknown.params["text"] == content.message("fallback")
    assert any("not an operator" in r.getMessage() for r in caplog.records)
    assert not any(SECRET in r.getMessage() for r in caplog.records)


async def test_a_forged_confirm_from_a_non_operator_sends_nothing(
    harness: Harness, content: Content
) -> None:
    source = await write(harness, SECRET)
    menu = await harness.say("/help")
    answer = await harness.press(
        menu.result["message_id"], callbacks.broadcast_confirm(harness.chat_id, source)
    )
    assert answer.params["text"] == content.answers["stale"]
    assert list(harness.store.db.execute("SELECT * FROM broadcasts")) == []


async def test_a_broadcast_a_stop_interrupted_goes_on_after_a_restart(
    make_harness: MakeHarness, fake: FakeBotApi, clock: FakeClock, content: Content
) -> None:
    # The broadcast goes on at the first tick: 0.05 s, not 1 (no tip is due before 09:00).
    bot = make_harness(admin_ids=frozenset({ADMIN}), first_tick_seconds=0.05)
    async with bot.running():
        for chat_id in SUBSCRIBERS:
            bot.store.subscribe(chat_id, clock())
    source = fake.api.user_message(ADMIN, SECRET, queue=False)["message"]["message_id"]
    started = bot.store.start_broadcast(ADMIN, source, ADMIN, clock())
    assert started is not None
    # The first two went out before the stop.
    for chat_id in SUBSCRIBERS[:2]:
        bot.store.mark_copy(started.id, chat_id, BroadcastStatus.SENT, clock())
    start = len(fake.calls)
    done = content.message("broadcast_done", sent="5", blocked="0", failed="0")
    async with bot.running():
        report = await fake.wait_for(
            lambda: next(
                (c for c in bot.since(start, "sendMessage") if c.params["text"] == done), None
            )
        )
    assert report.params["chat_id"] == ADMIN
    copied = sorted(c.params["chat_id"] for c in bot.since(start, "copyMessage"))
    assert copied == SUBSCRIBERS[2:]
    assert bot.store.unfinished_broadcasts() == []


# /stats ------------------------------------------------------------------------------------


async def test_stats_sends_the_chart_and_figures_that_match_the_database(
    admin: Harness, content: Content
) -> None:
    admin.store.set_feedback(101, "stay_active", False, admin.clock())
    calls = await admin.handle(admin.fake.api.user_message(ADMIN, "/stats"))
    photo, details = [c for c in calls if c.method in ("sendPhoto", "sendMessage")]
    assert photo.method == "sendPhoto"
    image = Image.open(io.BytesIO(admin.fake.api.files[photo.result["photo"][-1]["file_id"]]))
    assert (image.format, image.size) == ("PNG", (chart.WIDTH, chart.HEIGHT))
    figures = admin.store.stats(admin.clock())
    assert figures.subscribers.active == len(SUBSCRIBERS)  # the fixture's five
    assert photo.params["caption"] == render_operators.stats(content, figures)[0].caption
    assert "<b>5</b> active" in photo.params["caption"]
    assert "<code>stay_active</code>" in details.params["text"]


async def test_stats_for_a_non_operator_is_an_unknown_command(
    harness: Harness, content: Content
) -> None:
    reply = await harness.say("/stats")
    assert reply.params["text"] == content.message("fallback")
    assert [c for c in harness.calls if c.method == "sendPhoto"] == []


async def test_the_operator_can_cancel_a_running_broadcast(
    make_harness: MakeHarness, fake: FakeBotApi, clock: FakeClock, content: Content
) -> None:
    """Paced at 2 a second, five copies take over two seconds: the cancel button on the
    progress message stops the rest, and the final count says how many it kept back."""
    bot = make_harness(admin_ids=frozenset({ADMIN}), send_rate=2)
    async with bot.running():
        await fake.wait_call("setMyCommands")
        for chat_id in SUBSCRIBERS:
            bot.store.subscribe(chat_id, clock())
        source = await write(bot, SECRET)
        question = [c for c in await ask(bot, source) if c.method == "sendMessage"][-1]
        message_id = question.result["message_id"]
        start = len(bot.calls)
        await bot.press(message_id, callbacks.broadcast_confirm(ADMIN, source))
        progress = await bot.next_call(start, "editMessageText")
        assert progress.params["text"] == content.message("broadcast_progress", done="0", total="5")
        (stop,) = buttons(progress.params)
        await fake.wait_for(lambda: bot.since(start, "copyMessage"))  # one is out
        answer = await bot.press(message_id, stop)
        assert answer.params["text"] == content.answers["broadcast_stopping"]
        await fake.wait_for(lambda: not bot.store.unfinished_broadcasts())
        counts = bot.store.broadcast_counts(1)
        done = render_operators.broadcast_done(content, counts)
        await fake.wait_for(
            lambda: any(c.params["text"] == done for c in bot.since(start, "editMessageText"))
        )
        cancelled = counts[BroadcastStatus.CANCELLED]
        sent = len(bot.since(start, "copyMessage"))
        assert cancelled >= 1 and sent + cancelled == len(SUBSCRIBERS)
        assert counts[BroadcastStatus.SENT] == sent
        assert content.message("broadcast_done_cancelled", cancelled=str(cancelled)) in done
        again = await bot.press(message_id, stop)  # nothing left to cancel
        assert again.params["text"] == content.answers["stale"]
