"""The check-in's thanks: on a rising trend, the warning signs and "I feel fine"."""

from __future__ import annotations

from bot import callbacks
from bot.render import checkins as render_checkins
from content import Content
from tests.helpers import reply_data


def test_rising_check_in_offers_urgent_and_i_feel_fine(content: Content) -> None:
    data = reply_data(render_checkins.checked_in(content, 8, True))
    assert {callbacks.URGENT, callbacks.HOLD_FINE} <= set(data)
