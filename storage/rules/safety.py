"""The one answer to "may this person be taught or guided through massage right now, and if
not, why?".

``decide`` gives it, from a chat's settings and its local date, as a ``Decision``: allowed,
the caution check still to ask, or held with every reason that holds it. Only an allowing
decision carries a ``Permit``, and only ``decide`` can make one. What teaches or starts
massage takes a Permit: rendering a technique's steps (``bot.render``), starting a guided
session (``Store.start_session``), showing each step of a running one, and a tip about
massage (``NextTip``). So a new feature that shows a technique or starts a session cannot
be written without asking, and mypy rejects one that tries.

A pure rule of the settings: ``Store.massage`` (``storage.safety``) asks it for a chat at
an instant, and keeps the holds it reads.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Final, final

from storage.models import Caution, Subscriber


class Hold(enum.StrEnum):
    """Why massage is held, most serious first (the order ``Decision.holds`` keeps)."""

    #: A warning sign was reported at a check-in: held until a clinician has seen them.
    WARNING_SIGN = "warning_sign"
    #: "Stop: pain spreads or numbness" in a session today: held for the rest of the day.
    PAIN_STOP = "pain_stop"
    #: A session felt worse today: held for the rest of the day.
    WORSE = "worse"
    #: Something on the caution list applies: held until a doctor clears them.
    CAUTION = "caution"
    #: The caution check came in place of a tip and is not answered yet.
    UNANSWERED = "unanswered"
    #: Check-ins rose: held until the person says they feel fine.
    CHECKINS = "checkins"
    #: A bad day reported today (/flare): held for the rest of the day.
    FLARE = "flare"
    #: Daily tips are paused: only what is delivered unasked (a put-off tip, the weekly
    #: look back) is held by it; /technique and /session are not.
    PAUSED = "paused"

    @property
    def today_only(self) -> bool:
        """Whether the hold lifts by itself on the next local day."""
        return self in (Hold.PAIN_STOP, Hold.WORSE, Hold.FLARE)


@final
class Permit:
    """Proof that ``decide`` allowed massage for one chat on one local date.

    Made only by ``decide``: a Permit built anywhere else raises TypeError.
    """

    __slots__ = ("chat_id", "day")

    def __init__(self, chat_id: int, day: date, seal: object) -> None:
        if seal is not _SEAL:
            raise TypeError("a Permit comes only from storage.rules.safety.decide")
        self.chat_id: Final = chat_id
        self.day: Final = day

    def __repr__(self) -> str:
        return f"Permit(chat_id={self.chat_id}, day={self.day})"


_SEAL = object()


@dataclass(frozen=True)
class Decision:
    """Whether one chat may be taught or guided through massage on its local date ``day``."""

    chat_id: int
    day: date
    #: Every reason massage is held, most serious first; empty when nothing holds it.
    holds: tuple[Hold, ...]
    #: Nothing holds it, but the caution check was never answered: it comes first.
    ask: bool
    #: The permit to teach or start massage; None unless allowed.
    permit: Permit | None
    #: The local date of the warning sign that holds massage, if one does.
    warning_sign_on: date | None = None

    @property
    def allowed(self) -> bool:
        """Whether massage may be taught or started now."""
        return self.permit is not None

    @property
    def held(self) -> bool:
        """Whether something holds massage back (not merely the check still to ask)."""
        return bool(self.holds)


def decide(
    chat_id: int, subscriber: Subscriber | None, day: date, *, delivery: bool = False
) -> Decision:
    """Decide whether ``chat_id`` may be taught or guided through massage on its local date
    ``day``.

    Args:
        chat_id: the chat.
        subscriber: its settings, or None for a chat the bot has stored nothing about (the
            caution check comes first).
        day: the chat's local date now.
        delivery: for what the bot sends unasked (a put-off tip, the weekly look back):
            a pause holds those too.
    """
    holds: list[Hold] = []
    if subscriber is not None:
        if subscriber.warning_sign_on is not None:
            holds.append(Hold.WARNING_SIGN)
        if subscriber.pain_stop_on == day:
            holds.append(Hold.PAIN_STOP)
        if subscriber.worse_on == day:
            holds.append(Hold.WORSE)
        if subscriber.caution is Caution.APPLIES:
            holds.append(Hold.CAUTION)
        if subscriber.caution is Caution.ASKED:
            holds.append(Hold.UNANSWERED)
        if subscriber.hold_techniques:
            holds.append(Hold.CHECKINS)
        if subscriber.flare_on == day:
            holds.append(Hold.FLARE)
        if delivery and subscriber.paused_on(day):
            holds.append(Hold.PAUSED)
    ask = not holds and (subscriber is None or subscriber.caution is None)
    permit = None if holds or ask else Permit(chat_id, day, _SEAL)
    warning_sign_on = subscriber.warning_sign_on if subscriber else None
    return Decision(chat_id, day, tuple(holds), ask, permit, warning_sign_on)
