"""One safety state on every path (issue 20), end to end through the local Bot API, in both
languages: every reason that holds massage × every path that teaches or starts it, each
held, each lifted by the right action and only by it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import callbacks
from bot.console.localapi import Call
from bot.jobs.base import always
from content import Content, load
from storage import Caution, Hold, SessionState
from tests.conftest import START, Harness, massage_days
from tests.helpers import buttons

#: Every reason, as the matrix names it.
REASONS = [hold for hold in Hold if hold is not Hold.PAUSED]
LANGUAGES = {"en": "en", "zh": "zh-hans"}
NINE = START.replace(hour=9, minute=1)


def contents(bot: Harness) -> Content:
    return load("zh" if bot.language_code.startswith("zh") else "en")


async def run_sessions(bot: Harness) -> None:
    assert bot.application is not None
    await bot.application.jobs.sessions.run_once(bot.application.bot, always)


async def start_session(bot: Harness) -> int:
    """/session kneading for a chat that may; return the session's message id."""
    replies = await bot.say_all("/session kneading")
    session = bot.store.active_session(bot.chat_id)
    assert session is not None, [c.params.get("text") for c in replies]
    return int(replies[-1].result["message_id"])


async def hold(bot: Harness, reason: Hold) -> None:
    """Make ``reason`` hold massage, the way a user does (the store only where the state
    comes about unseen: the check sent in place of a tip and not answered)."""
    content = contents(bot)
    if reason is Hold.WARNING_SIGN:
        question = await bot.say("/checkin")
        await bot.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)
    elif reason is Hold.PAIN_STOP:
        bot.pass_caution_check()
        message_id = await start_session(bot)
        session = bot.store.active_session(bot.chat_id)
        assert session is not None
        await bot.press(message_id, callbacks.session_action("pain", session.id))
        ended = bot.store.session(session.id)
        assert ended is not None and ended.state is SessionState.PAIN_STOP
    elif reason is Hold.WORSE:
        bot.pass_caution_check()
        message_id = await start_session(bot)
        session = bot.store.active_session(bot.chat_id)
        assert session is not None
        bot.clock.advance(minutes=8)  # past its end: the job asks how it felt
        await run_sessions(bot)
        start = len(bot.calls)
        await bot.press(message_id, callbacks.session_feeling(session.id, "worse"))
        felt = await bot.next_call(start, "editMessageText")
        assert felt.params["text"] == content.message("session_felt_worse")
    elif reason is Hold.CAUTION:
        check = await bot.say("/technique kneading")
        await bot.press(
            check.result["message_id"], callbacks.caution(callbacks.CAUTION_APPLIES, "kneading")
        )
    elif reason is Hold.UNANSWERED:
        bot.store.set_caution(bot.chat_id, Caution.ASKED, bot.clock())
    elif reason is Hold.CHECKINS:
        bot.pass_caution_check()
        for back, score in ((2, 2), (1, 4)):
            bot.store.check_in(bot.chat_id, score, bot.clock() - timedelta(days=back))
        question = await bot.say("/checkin")
        await bot.press(question.result["message_id"], callbacks.checkin(8))
    elif reason is Hold.FLARE:
        bot.pass_caution_check()
        await bot.say("/flare")
    assert reason in bot.store.massage(bot.chat_id, bot.clock()).holds


def shown(calls: list[Call]) -> str:
    return "\n".join(str(c.params.get("text") or c.params.get("caption") or "") for c in calls)


def assert_held_reply(bot: Harness, reason: Hold, calls: list[Call]) -> None:
    """What a held path answers: never a card, a picture or a session; the caution check
    or the ask-a-doctor card where only the check or a caution holds it; else why."""
    content = contents(bot)
    assert calls and not [c for c in calls if c.method == "sendPhoto"], shown(calls)
    text = shown(calls)
    technique = content.technique("kneading")
    assert technique is not None and technique.steps[0] not in text
    decision = bot.store.massage(bot.chat_id, bot.clock())
    holds = decision.holds
    if holds == (Hold.UNANSWERED,):
        assert content.message("caution_check") in text
    elif holds == (Hold.CAUTION,):
        assert content.message("caution_doctor_first") in text
    else:
        assert content.message("massage_held_title") in text
        for each in holds:
            line = content.message(f"massage_held_{each.value}", date=str(decision.warning_sign_on))
            assert line in text
        assert callbacks.URGENT in [b for c in calls for b in buttons(c.params)]
    assert bot.store.active_session(bot.chat_id) is None


