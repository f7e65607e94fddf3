"""The one safety decision (storage/rules/safety.py): a pure rule of the settings, and a
permit nothing else can make."""

from __future__ import annotations

from datetime import date

import pytest

from storage.rules.safety import Hold, Permit, decide
from tests.conftest import START

CHAT = 5


def test_a_permit_comes_only_from_the_decision() -> None:
    with pytest.raises(TypeError, match=r"only from storage\.rules\.safety\.decide"):
        Permit(CHAT, START.date(), object())


def test_the_decision_is_one_pure_rule_of_the_settings() -> None:
    day = date(2026, 12, 7)
    decision = decide(CHAT, None, day)
    assert decision.ask and decision.permit is None
    assert not any(hold.today_only for hold in (Hold.WARNING_SIGN, Hold.CAUTION, Hold.CHECKINS))
    assert all(hold.today_only for hold in (Hold.FLARE, Hold.PAIN_STOP, Hold.WORSE))
