"""/report: a one-page PDF, opened with pypdf, its text checked against what was recorded,
in both languages; worded for a doctor; nothing that names the chat; a short message when
nothing was recorded."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from bot import callbacks
from bot.render.report import run_label
from content import Content, load
from storage import Caution, SessionState
from tests.conftest import START, Harness, permit
from tests.helpers import OUTCOMES, check_in_daily


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
    """The pages' text with every run of white space (line ends, no-break spaces) as one."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def has(page: str, part: str) -> bool:
    """Whether ``part`` is on the page, wherever its lines broke (Chinese breaks between
    any two characters, and the text read back has a space there)."""
    return "".join(part.split()) in "".join(page.split())


def fonts_of(page: PageObject) -> list[DictionaryObject]:
    """The font dictionaries a page names."""
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    found = [font.get_object() for font in fonts.values()]
    assert all(isinstance(font, DictionaryObject) for font in found)
    return [font for font in found if isinstance(font, DictionaryObject)]


async def recorded(bot: Harness) -> None:
    """Three check-ins on three days (4, 7, 5), a guided session stopped by the user, and
    the warning-signs button pressed on the last day."""
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
    page = text(reader)
    today = START.date() + timedelta(days=2)
    first = today - timedelta(days=29)
    title = content.message("report_title", start=str(first), end=str(today))
    for part in (
        title,
        "not a diagnosis",
        content.message("report_weeks"),
        content.message("report_chart_median", median="5", count="3"),
        "4–7",  # the week's range (the three days fall in one week: Thu, Fri, Sat)
        content.message("report_median", median="5", count="3"),
        content.message("report_sessions", count="1"),
        content.message(
            "report_session_outcomes",
            done="0",
            better="0",
            same="0",
            worse="0",
            unanswered="0",
            stopped="1",
            pain_stop="0",
            ended="0",
        ),
        content.message("report_session_stopped"),
        content.message("report_red_flags", dates=run_label(content, today, today)),
        content.message("report_caution", state=content.message("report_caution_none")),
    ):
        assert has(page, part), part
    assert str(harness.chat_id) not in page


@pytest.mark.parametrize(
    ("caution", "key"),
    [
        pytest.param(None, "report_caution_not_taken", id="not-taken"),
        pytest.param(Caution.ASKED, "report_caution_asked", id="asked"),
        pytest.param(Caution.APPLIES, "report_caution_applies", id="applies"),
        pytest.param(Caution.CLEARED, "report_caution_cleared", id="cleared"),
    ],
)
async def test_the_safety_check_is_worded_for_a_doctor(
    harness: Harness, content: Content, caution: Caution | None, key: str
) -> None:
    await check_in_daily(harness, harness.clock, 3)
    if caution is not None:
        harness.store.set_caution(harness.chat_id, caution, harness.clock())
    _, reader = await pdf_of(harness, "/report")
    page = text(reader)
    assert has(page, content.message("report_caution", state=content.message(key)))
    # The user's wording ("your doctor has cleared you") is not the record's.
    assert not has(page, content.message("caution_state_cleared"))


async def test_report_90_covers_90_days_and_other_periods_get_a_usage_line(
    harness: Harness, content: Content
) -> None:
    await check_in_daily(harness, harness.clock, 3)
    _, reader = await pdf_of(harness, "/report 90")
    first = START.date() - timedelta(days=89)
    page = text(reader)
    assert content.message("report_title", start=str(first), end=str(START.date())) in page
    # One check-in is a score, not a median.
    assert has(page, content.message("report_chart_single", score="3"))
    reply = await harness.say("/report 7")
    assert reply.params["text"] == content.message("report_usage")


@pytest.mark.parametrize("app", ["en", "zh-hans"])
async def test_nothing_recorded_gets_a_message_not_an_empty_page(
    harness: Harness, app: str
) -> None:
    harness.language_code = app
    language = load("zh" if app.startswith("zh") else "en")
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())  # not a record
    start = len(harness.calls)
    reply = await harness.say("/report 90")
    assert reply.params["text"] == language.message("report_empty", days="90")
    assert harness.since(start, "sendDocument") == []


