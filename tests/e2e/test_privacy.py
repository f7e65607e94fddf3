"""The urgent card, /privacy and /deletedata over HTTP through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import callbacks
from content import Content
from storage import Caution, DeliveryStatus, Store
from tests.conftest import START, FakeClock, Harness, MakeHarness
from tests.helpers import buttons, confirm_deletion

OTHER = 7
#: Just after the default tip time (09:00 UTC) on START's day.
AFTER_NINE = START.replace(hour=9) + timedelta(seconds=5)


def rows_about(store: Store, chat_id: int) -> dict[str, int]:
    """Rows naming ``chat_id`` in every column called chat_id of every table in the schema."""
    db = store.db
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    ]
    found = {}
    for table in tables:
        columns = [row[1] for row in db.execute("SELECT * FROM pragma_table_info(?)", [table])]
        if "chat_id" in columns:
            (count,) = db.execute(
                f'SELECT count(*) FROM "{table}" WHERE chat_id = ?', [chat_id]
            ).fetchone()
            found[table] = count
    return found


async def subscribed_with_a_sent_tip(bot: Harness, clock: FakeClock, chat_id: int) -> None:
    """Subscribe ``chat_id`` and wait until the day's tip is logged as sent to it."""
    await bot.say("/subscribe", chat_id)
    if clock() < AFTER_NINE:
        clock.set(AFTER_NINE)

    def sent() -> bool:
        delivery = bot.store.delivery(chat_id, START.date())
        return delivery is not None and delivery.status is DeliveryStatus.SENT

    await bot.tick()
    await bot.fake.wait_for(sent)


# /urgent -------------------------------------------------------------------------------------


async def test_urgent_shows_the_urgent_page(harness: Harness, content: Content) -> None:
    reply = await harness.say("/urgent")
    assert reply.params["text"] == content.pages["urgent"]


async def test_safety_page_has_the_urgent_button(harness: Harness) -> None:
    safety = await harness.say("/safety")
    assert callbacks.URGENT in buttons(safety.params)


async def test_urgent_button_on_the_safety_page_sends_the_urgent_page(
    harness: Harness, content: Content
) -> None:
    safety = await harness.say("/safety")
    start = len(harness.calls)
    answer = await harness.press(safety.result["message_id"], callbacks.URGENT)
    page = await harness.next_call(start, "sendMessage")
    assert answer.error is None
    assert page.params["text"] == content.pages["urgent"]


async def test_urgent_button_on_a_technique_card_sends_the_urgent_page(
    harness: Harness, content: Content
) -> None:
    harness.pass_caution_check()
    card = await harness.say("/technique kneading")
    assert callbacks.URGENT in buttons(card.params)
    start = len(harness.calls)
    answer = await harness.press(card.result["message_id"], callbacks.URGENT)
    page = await harness.next_call(start, "sendMessage")
    assert answer.error is None
    assert page.params["text"] == content.pages["urgent"]


# /privacy ------------------------------------------------------------------------------------


async def test_privacy_shows_the_privacy_page(harness: Harness, content: Content) -> None:
    reply = await harness.say("/privacy")
    assert reply.params["text"] == content.page("privacy", keep_days="90")
    assert (
        "The delivery log, and which announcements were sent to you: 90 days"
        in (reply.params["text"])
    )


@pytest.mark.parametrize(("language", "says"), [("en", "30 days"), ("zh", "保留 30 天")])
async def test_privacy_states_the_retention_window_the_bot_runs_with(
    make_harness: MakeHarness, language: str, says: str
) -> None:
    bot = make_harness(keep_days=30)
    bot.language_code = language
    async with bot.running():
        text = (await bot.say("/privacy")).params["text"]
    assert says in text
    assert "{" not in text and "90" not in text


# /deletedata ---------------------------------------------------------------------------------


