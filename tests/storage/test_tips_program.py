"""The 30-day program: one program day a day, then the library without repeats; the
first tip on subscribing late; languages and picture file ids in storage."""

from __future__ import annotations

from datetime import timedelta

from content import Content
from storage import Caution, Claim, Store
from tests.conftest import START, FakeClock, send_day

CHAT = 42
NINE = START.replace(hour=9)
LIMIT = 10


def daily_claims(store: Store, clock: FakeClock, days: int) -> list[Claim]:
    """Subscribe CHAT (none of the massage cautions apply), then claim and send its tip at
    09:00 on ``days`` days in a row."""
    store.subscribe(CHAT, clock())
    store.set_caution(CHAT, Caution.NONE, clock())
    return [send_day(store, clock, day) for day in range(days)]


def test_a_new_subscriber_gets_day_one_two_three_on_consecutive_days(
    store: Store, clock: FakeClock
) -> None:
    claims = daily_claims(store, clock, 3)
    assert [claim.tip.program_day for claim in claims] == [1, 2, 3]
    assert [claim.day - claims[0].day for claim in claims] == [timedelta(days=n) for n in range(3)]


def test_the_program_is_the_first_thirty_tips_in_order(
    store: Store, content: Content, clock: FakeClock
) -> None:
    claims = daily_claims(store, clock, content.program_days)
    assert [claim.tip.id for claim in claims] == [t.id for t in content.tips[:30]]
    assert not any(claim.program_done for claim in claims)


def test_after_the_program_the_library_follows_without_a_repeat_for_200_days(
    store: Store, content: Content, clock: FakeClock
) -> None:
    claims = daily_claims(store, clock, content.program_days + 230)
    after = claims[content.program_days :]
    assert after[0].tip.program_day is None and not after[0].program_done  # the note, once
    assert all(claim.program_done and claim.tip.program_day is None for claim in after[1:])
    for n, claim in enumerate(after):
        earlier = [c.tip.id for c in after[max(0, n - 199) : n]]
        assert claim.tip.id not in earlier, (n, claim.tip.id)


def test_subscribing_after_the_tip_time_counts_day_one_as_today(
    store: Store, content: Content, clock: FakeClock
) -> None:
    clock.set(NINE + timedelta(hours=1))
    store.subscribe(CHAT, clock())
    pick = store.take_first_tip(CHAT, clock())
    assert (pick.tip.id, pick.tip.program_day, pick.program_done) == (content.tips[0].id, 1, False)
    assert store.claim_due(clock() + timedelta(hours=12), LIMIT) == []
    clock.set(NINE + timedelta(days=1))
    (claim,) = store.claim_due(clock(), LIMIT)
    assert claim.tip.program_day == 2


def test_tip_command_reports_the_program_state(
    store: Store, content: Content, clock: FakeClock
) -> None:
    store.ensure(CHAT, clock())
    store.db.execute(
        "UPDATE subscribers SET tip_cursor = ? WHERE chat_id = ?", [content.program_days, CHAT]
    )
    first_after = store.take_tip(CHAT, clock())
    assert (first_after.tip.program_day, first_after.program_done) == (None, False)
    assert store.take_tip(CHAT, clock()).program_done is True


# Languages -------------------------------------------------------------------------------------


def test_chosen_language_wins_over_the_app_language(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    assert store.note_telegram_language(CHAT, "zh", clock())
    subscriber = store.set_language(CHAT, "en", clock())
    assert (subscriber.language, subscriber.telegram_language, subscriber.speaks) == (
        "en",
        "zh",
        "en",
    )


def test_app_language_is_noted_only_for_known_chats_and_only_when_it_changes(
    store: Store, clock: FakeClock
) -> None:
    assert store.note_telegram_language(CHAT, "zh", clock()) is False
    assert store.subscriber(CHAT) is None
    store.ensure(CHAT, clock())
    assert store.note_telegram_language(CHAT, "zh", clock()) is True
    assert store.note_telegram_language(CHAT, "zh", clock()) is False


def test_claims_carry_the_language(store: Store, clock: FakeClock) -> None:
    store.subscribe(CHAT, clock())
    store.note_telegram_language(CHAT, "zh", clock())
    clock.set(NINE)
    (claim,) = store.claim_due(clock(), LIMIT)
    assert claim.language == "zh"


# Picture file ids ----------------------------------------------------------------------------


def test_file_ids_are_kept_per_key_and_can_be_forgotten(store: Store, clock: FakeClock) -> None:
    assert store.file_id("zh/pressing") is None
    store.set_file_id("zh/pressing", "AgAD-1", clock())
    store.set_file_id("zh/pressing", "AgAD-2", clock())
    assert (store.file_id("zh/pressing"), store.file_id("en/pressing")) == ("AgAD-2", None)
    store.forget_file_id("zh/pressing")
    assert store.file_id("zh/pressing") is None


def test_deletedata_keeps_the_bots_own_file_ids(store: Store, clock: FakeClock) -> None:
    store.set_file_id("en/overview", "AgAD-1", clock())
    store.subscribe(CHAT, clock())
    store.delete_chat(CHAT)
    assert store.file_id("en/overview") == "AgAD-1"


def test_forget_file_ids_drops_every_stored_id(store: Store, clock: FakeClock) -> None:
    store.set_file_id("en/overview", "photo-a-1", clock())
    store.set_file_id("zh/kneading", "photo-a-2", clock())
    assert store.forget_file_ids() == 2
    assert store.file_id("en/overview") is None and store.file_id("zh/kneading") is None
    assert store.forget_file_ids() == 0