async def replies_to_press(bot: Harness, message_id: int, data: str) -> list[Call]:
    start = len(bot.calls)
    await bot.press(message_id, data)
    await bot.fake.wait_for(
        lambda: bot.since(start, "sendMessage") or bot.since(start, "editMessageText") or None
    )
    return [c for c in bot.since(start) if c.method in ("sendMessage", "editMessageText")]


async def inline(bot: Harness, query: str) -> dict[str, Any]:
    update = bot.fake.api.inline_query(bot.chat_id, query, language_code=bot.language_code)
    query_id = update["inline_query"]["id"]
    await bot.fake.wait_for(lambda: query_id in bot.fake.api.inline_answers)
    answer: dict[str, Any] = bot.fake.api.inline_answers[query_id]
    return answer


def just_before(bot: Harness, day: int) -> None:
    bot.store.db.execute(
        "UPDATE subscribers SET tip_cursor = ? WHERE chat_id = ?", [day - 1, bot.chat_id]
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", REASONS, ids=str)
async def test_every_path_that_teaches_or_starts_massage_is_held(
    harness: Harness, reason: Hold, language: str
) -> None:
    harness.language_code = LANGUAGES[language]
    content = contents(harness)
    await hold(harness, reason)
    # /technique kneading, a technique button, and a deep link to the card.
    assert_held_reply(harness, reason, await harness.say_all("/technique kneading"))
    overview = await harness.say("/technique")
    pressed = await replies_to_press(
        harness, overview.result["message_id"], callbacks.technique("kneading")
    )
    assert_held_reply(harness, reason, pressed)
    assert_held_reply(harness, reason, await harness.say_all("/start technique-kneading"))
    # /session kneading, and ▶ Start.
    assert_held_reply(harness, reason, await harness.say_all("/session kneading"))
    pick = await harness.say("/session")
    pressed = await replies_to_press(
        harness, pick.result["message_id"], callbacks.session_start("kneading")
    )
    assert_held_reply(harness, reason, pressed)
    # /tip passes over the tips about massage.
    first = massage_days(content)[0]
    just_before(harness, first)
    tip = await harness.say("/tip")
    assert content.tips[first - 1].text not in tip.params["text"]
    # The daily tip too.
    await harness.say("/subscribe")
    just_before(harness, first)
    harness.clock.set(NINE if harness.clock() < NINE else harness.clock())
    start = len(harness.calls)
    await harness.tick()
    for sent in harness.daily_tips(start):
        assert content.tips[first - 1].text not in sent.params["text"]
    # Sharing with a helper: the warning signs only, and a button to the private chat.
    answer = await inline(harness, "kneading")
    assert [r["id"] for r in answer["results"]] == [f"{content.language}.urgent"]
    assert answer["button"]["start_parameter"] == "technique-kneading"
    # Nothing above started a session.
    assert harness.store.sessions(harness.chat_id) == [] or all(
        s.state is not SessionState.RUNNING for s in harness.store.sessions(harness.chat_id)
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", REASONS, ids=str)
async def test_a_put_off_massage_tip_and_the_weekly_look_back_after_each_reason(
    harness: Harness, reason: Hold, language: str
) -> None:
    """A tip about massage put off before the hold is replaced by why it is left out; the
    weekly look back says massage is held and suggests none."""
    harness.language_code = LANGUAGES[language]
    content = contents(harness)
    await harness.say("/subscribe")
    harness.pass_caution_check()
    day = massage_days(content)[0]
    just_before(harness, day)
    harness.store.set_weekly(harness.chat_id, START.weekday(), harness.clock())
    harness.clock.set(NINE)
    start = len(harness.calls)
    await harness.tick()
    (tip,) = harness.since(start, "sendMessage")  # the tick sends the daily tip only
    assert content.tips[day - 1].text in tip.params["text"]
    await harness.press(tip.result["message_id"], callbacks.later(START.date()))
    ask = await harness.next_call(start, "sendMessage")
    await harness.press(ask.result["message_id"], callbacks.later_choice(START.date(), "hour"))
    if reason is Hold.CAUTION:
        harness.store.set_caution(harness.chat_id, Caution.APPLIES, harness.clock())
    else:
        await hold(harness, reason)
    # Counted from before the clock moves: a scheduled run may send first.
    start = len(harness.calls)
    harness.clock.set(NINE + timedelta(minutes=90))
    assert harness.application is not None
    await harness.run(harness.application.jobs.later)
    (again,) = harness.since(start, "sendMessage")
    assert again.params["text"].startswith(content.message("later_held"))
    assert content.tips[day - 1].text not in again.params["text"]
    start = len(harness.calls)
    harness.clock.set(START.replace(hour=18, minute=1))
    await harness.run(harness.application.jobs.weekly)
    (weekly,) = harness.since(start, "sendMessage")
    assert content.message("weekly_held") in weekly.params["text"]


async def test_a_put_off_tip_is_dropped_when_the_tips_are_paused_since(
    harness: Harness, content: Content
) -> None:
    await harness.say("/subscribe")
    harness.pass_caution_check()
    harness.clock.set(NINE)
    start = len(harness.calls)
    await harness.tick()
    (tip,) = harness.daily_tips(start)
    await harness.press(tip.result["message_id"], callbacks.later(START.date()))
    ask = await harness.next_call(start, "sendMessage")
    await harness.press(ask.result["message_id"], callbacks.later_choice(START.date(), "hour"))
    await harness.say("/pause")
    start = len(harness.calls)
    harness.clock.set(NINE + timedelta(minutes=90))
    assert harness.application is not None
    await harness.run(harness.application.jobs.later)
    assert harness.since(start, "sendMessage") == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "reason", [Hold.WARNING_SIGN, Hold.CAUTION, Hold.CHECKINS, Hold.FLARE], ids=str
)
async def test_a_session_held_by_a_restart_does_not_resume_after_a_hold(
    stopped: Harness, reason: Hold, language: str
) -> None:
    """A session the bot held when it stopped asks the decision again when it resumes."""
    stopped.language_code = LANGUAGES[language]
    content = contents(stopped)
    async with stopped.running():
        stopped.pass_caution_check()
        await start_session(stopped)
    setters = {
        Hold.WARNING_SIGN: lambda: stopped.store.report_warning_sign(stopped.chat_id, START),
        Hold.CAUTION: lambda: stopped.store.set_caution(stopped.chat_id, Caution.APPLIES, START),
        Hold.CHECKINS: lambda: stopped.store.set_hold(stopped.chat_id, True, START),
        Hold.FLARE: lambda: stopped.store.report_flare(stopped.chat_id, START),
    }
    setters[reason]()
    stopped.clock.advance(minutes=2)
    async with stopped.running():
        start = len(stopped.calls)
        await run_sessions(stopped)
        (edit,) = stopped.since(start, "editMessageText")
        assert edit.params["text"].startswith(content.message("session_held_resume"))
        assert stopped.store.active_session(stopped.chat_id) is None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_pain_stop_holds_until_the_next_local_day_and_says_so(
    harness: Harness, language: str
) -> None:
    harness.language_code = LANGUAGES[language]
    content = contents(harness)
    await harness.say("/timezone Asia/Tokyo")  # 06:00 UTC is 15:00 there
    harness.pass_caution_check()
    message_id = await start_session(harness)
    session = harness.store.active_session(harness.chat_id)
    assert session is not None
    start = len(harness.calls)
    await harness.press(message_id, callbacks.session_action("pain", session.id))
    edit = await harness.next_call(start, "editMessageText")
    assert edit.params["text"] == content.message("session_pain_stop")
    urgent = await harness.next_call(start, "sendMessage")
    assert urgent.params["text"] == content.pages["urgent"]
    assert callbacks.TECHNIQUES not in buttons(urgent.params)  # never offers massage
    harness.clock.advance(hours=8, minutes=59)  # 23:59 in Tokyo
    assert_held_reply(harness, Hold.PAIN_STOP, await harness.say_all("/session kneading"))
    harness.clock.advance(minutes=1)  # the next local day
    await start_session(harness)


async def test_the_warning_sign_is_lifted_by_a_clinician_only(
    harness: Harness, content: Content
) -> None:
    harness.pass_caution_check()
    await hold(harness, Hold.WARNING_SIGN)
    harness.clock.advance(days=3)
    held = await harness.say("/technique kneading")
    assert callbacks.CLINICIAN_SEEN in buttons(held.params)
    # "I feel fine" lifts only the check-ins' hold; it does not touch this one.
    answer = await harness.press(held.result["message_id"], callbacks.HOLD_FINE)
    assert answer.params.get("text") == content.answers["hold_not_held"]
    assert harness.store.massage(harness.chat_id, harness.clock()).holds == (Hold.WARNING_SIGN,)
    # /settings says so and has the button too.
    settings = await harness.say("/settings")
    assert content.message("techniques_held_warning_sign") in settings.params["text"]
    assert callbacks.CLINICIAN_SEEN in buttons(settings.params)
    start = len(harness.calls)
    await harness.press(held.result["message_id"], callbacks.CLINICIAN_SEEN)
    lifted = await harness.next_call(start, "sendMessage")
    assert lifted.params["text"].startswith(content.message("clinician_seen"))
    assert content.message("massage_allowed") in lifted.params["text"]
    replies = await harness.say_all("/technique kneading")
    assert replies[0].method == "sendPhoto"


async def test_the_checkins_hold_is_lifted_by_i_feel_fine_only(
    harness: Harness, content: Content
) -> None:
    await hold(harness, Hold.CHECKINS)
    held = await harness.say("/session kneading")
    assert callbacks.HOLD_FINE in buttons(held.params)
    answer = await harness.press(held.result["message_id"], callbacks.CLINICIAN_SEEN)
    assert answer.params.get("text") == content.answers["clinician_seen_not_held"]
    harness.clock.advance(days=1)
    assert harness.store.massage(harness.chat_id, harness.clock()).holds == (Hold.CHECKINS,)
    await harness.press(held.result["message_id"], callbacks.HOLD_FINE)
    await start_session(harness)


@pytest.mark.parametrize("reason", [Hold.FLARE, Hold.WORSE], ids=str)
async def test_the_days_holds_end_with_the_day_and_nothing_else_lifts_them(
    harness: Harness, reason: Hold
) -> None:
    await hold(harness, reason)
    held = await harness.say("/session kneading")
    for data in (callbacks.HOLD_FINE, callbacks.CLINICIAN_SEEN):
        await harness.press(held.result["message_id"], data)
    assert reason in harness.store.massage(harness.chat_id, harness.clock()).holds
    harness.clock.set(START.replace(hour=23, minute=59))
    assert reason in harness.store.massage(harness.chat_id, harness.clock()).holds
    harness.clock.set(START.replace(hour=0) + timedelta(days=1))
    await start_session(harness)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_answering_the_check_from_session_goes_on_to_the_session(
    harness: Harness, language: str
) -> None:
    harness.language_code = LANGUAGES[language]
    content = contents(harness)
    check = await harness.say("/session pressing")
    assert check.params["text"] == content.message("caution_check")
    none_apply = callbacks.caution(callbacks.CAUTION_NONE, callbacks.caution_session("pressing"))
    assert none_apply in buttons(check.params)
    start = len(harness.calls)
    await harness.press(check.result["message_id"], none_apply)
    await harness.next_call(start, "sendMessage")
    session = harness.store.active_session(harness.chat_id)
    assert session is not None and session.technique_id == "pressing"


async def test_a_held_card_takes_the_unanswered_check_and_goes_on(
    harness: Harness, content: Content
) -> None:
    """Unanswered with another reason: "Take the safety check" on the held card shows the
    check; its answer lifts that reason, and the card says what still holds massage."""
    harness.store.set_caution(harness.chat_id, Caution.ASKED, harness.clock())
    await harness.say("/flare")
    held = await harness.say("/technique kneading")
    take = callbacks.caution_take("kneading")
    assert take in buttons(held.params)
    start = len(harness.calls)
    await harness.press(held.result["message_id"], take)
    check = await harness.next_call(start, "editMessageText")
    assert check.params["text"] == content.message("caution_check")
    start = len(harness.calls)
    await harness.press(
        held.result["message_id"], callbacks.caution(callbacks.CAUTION_NONE, "kneading")
    )
    still = await harness.next_call(start, "editMessageText")
    assert content.message("massage_held_flare") in still.params["text"]
    assert harness.store.massage(harness.chat_id, harness.clock()).holds == (Hold.FLARE,)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_shared_card_names_who_should_not_be_massaged_and_follows_the_chosen_language(
    harness: Harness, language: str
) -> None:
    other = "zh" if language == "en" else "en"
    harness.language_code = LANGUAGES[other]  # the app says one language...
    await harness.say(f"/language {language}")  # ...the person chose the other
    harness.pass_caution_check()
    content = load(language)
    answer = await inline(harness, "kneading" if language == "zh" else "揉")
    cards = [r for r in answer["results"] if not r["id"].endswith("urgent")]
    assert cards and all(r["id"].startswith(f"{language}.") for r in cards)
    for result in cards:
        text = result.get("input_message_content", {}).get("message_text") or result["caption"]
        caution, urgent = content.message("share_caution"), content.message("share_urgent")
        assert caution in text and text.index(caution) < text.index(urgent)
    assert "button" not in answer or answer["button"] is None