async def test_a_report_without_check_ins_says_so(harness: Harness, content: Content) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    started = harness.store.start_session(
        permit(harness.store, harness.chat_id, harness.clock()), "kneading", "en", harness.clock()
    )
    assert started is not None
    harness.store.end_session(started.id, SessionState.STOPPED, harness.clock())
    _, reader = await pdf_of(harness, "/report")
    page = text(reader)
    assert content.message("report_no_checkins") in page
    assert content.message("report_sessions", count="1") in page
    assert has(page, content.message("report_red_flags_none"))


@pytest.mark.parametrize("app", ["zh-hans"])
async def test_the_report_in_chinese_embeds_its_font(harness: Harness, app: str) -> None:
    """Readers without a Chinese font still show the text: the font's subset is inside."""
    zh = load("zh")
    harness.language_code = app
    await check_in_daily(harness, harness.clock, 6)
    _, reader = await pdf_of(harness, "/report")
    page = text(reader)
    assert zh.message("report_weeks") in page
    assert "不是诊断" in page and "腰痛记录" in page
    fonts = [font for page_object in reader.pages for font in fonts_of(page_object)]
    # No CID font left for the reader to supply (reportlab's page also names Helvetica, one
    # of the 14 fonts every reader has).
    assert all(font["/Subtype"] in ("/TrueType", "/Type1") for font in fonts), fonts
    embedded = [font for font in fonts if font["/Subtype"] == "/TrueType"]
    assert embedded
    for font in embedded:
        descriptor = font["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        assert "/FontFile2" in descriptor, font


async def fill_every_day(bot: Harness) -> date:
    """90 days ending today: a check-in, the warning-signs button and a guided session every
    day, the sessions ending in every way in turn. Returns the first day."""
    bot.store.set_caution(bot.chat_id, Caution.CLEARED, bot.clock())
    for back in range(89, -1, -1):
        day = START - timedelta(days=back)
        # Each day's session first: the day's warning sign and a rising score hold massage.
        bot.store.set_hold(bot.chat_id, False, day)
        bot.store.clinician_seen(bot.chat_id, day)
        started = bot.store.start_session(permit(bot.store, bot.chat_id, day), "pushing", "en", day)
        assert started is not None
        bot.store.check_in(bot.chat_id, back % 11, day)
        bot.store.report_warning_sign(bot.chat_id, day)
        state, feeling = OUTCOMES[back % len(OUTCOMES)]
        bot.store.end_session(started.id, state, day)
        if feeling is not None:
            bot.store.set_feeling(started.id, feeling, day)
    return START.date() - timedelta(days=89)


@pytest.mark.parametrize("app", ["en", "zh-hans"])
async def test_the_fullest_report_is_summarised_on_one_page(harness: Harness, app: str) -> None:
    """90 days with a warning sign every day (22 or more once raised an AssertionError) and
    a session every day: one page, the days as one run, the sessions counted."""
    harness.language_code = app
    language = load("zh" if app.startswith("zh") else "en")
    first = await fill_every_day(harness)
    _, reader = await pdf_of(harness, "/report 90")
    assert len(reader.pages) == 1
    page = text(reader)
    today = START.date()
    runs = run_label(language, first, today)
    for part in (
        language.message("report_red_flags", dates=runs),
        language.message("report_sessions", count="90"),
        language.message("report_chart_median", median="5", count="90"),
        language.message("report_caution", state=language.message("report_caution_cleared")),
        language.message("report_generated", date=str(today)),
    ):
        assert has(page, part), part
    # 90 sessions, the 7 outcomes in turn from the newest: 13 of each of the first six.
    outcomes = language.message(
        "report_session_outcomes",
        done="52",
        better="13",
        same="13",
        worse="13",
        unanswered="13",
        stopped="13",
        pain_stop="13",
        ended="12",
    )
    assert has(page, outcomes)
    more = re.escape(language.message("report_more", count="@")).replace("@", r"(\d+)")
    found = re.search(more, page)
    assert found is not None
    listed = 90 - int(found.group(1))
    assert 1 <= listed <= 8
    technique = language.technique("pushing")
    assert technique is not None
    newest = language.message(
        "report_session_line",
        date=run_label(language, today, today),
        technique=technique.name,
        outcome=language.message("report_felt_better"),
    )
    assert has(page, newest)
