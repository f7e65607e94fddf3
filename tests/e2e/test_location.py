"""Setting the timezone by sharing a location once: the zone found offline for a handful of
cities, the keyboard taken away after, and nothing of the place stored or logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import logs
from content import Content
from tests.conftest import Harness

CITIES = [
    pytest.param(52.5200, 13.4050, "Europe/Berlin", id="berlin"),
    pytest.param(31.2304, 121.4737, "Asia/Shanghai", id="shanghai"),
    pytest.param(40.7128, -74.0060, "America/New_York", id="new-york"),
    pytest.param(-33.8688, 151.2093, "Australia/Sydney", id="sydney"),
    pytest.param(22.5726, 88.3639, "Asia/Kolkata", id="kolkata"),
    pytest.param(-23.5505, -46.6333, "America/Sao_Paulo", id="sao-paulo"),
]


async def share(bot: Harness, latitude: float, longitude: float) -> dict:
    """Share a location in the private chat; return the bot's reply."""
    start = len(bot.calls)
    await bot.handle(bot.fake.api.user_location(bot.chat_id, latitude, longitude))
    (reply,) = bot.since(start, "sendMessage")
    return reply.params


async def test_timezone_offers_the_location_button(harness: Harness, content: Content) -> None:
    replies = await harness.say_all("/timezone")
    offer = replies[-1].params
    assert offer["text"] == content.message("timezone_location_offer")
    (row,) = offer["reply_markup"]["keyboard"]
    assert row == [{"text": content.buttons["location_share"], "request_location": True}]
    assert offer["reply_markup"]["one_time_keyboard"] is True


@pytest.mark.parametrize(("latitude", "longitude", "zone"), CITIES)
async def test_a_shared_location_sets_the_zone_found_there(
    harness: Harness, latitude: float, longitude: float, zone: str
) -> None:
    reply = await share(harness, latitude, longitude)
    assert zone in reply["text"]
    assert reply["reply_markup"] == {"remove_keyboard": True}
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.timezone == zone


async def test_nothing_of_the_place_is_stored_or_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    latitude, longitude = 48.856613, 2.352222  # Paris, digits no other value shares
    with caplog.at_level(logging.DEBUG):
        await share(harness, latitude, longitude)
    harness.store.checkpoint()
    files = [harness.settings.db_path, *harness.settings.db_path.parent.glob("*.db-wal")]
    # The log as the bot writes it (its formatter leaves PTB's DEBUG payloads out).
    formatter = logs.RedactingFormatter([])
    written = "\n".join(formatter.format(record) for record in caplog.records)
    assert "Processing update" in written  # DEBUG lines about this very update were there
    for digits in ("48.856613", "2.352222", "48.8566", "2.3522"):
        assert not any(digits.encode() in path.read_bytes() for path in files if path.exists())
        assert digits not in written
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.timezone == "Europe/Paris"


async def test_a_place_without_a_timezone_changes_nothing(
    harness: Harness, content: Content
) -> None:
    await harness.say("/timezone Asia/Tokyo")
    reply = await share(harness, 95.0, 10.0)  # not on Earth
    assert reply["text"] == content.message("timezone_location_unknown")
    assert reply["reply_markup"] == {"remove_keyboard": True}
    subscriber = harness.store.subscriber(harness.chat_id)
    assert subscriber is not None and subscriber.timezone == "Asia/Tokyo"
