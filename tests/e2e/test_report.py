"""/report: a one-page PDF, opened with pypdf, its text checked against what was recorded,
in both languages; nothing that names the chat."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bot import callbacks
from bot.report import LISTED_SESSIONS
from content import Content, load
from storage import Caution
from storage.session import SessionState
from tests.conftest import START, Harness, permit
from tests.helpers import check_in_daily


async def pdf_of(bot: Harness, command: str) -> tuple[dict, PdfReader]:
    """Send ``command``; return the document message and the PDF, opened."""
    start = len(bot.calls)
    await bot.handle(
        bot.fake.api.user_message(bot.chat_id, command, language_code=bot.language_code)
    )
    (sent,) = bot.since(start, "sendDocument")
    data = bot.fake.api.files[sent.result["document"]["file_id"]]
    assert data.startswith(b"%PDF-")
    return sent.result, PdfReader(io.BytesIO(data))


def text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


async def recorded(bot: Harness) -> None:
    """Three check-ins on three days (4, 7, 5) and a guided session stopped by the user."""
    await check_in_daily(bot, bot.clock, 4, 7, 5)
    bot.store.set_caution(bot.chat_id, Caution.NONE, bot.clock())
    message = (await bot.say("/session kneading")).result
    session = bot.store.active_session(bot.chat_id)
    assert session is not None
    await bot.press(message["message_id"], callbacks.session_action("stop", session.id))
    question = await bot.say("/checkin")
    await bot.press(question.result["message_id"], callbacks.CHECKIN_RED_FLAG)


async def test_report_is_one_page_with_what_was_recorded(
    harness: Harness, content: Content
) -> None:
    await recorded(harness)
    message, reader = await pdf_of(harness, "/report")
    assert len(reader.pages) == 1
    assert message["document"]["file_name"].endswith(".pdf")
    assert message["caption"] == content.message("report_caption", days="30")
    shown = text(reader)
    today = START.date() + timedelta(days=2)
    first = today - timedelta(days=29)
    title = content.message("report_title", start=str(first), end=str(today))
    for part in (
        title,
        "not a diagnosis",
        content.message("report_weeks"),
        "4–7",  # the week's range (the three days fall in one week: Thu, Fri, Sat)
        content.message("report_sessions", count="1"),
        content.message("report_session_stopped"),
        content.message("report_red_flags", dates=str(START.date() + timedelta(days=2))),
        content.message("report_caution", state=content.message("caution_state_none")),
    ):
        assert " ".join(part.split()) in shown, part
    assert str(harness.chat_id) not in shown


async def test_report_90_covers_90_days_and_other_periods_get_a_usage_line(
    harness: Harness, content: Content
) -> None:
    await check_in_daily(harness, harness.clock, 3)
    _, reader = await pdf_of(harness, "/report 90")
    first = START.date() - timedelta(days=89)
    assert content.message("report_title", start=str(first), end=str(START.date())) in text(reader)
    reply = await harness.say("/report 7")
    assert reply.params["text"] == content.message("report_usage")


async def test_a_report_without_check_ins_says_so(harness: Harness, content: Content) -> None:
    _, reader = await pdf_of(harness, "/report")
    assert content.message("report_no_checkins") in text(reader)
    assert content.message("report_sessions_none") in text(reader)
    assert content.message("report_red_flags_none") in text(reader)


@pytest.mark.parametrize("app", ["zh-hans"])
async def test_the_report_in_chinese(harness: Harness, app: str) -> None:
    zh = load("zh")
    harness.language_code = app
    await check_in_daily(harness, harness.clock, 6)
    _, reader = await pdf_of(harness, "/report")
    shown = text(reader)
    assert zh.message("report_weeks") in shown
    assert "不是诊断" in shown and "腰痛记录" in shown


async def test_the_fullest_report_still_fits_one_page(harness: Harness, content: Content) -> None:
    """90 days of check-ins (14 weeks) and a session every day: all on one page."""
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    for back in range(89, -1, -1):
        day = START - timedelta(days=back)
        harness.store.check_in(harness.chat_id, back % 11, day)
        harness.store.set_hold(harness.chat_id, False, day)  # rising scores hold massage
        started = harness.store.start_session(
            permit(harness.store, harness.chat_id, day), "pushing", "en", day
        )
        assert started is not None
        harness.store.end_session(started.id, SessionState.DONE, day)
    _, reader = await pdf_of(harness, "/report 90")
    assert len(reader.pages) == 1
    shown = text(reader)
    assert content.message("report_sessions", count="90") in shown
    assert content.message("report_more", count=str(90 - LISTED_SESSIONS)) in shown
    assert content.message("report_generated", date=str(START.date())) in shown
