"""The held card: never a way to massage, whatever holds it; always the warning signs."""

from __future__ import annotations

from collections.abc import Mapping

from bot import callbacks
from bot.ops import content as contentcli
from bot.render import safety as render_safety
from content import Content
from storage import Hold
from tests.helpers import callback_data, offers_massage


def test_the_held_card_offers_no_massage_whatever_holds_it(content: Content) -> None:
    cases: list[tuple[Hold | str, Mapping[str, object]]] = [
        *contentcli.HELD_BY.items(),
        ("ask", {"caution": None}),
    ]
    for hold, values in cases:
        held = contentcli._decision(**values)
        for target in ("kneading", callbacks.caution_session("kneading"), None):
            reply = render_safety.massage_held(content, held, target)
            assert offers_massage(reply) == [], hold
            assert callbacks.URGENT in callback_data(reply), (hold, target)
