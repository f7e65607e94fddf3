"""The weekly look back: chosen in /settings (or /weekly), sent on the chosen local day at
18:00, once, with the week's check-ins, the trend in words and the sessions; never a word
about missed days."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot import callbacks
from content import Content, load
from storage import Caution, SessionState
from tests.conftest import START, Harness, permit
from tests.helpers import buttons

SUNDAY = 6

#: The jobs run only when a test runs them (``weeklies``, ``Harness.tick``): a scheduled run
#: at the tests' usual 0.05 s could send a look back between a test moving the clock and
#: ``weeklies`` starting to count, and the test would see none.
pytestmark = pytest.mark.harness(tick_seconds=3600)


async def weeklies(bot: Harness) -> list[str]:
    """Run the weekly job now; return the texts it sent."""
    assert bot.application is not None
    start = len(bot.calls)
    await bot.application.jobs.weekly.run(bot.application.bot)
    return [c.params["text"] for c in bot.since(start, "sendMessage")]


async def choose(bot: Harness, weekday: int | None) -> str:
    """Open the menu from /settings and press a day (or off); return the answer shown."""
    settings = await bot.say("/settings")
    assert callbacks.WEEKLY_MENU in buttons(settings.params)
    start = len(bot.calls)
    await bot.press(settings.result["message_id"], callbacks.WEEKLY_MENU)
    menu = await bot.next_call(start, "editMessageText")
    assert callbacks.weekly_choice(weekday) in buttons(menu.params)
    start = len(bot.calls)
    await bot.press(settings.result["message_id"], callbacks.weekly_choice(weekday))
    return str((await bot.next_call(start, "editMessageText")).params["text"])


async def test_the_look_back_comes_on_the_chosen_local_day_once(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")
    await harness.say("/timezone Asia/Tokyo")  # UTC+9: Sunday 18:00 is 09:00 UTC
    said = await choose(harness, SUNDAY)
    assert said == content.message("weekly_set", day=content.message("every_sun"))
    assert "<b>every Sunday</b>" in said
    # START is Thursday 2026-11-26. Scores through the week, and a stopped session.
    for back, score in ((6, 5), (5, 6), (3, 4), (1, 3)):
        harness.store.check_in(
            harness.chat_id, score, datetime(2026, 11, 29, 3, tzinfo=UTC) - timedelta(days=back)
        )
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    started = harness.store.start_session(
        permit(harness.store, harness.chat_id, harness.clock()), "kneading", "en", harness.clock()
    )
    assert started is not None
    harness.store.end_session(started.id, SessionState.STOPPED, harness.clock())

    harness.clock.set(datetime(2026, 11, 29, 8, 59, tzinfo=UTC))  # Sunday 17:59 in Tokyo
    assert await weeklies(harness) == []
    harness.clock.set(datetime(2026, 11, 29, 9, 0, 30, tzinfo=UTC))  # 18:00:30
    (summary,) = await weeklies(harness)
    assert content.message("weekly_title", first="2026-11-23", last="2026-11-29") in summary
    spark = re.search(r"<code>([▁-█·]{7})</code>", summary)
    assert spark is not None
    line = content.message("weekly_checkins", count="4", median="4.5", spark=spark.group(1))
    assert line in summary
    # Nothing the week before: no comparison.
    assert "week before" not in summary
    assert content.message("weekly_sessions", count="1") in summary
    assert content.message("weekly_cheer") in summary
    assert await weeklies(harness) == []  # once
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None
    assert subscriber.weekly_due == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def test_a_quiet_week_gets_no_reproach(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    await choose(harness, START.weekday())  # Thursday, today: 18:00 UTC
    harness.clock.set(START.replace(hour=18, minute=1))
    (summary,) = await weeklies(harness)
    assert content.message("weekly_no_checkins") in summary
    for word in ("missed", "only", "should", "streak"):
        assert word not in summary.lower()


async def test_turning_it_off_stops_it(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    await choose(harness, START.weekday())
    assert await choose(harness, None) == content.message("weekly_set_off")
    harness.clock.set(START.replace(hour=18, minute=1))
    assert await weeklies(harness) == []


async def test_weekly_command_shows_the_menu(harness: Harness, content: Content) -> None:
    reply = await harness.say("/weekly")
    assert reply.params["text"] == content.message(
        "weekly_menu", current=content.message("weekly_off_label")
    )
    assert buttons(reply.params) == [
        *(callbacks.weekly_choice(day) for day in range(7)),
        callbacks.weekly_choice(None),
    ]


async def test_the_look_back_in_chinese(harness: Harness) -> None:
    zh = load("zh")
    harness.language_code = "zh-hans"
    await harness.say("/subscribe")
    said = await choose(harness, START.weekday())
    assert said == zh.message("weekly_set", day=zh.message("every_thu"))
    assert "<b>每周四</b>" in said
    harness.store.check_in(harness.chat_id, 4, harness.clock())
    harness.clock.set(START.replace(hour=18, minute=1))
    (summary,) = await weeklies(harness)
    assert "打卡：<b>1</b> 次" in summary and zh.message("weekly_cheer") in summary


async def look_back(bot: Harness, last_week: tuple[int, ...], this_week: tuple[int, ...]) -> str:
    """The look back sent on Thursday START at 18:00 UTC, after check-ins on the first days
    of the week before (Friday 13th on) and of this week (Friday 20th on)."""
    await bot.say("/subscribe")
    await choose(bot, START.weekday())
    for first, scores in (
        (START - timedelta(days=13), last_week),
        (START - timedelta(days=6), this_week),
    ):
        for back, score in enumerate(scores):
            bot.store.check_in(bot.chat_id, score, first + timedelta(days=back))
    bot.clock.set(START.replace(hour=18, minute=1))
    (summary,) = await weeklies(bot)
    return summary


async def test_a_change_of_two_points_over_three_check_ins_each_is_named(
    harness: Harness, content: Content
) -> None:
    summary = await look_back(harness, (3, 4, 3), (6, 5, 5))
    assert content.message("weekly_trend_higher") in summary


async def test_a_change_of_one_point_is_about_the_same(harness: Harness) -> None:
    zh = load("zh")
    harness.language_code = "zh-hans"
    summary = await look_back(harness, (3, 4, 3), (4, 4, 5))
    assert zh.message("weekly_trend_same") in summary


async def test_weeks_with_fewer_than_three_check_ins_are_not_compared(
    harness: Harness, content: Content
) -> None:
    summary = await look_back(harness, (2, 2), (7, 7, 7))
    for key in ("weekly_trend_lower", "weekly_trend_same", "weekly_trend_higher"):
        assert content.message(key) not in summary


async def test_one_check_in_is_called_a_score(harness: Harness, content: Content) -> None:
    summary = await look_back(harness, (3, 3, 3), (6,))
    spark = re.search(r"<code>([▁-█·]{7})</code>", summary)
    assert spark is not None
    assert content.message("weekly_checkins_one", score="6", spark=spark.group(1)) in summary
    assert "median" not in summary


async def test_unsubscribing_stops_it_and_subscribing_brings_the_day_back(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")
    await choose(harness, START.weekday())
    await harness.say("/unsubscribe")
    harness.clock.set(START.replace(hour=18, minute=1))
    assert await weeklies(harness) == []
    thursday = content.message("every_thu")
    menu = await harness.say("/weekly")
    assert menu.params["text"] == content.message(
        "weekly_menu", current=content.message("weekly_off_unsubscribed", day=thursday)
    )
    assert "it comes every Thursday again" in menu.params["text"]
    await harness.say("/subscribe")
    assert await weeklies(harness) == []  # no backlog
    harness.clock.set(START.replace(hour=18, minute=1) + timedelta(days=7))
    assert len(await weeklies(harness)) == 1


async def test_a_day_chosen_while_unsubscribed_says_when_it_comes(harness: Harness) -> None:
    zh = load("zh")
    harness.language_code = "zh-hans"
    said = await choose(harness, START.weekday())
    assert said == zh.message("weekly_set_unsubscribed", day=zh.message("every_thu"))
    harness.clock.set(START.replace(hour=18, minute=1))
    assert await weeklies(harness) == []
