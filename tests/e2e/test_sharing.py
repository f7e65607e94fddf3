"""Sharing a technique with a helper: deep links that open a card (through the caution
check for someone new)."""

from __future__ import annotations

import pytest

from bot import callbacks
from content import Content
from storage import Caution
from tests.conftest import Harness
from tests.helpers import buttons

TECHNIQUES = ("kneading", "pressing", "pushing", "grasping")


def test_each_technique_has_a_link_the_bot_reads_back() -> None:
    for technique_id in TECHNIQUES:
        link = callbacks.technique_link("backcare_local_bot", technique_id)
        assert link == f"https://t.me/backcare_local_bot?start=technique-{technique_id}"
        payload = link.split("?start=")[1]
        assert callbacks.parse_technique_link(payload) == technique_id
    for payload in ("", "subscribe", "technique-", "tech:kneading"):
        assert callbacks.parse_technique_link(payload) is None
    with pytest.raises(ValueError, match="start payload"):
        callbacks.start_link("bot", "with space")


@pytest.mark.parametrize("technique_id", TECHNIQUES)
async def test_a_technique_link_asks_someone_new_the_caution_check_first(
    harness: Harness, content: Content, technique_id: str
) -> None:
    check = await harness.say(f"/start technique-{technique_id}")
    assert check.params["text"] == content.message("caution_check")
    none_apply = callbacks.caution(callbacks.CAUTION_NONE, technique_id)
    assert buttons(check.params)[0] == none_apply
    start = len(harness.calls)
    await harness.press(check.result["message_id"], none_apply)
    card = await harness.next_call(start, "sendPhoto")
    technique = content.technique(technique_id)
    assert technique is not None and technique.name in card.params["caption"]


async def test_a_technique_link_opens_the_card_for_someone_who_answered(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.NONE, harness.clock())
    replies = await harness.say_all("/start technique-grasping")
    grasping = content.technique("grasping")
    assert grasping is not None
    assert replies[0].method == "sendPhoto" and grasping.name in replies[0].params["caption"]
    shown = "\n".join(c.params.get("caption") or c.params["text"] for c in replies)
    assert grasping.stop in shown
    assert content.message("welcome").splitlines()[0] not in shown


async def test_a_technique_link_keeps_the_doctor_first_for_someone_it_applies_to(
    harness: Harness, content: Content
) -> None:
    harness.store.set_caution(harness.chat_id, Caution.APPLIES, harness.clock())
    reply = await harness.say("/start technique-pushing")
    assert reply.method == "sendMessage"
    assert reply.params["text"] == content.message("caution_doctor_first")


@pytest.mark.parametrize("payload", ["technique-massage", "technique-", "hello", "subscribe"])
async def test_any_other_start_payload_gets_the_welcome(
    harness: Harness, content: Content, payload: str
) -> None:
    reply = await harness.say(f"/start {payload}")
    assert reply.params["text"] == content.message("welcome")
