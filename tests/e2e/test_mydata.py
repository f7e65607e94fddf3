"""/mydata and /export: the chat's own data as files, parsed back and compared with the
database; nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json

from bot import callbacks
from content import Content
from storage import Caution
from tests.conftest import Harness
from tests.helpers import check_in_daily

OTHER = 77


async def document(bot: Harness, command: str) -> tuple[dict, bytes]:
    """Send ``command``; return the document the bot sent and the file's bytes."""
    start = len(bot.calls)
    await bot.handle(bot.fake.api.user_message(bot.chat_id, command))
    (sent,) = bot.since(start, "sendDocument")
    file_id = sent.result["document"]["file_id"]
    return sent.result, bot.fake.api.files[file_id]


async def lived_a_little(bot: Harness) -> None:
    """A subscriber with a daily tip, three check-ins and a guided session it stopped."""
    await bot.say("/subscribe")
    await check_in_daily(bot, bot.clock, 4, 5, 3)
    bot.store.set_caution(bot.chat_id, Caution.NONE, bot.clock())
    message = (await bot.say("/session pressing")).result
    session = bot.store.active_session(bot.chat_id)
    assert session is not None
    await bot.press(message["message_id"], callbacks.session_action("stop", session.id))
    # Another chat, which must not appear in this one's files.
    bot.store.subscribe(OTHER, bot.clock())
    bot.store.check_in(OTHER, 9, bot.clock())


async def test_mydata_is_everything_stored_about_the_chat(
    harness: Harness, content: Content
) -> None:
    await lived_a_little(harness)
    message, data = await document(harness, "/mydata")
    assert message["document"]["file_name"].startswith("backcare-mydata-")
    assert message["caption"] == content.message("mydata_caption")
    record = json.loads(data)
    assert record["chat_id"] == harness.chat_id
    assert record["tables"] == json.loads(json.dumps(harness.store.chat_record(harness.chat_id)))
    tables = record["tables"]
    assert {"subscribers", "checkins", "sessions"} <= set(tables)
    assert [row["score"] for row in tables["checkins"]] == [
        c.score for c in harness.store.checkins(harness.chat_id)
    ]
    assert all(row["chat_id"] == harness.chat_id for rows in tables.values() for row in rows)
    assert str(OTHER) not in data.decode()


async def test_export_is_one_row_per_day_matching_the_database(harness: Harness) -> None:
    await lived_a_little(harness)
    harness.clock.advance(days=1)
    message, data = await document(harness, "/export")
    assert message["document"]["file_name"].endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets read UTF-8 by the mark
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    checkins = {c.local_date.isoformat(): c.score for c in harness.store.checkins(harness.chat_id)}
    sessions = harness.store.sessions(harness.chat_id)
    dates = sorted({*checkins, *(s.local_date.isoformat() for s in sessions)})
    assert [row["date"] for row in rows] == dates
    for row in rows:
        expected = checkins.get(row["date"])
        assert row["pain_score"] == ("" if expected is None else str(expected))
    assert sum(int(row["guided_sessions"]) for row in rows) == len(sessions) == 1


async def test_nothing_stored_means_nothing_to_send(harness: Harness, content: Content) -> None:
    reply = await harness.say("/mydata")
    # /mydata itself creates nothing: the reply says so, and no file goes out.
    assert reply.params["text"] == content.message("mydata_empty")
    assert (await harness.say("/export")).params["text"] == content.message("export_empty")
    assert not harness.since(0, "sendDocument")


async def test_privacy_mentions_both_files(harness: Harness) -> None:
    text = (await harness.say("/privacy")).params["text"]
    assert "/mydata" in text and "/export" in text
