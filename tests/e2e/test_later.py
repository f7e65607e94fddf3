""" "Later" under the daily tip: in an hour or this evening, once per tip, across midnight and
a DST change, while the next day's tip keeps its time; and /evening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import callbacks
from content import Content, load
from tests.conftest import START, FakeClock, Harness
from tests.helpers import buttons

NINE = START.replace(hour=9, minute=1)


async def daily_tip(bot: Harness, at: datetime) -> dict:
    """Run the daily job at ``at``; return the one daily tip it sent (its result)."""
    bot.clock.set(at)
    start = len(bot.calls)
    await bot.tick()
    (sent,) = bot.since(start, "sendMessage")  # the tick sends the daily tip only
    return {"buttons": buttons(sent.params), **sent.result}


async def put_off(bot: Harness, tip: dict, day: datetime, choice: str) -> str:
    """Press Later, then ``choice``; return what the bot said to the choice."""
    local_day = day.date()
    start = len(bot.calls)
    await bot.press(tip["message_id"], callbacks.later(local_day))
    ask = await bot.next_call(start, "sendMessage")
    assert callbacks.later_choice(local_day, choice) in buttons(ask.params)
    start = len(bot.calls)
    await bot.press(ask.result["message_id"], callbacks.later_choice(local_day, choice))
    return str((await bot.next_call(start, "editMessageText")).params["text"])


async def snoozes(bot: Harness) -> list[str]:
    """Run the snooze job now; return the texts it sent."""
    assert bot.application is not None
    start = len(bot.calls)
    await bot.application.jobs.later.run(bot.application.bot)
    return [c.params["text"] for c in bot.since(start, "sendMessage")]


async def test_later_in_an_hour_comes_once_and_tomorrow_keeps_its_time(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    tip = await daily_tip(harness, NINE)
    assert callbacks.later(START.date()) in tip["buttons"]
    said = await put_off(harness, tip, NINE, "hour")
    assert said == content.message("later_set", time="10:01")
    clock.set(NINE + timedelta(minutes=59))
    assert await snoozes(harness) == []
    clock.set(NINE + timedelta(minutes=61))
    (again,) = await snoozes(harness)
    assert again.startswith(content.message("later_again")) and tip["text"].split("\n")[-1] in again
    assert await snoozes(harness) == []  # once
    # A second "Later" on the same tip is refused.
    answer = await harness.press(tip["message_id"], callbacks.later(START.date()))
    assert answer.params.get("text") == content.message("later_once")
    # Tomorrow's tip comes at its usual time.
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.next_due == START.replace(hour=9) + timedelta(
        days=1
    )
    await daily_tip(harness, NINE + timedelta(days=1))


async def test_later_across_midnight(harness: Harness, content: Content, clock: FakeClock) -> None:
    await harness.say("/subscribe")
    await harness.say("/time 23:30")
    at = START.replace(hour=23, minute=30, second=5)
    tip = await daily_tip(harness, at)
    said = await put_off(harness, tip, at, "hour")
    assert said == content.message("later_set", time="00:30")
    clock.set(at + timedelta(hours=1, seconds=1))  # the next local day
    (again,) = await snoozes(harness)
    assert again.startswith(content.message("later_again"))
    # That day's own tip still comes at 23:30.
    await daily_tip(harness, at + timedelta(days=1))


async def test_this_evening_on_the_day_clocks_go_forward(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    # 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00. 09:00 EDT is 13:00 UTC.
    clock.set(datetime(2026, 3, 8, 5, 0, tzinfo=UTC))  # before any tip time that day
    await harness.say("/subscribe")
    await harness.say("/timezone America/New_York")
    at = datetime(2026, 3, 8, 13, 0, 5, tzinfo=UTC)
    tip = await daily_tip(harness, at)
    said = await put_off(harness, tip, at - timedelta(hours=4), "evening")
    assert said == content.message("later_set", time="20:00")
    clock.set(datetime(2026, 3, 8, 23, 59, tzinfo=UTC))  # 19:59 EDT
    assert await snoozes(harness) == []
    clock.set(datetime(2026, 3, 9, 0, 0, 30, tzinfo=UTC))  # 20:00:30 EDT
    assert len(await snoozes(harness)) == 1


async def test_evening_sets_the_time_this_evening_means(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    reply = await harness.say("/evening 21:30")
    assert reply.params["text"] == content.message("evening_set", time="21:30")
    usage = content.message("evening_usage", first="17:00", last="23:30")
    assert (await harness.say("/evening soon")).params["text"] == usage
    await harness.say("/subscribe")
    tip = await daily_tip(harness, NINE)
    said = await put_off(harness, tip, NINE, "evening")
    assert said == content.message("later_set", time="21:30")


async def test_a_forged_later_button_is_stale(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    tip = await daily_tip(harness, NINE)
    for data in ("later:2026-02-30", "later:2025-01-01:hour"):
        answer = await harness.press(tip["message_id"], data)
        assert answer.params.get("text") == content.answers["stale"]


async def test_later_in_chinese(harness: Harness) -> None:
    zh = load("zh")
    harness.language_code = "zh-hans"
    await harness.say("/subscribe")
    tip = await daily_tip(harness, NINE)
    said = await put_off(harness, tip, NINE, "evening")
    assert said == zh.message("later_set", time="20:00")
    harness.clock.set(START.replace(hour=20, minute=0, second=30))
    (again,) = await snoozes(harness)
    assert again.startswith(zh.message("later_again"))


async def test_a_forged_later_for_an_old_tip_is_stale(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    clock.set(START - timedelta(days=4))
    await harness.say("/subscribe")
    old = await daily_tip(harness, NINE - timedelta(days=4))
    await daily_tip(harness, NINE)
    old_day = (NINE - timedelta(days=4)).date()
    for data in (callbacks.later(old_day), callbacks.later_choice(old_day, "hour")):
        start = len(harness.calls)
        answer = await harness.press(old["message_id"], data)
        assert answer.params.get("text") == content.answers["stale"]
        assert harness.since(start, "sendMessage") == []
    clock.set(NINE + timedelta(hours=2))
    assert await snoozes(harness) == []  # nothing put off, nothing sent again


async def test_yesterdays_tip_can_be_put_off_only_in_the_first_hour_after_midnight(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    await harness.say("/time 23:30")
    tip = await daily_tip(harness, START.replace(hour=23, minute=30, second=5))
    day = START.date()
    clock.set(START.replace(hour=23) + timedelta(hours=1, minutes=59))  # 00:59 the next day
    start = len(harness.calls)
    await harness.press(tip["message_id"], callbacks.later(day))
    ask = await harness.next_call(start, "sendMessage")
    assert buttons(ask.params) == [callbacks.later_choice(day, "hour")]
    clock.set(START.replace(hour=23) + timedelta(hours=2, seconds=1))  # 01:00:01
    answer = await harness.press(ask.result["message_id"], callbacks.later_choice(day, "hour"))
    assert answer.params.get("text") == content.answers["stale"]


async def test_the_question_names_no_evening_time_it_does_not_offer(
    harness: Harness, clock: FakeClock
) -> None:
    for language in ("en", "zh"):
        harness.language_code = "zh-hans" if language == "zh" else "en"
        said = load(language)
        clock.set(START)
        await harness.say("/subscribe")
        await harness.say("/time 21:00")  # after the evening time, 20:00
        tip = await daily_tip(harness, START.replace(hour=21, second=5))
        start = len(harness.calls)
        await harness.press(tip["message_id"], callbacks.later(START.date()))
        ask = await harness.next_call(start, "sendMessage")
        assert buttons(ask.params) == [callbacks.later_choice(START.date(), "hour")]
        assert ask.params["text"] == said.message("later_ask_hour")
        assert "20:00" not in ask.params["text"]
        await harness.say("/unsubscribe")
        harness.store.db.execute("DELETE FROM deliveries")  # the same day, in the other language


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        pytest.param("17:00", True, id="first"),
        pytest.param("23:30", True, id="last"),
        pytest.param("16:59", False, id="afternoon"),
        pytest.param("23:45", False, id="too-late"),
        pytest.param("09:00", False, id="morning"),
        pytest.param("00:30", False, id="after-midnight"),
    ],
)
async def test_evening_accepts_only_evening_hours(
    harness: Harness, typed: str, accepted: bool
) -> None:
    for language in ("en", "zh"):
        harness.language_code = "zh-hans" if language == "zh" else "en"
        said = load(language)
        reply = await harness.say(f"/evening {typed}")
        usage = said.message("evening_usage", first="17:00", last="23:30")
        if accepted:
            assert reply.params["text"] == said.message("evening_set", time=typed)
        else:
            assert reply.params["text"] == usage
            assert "17:00" in usage and "23:30" in usage


async def test_the_repeat_keeps_the_day_of_the_program(
    harness: Harness, content: Content, clock: FakeClock
) -> None:
    await harness.say("/subscribe")
    tip = await daily_tip(harness, NINE)
    header = content.message("program_day", day="1", days=str(content.program_days))
    assert header in tip["text"]
    await put_off(harness, tip, NINE, "hour")
    clock.set(NINE + timedelta(minutes=61))
    (again,) = await snoozes(harness)
    assert f"{content.message('later_again')}\n\n{tip['text']}" == again
