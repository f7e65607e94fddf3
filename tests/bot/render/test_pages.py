"""The information pages: the buttons between them, the sources, and never a way to
massage from a card of warning signs."""

from __future__ import annotations

import html

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.render import pages as render_pages
from bot.render.common import Reply
from content import LANGUAGES, Content, load
from content.markup import check_message
from tests.helpers import callback_data, labels, offers_massage, reply_data


def test_safety_page_has_the_urgent_button(content: Content) -> None:
    assert callbacks.URGENT in callback_data(render_pages.page(content, "safety"))


def test_delete_confirm_offers_delete_and_cancel(content: Content) -> None:
    assert labels(render_pages.delete_confirm(content)) == {
        callbacks.DELETE_CONFIRM: content.buttons["delete_confirm"],
        callbacks.DELETE_CANCEL: content.buttons["delete_cancel"],
    }


@pytest.mark.parametrize("key", ["safety", "benefits"])
def test_safety_and_benefits_lead_to_the_sources(content: Content, key: str) -> None:
    assert callbacks.SOURCES in reply_data(render_pages.page(content, key))


@pytest.mark.parametrize("key", ["urgent", "safety"])
def test_warning_signs_cards_never_offer_massage(content: Content, key: str) -> None:
    assert offers_massage(render_pages.page(content, key)) == []
    # The check fails on the regression it guards against: the button put back.
    with_button = Reply(
        content.pages[key],
        InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=callbacks.TECHNIQUES)]]),
    )
    assert offers_massage(with_button) == [callbacks.TECHNIQUES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_sources_page_lists_every_source_and_keeps_the_notes(language: str) -> None:
    content = load(language)
    text = render_pages.page(content, "sources").text
    check_message(text)
    for source in content.sources.values():
        assert f"<b>{html.escape(source.name)}</b>" in text
        assert source.line in text
    assert "{sources}" not in text
    assert ("tuina" if language == "en" else "推拿") in text