async def test_deletedata_asks_before_deleting(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    question = await harness.say("/deletedata")
    assert question.params["text"] == content.message("delete_confirm")
    assert buttons(question.params) == [callbacks.DELETE_CONFIRM, callbacks.DELETE_CANCEL]
    assert harness.store.subscriber(harness.chat_id) is not None


async def test_cancel_keeps_everything(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await subscribed_with_a_sent_tip(harness, clock, harness.chat_id)
    before = rows_about(harness.store, harness.chat_id)
    question = await harness.say("/deletedata")
    start = len(harness.calls)
    answer = await harness.press(question.result["message_id"], callbacks.DELETE_CANCEL)
    edit = await harness.next_call(start, "editMessageText")
    assert answer.error is None
    assert edit.params["text"] == content.message("delete_cancelled")
    assert rows_about(harness.store, harness.chat_id) == before


async def test_confirm_says_everything_is_deleted(harness: Harness, content: Content) -> None:
    await harness.say("/subscribe")
    edit = await confirm_deletion(harness)
    assert edit["text"] == content.message("deleted")


async def test_confirm_leaves_no_row_about_the_chat_in_any_table(
    harness: Harness, clock: FakeClock
) -> None:
    await subscribed_with_a_sent_tip(harness, clock, harness.chat_id)
    question = await harness.say("/checkin")
    await harness.press(question.result["message_id"], callbacks.checkin(5))
    (tip,) = harness.daily_tips()
    delivery = harness.store.delivery(harness.chat_id, START.date())
    assert delivery is not None and delivery.tip_id is not None
    await harness.press(tip.result["message_id"], callbacks.feedback(True, delivery.tip_id))
    # An operator's broadcast that includes this chat, and a guided session.
    harness.store.start_broadcast(1, 1, 1, clock())
    harness.store.set_caution(harness.chat_id, Caution.NONE, clock())
    await harness.say("/session kneading")
    # A warning sign last: it holds massage, so the session had to come first.
    await harness.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)
    before = rows_about(harness.store, harness.chat_id)
    # Every table with a chat_id column holds a row about the chat.
    assert set(before) == {
        "subscribers",
        "deliveries",
        "checkins",
        "feedback",
        "broadcast_deliveries",
        "sessions",
        "red_flags",
    }
    assert all(before.values())
    await confirm_deletion(harness)
    assert set(rows_about(harness.store, harness.chat_id).values()) == {0}


async def test_confirm_leaves_other_chats_untouched(harness: Harness, clock: FakeClock) -> None:
    await subscribed_with_a_sent_tip(harness, clock, OTHER)
    before = rows_about(harness.store, OTHER)
    await harness.say("/subscribe")
    await confirm_deletion(harness)
    assert rows_about(harness.store, OTHER) == before


async def test_forged_confirm_from_another_chat_deletes_only_the_pressers_chat(
    harness: Harness,
) -> None:
    await harness.say("/subscribe")
    await harness.say("/deletedata")
    await harness.say("/subscribe", OTHER)
    # The other chat forges the confirm button on a message of its own: only its rows go.
    other_message = await harness.say("/help", OTHER)
    start = len(harness.calls)
    await harness.handle(
        harness.fake.api.press(OTHER, other_message.result["message_id"], callbacks.DELETE_CONFIRM)
    )
    assert len(harness.since(start, "answerCallbackQuery")) == 1
    assert harness.store.subscriber(harness.chat_id) is not None
    assert set(rows_about(harness.store, OTHER).values()) == {0}


async def test_user_can_subscribe_again_cleanly_after_deleting(
    harness: Harness, clock: FakeClock, content: Content
) -> None:
    await subscribed_with_a_sent_tip(harness, clock, harness.chat_id)
    await confirm_deletion(harness)
    (reply,) = await harness.say_all("/subscribe")
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.subscribed and subscriber.tip_cursor == 0
    # Afresh: day 1 of the program is still to come, and the delivery log is empty.
    today = content.message("next_today", time="09:00")
    assert content.message("first_tip_later", days="30", next=today) in reply.params["text"]
    assert list(harness.store.deliveries(harness.chat_id)) == []


@pytest.mark.parametrize(
    "command",
    [
        "/settings",
        "/privacy",
        "/mydata",
        "/progress",
        "/help",
        "/technique",
        "/technique kneading",
        "/session",
        "/time",
        "/timezone",
        "/language",
        "/sources",
        "/start",
    ],
)
async def test_reading_after_deleting_stores_nothing(
    harness: Harness, clock: FakeClock, command: str
) -> None:
    await subscribed_with_a_sent_tip(harness, clock, harness.chat_id)
    await confirm_deletion(harness)
    replies = await harness.say_all(command)
    assert replies
    assert set(rows_about(harness.store, harness.chat_id).values()) == {0}


async def test_opening_the_settings_menus_after_deleting_stores_nothing(
    harness: Harness, clock: FakeClock
) -> None:
    await subscribed_with_a_sent_tip(harness, clock, harness.chat_id)
    await confirm_deletion(harness)
    shown = await harness.say("/settings")
    for menu in (callbacks.DAYS_MENU, callbacks.TIME_MENU, callbacks.TIMEZONE_MENU):
        answer = await harness.press(shown.result["message_id"], menu)
        assert answer.error is None
    assert set(rows_about(harness.store, harness.chat_id).values()) == {0}


async def test_no_daily_tip_goes_to_a_deleted_chat(harness: Harness, clock: FakeClock) -> None:
    await harness.say("/subscribe")
    await confirm_deletion(harness)
    start = len(harness.calls)
    clock.set(AFTER_NINE)
    await harness.tick()
    assert harness.daily_tips(start) == []
