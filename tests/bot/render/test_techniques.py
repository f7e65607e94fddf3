"""A technique's card: every step, heading and stop sign, and its buttons."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.render import techniques as render_techniques
from content import Content
from content.loader import TEXT_PLACEHOLDERS
from tests.helpers import TECHNIQUE_IDS, callback_data, sample_permit

HEADING_KEYS = sorted(key for key in TEXT_PLACEHOLDERS if key.startswith("technique_heading_"))


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_every_step(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    text = render_techniques.technique_card(content, technique, sample_permit()).text
    assert [step for step in technique.steps if step not in text] == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_every_heading(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    text = render_techniques.technique_card(content, technique, sample_permit()).text
    assert HEADING_KEYS
    assert [key for key in HEADING_KEYS if content.message(key) not in text] == []


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_buttons_lead_to_the_list_safety_and_urgent(
    content: Content, technique_id: str
) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    assert callback_data(render_techniques.technique_card(content, technique, sample_permit())) == [
        callbacks.TECHNIQUES,
        callbacks.SAFETY,
        callbacks.URGENT,
        callbacks.session_start(technique_id),
    ]


@pytest.mark.parametrize("technique_id", TECHNIQUE_IDS)
def test_technique_card_contains_the_stop_signs(content: Content, technique_id: str) -> None:
    technique = content.technique(technique_id)
    assert technique is not None
    assert (
        technique.stop in render_techniques.technique_card(content, technique, sample_permit()).text
    )
