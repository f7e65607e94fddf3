"""Techniques: the list, each technique's card (whole, or split under its picture), and the
card as a helper gets it in inline mode."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    SwitchInlineQueryChosenChat,
)

from bot import callbacks
from bot.render.common import Reply, app_page, callback_button, webapp_button
from content import Content, Technique
from content.markup import MAX_CAPTION_LENGTH, plain
from storage.rules.safety import Permit

#: The Mini App's acupoint map.
MAP_PAGE = "map.html"


def technique_list(content: Content, intro: str | None = None, app: str | None = None) -> Reply:
    """The list of techniques as buttons, two to a row; with the Mini App on (``app``, its
    address), a button that opens its acupoint map."""
    technique_buttons = [
        callback_button(t.button, callbacks.technique(t.id)) for t in content.techniques
    ]
    rows = [technique_buttons[i : i + 2] for i in range(0, len(technique_buttons), 2)]
    rows.append(
        [
            callback_button(content.buttons["safety"], callbacks.SAFETY),
            callback_button(content.buttons["benefits"], callbacks.BENEFITS),
        ]
    )
    if app is not None:
        rows.append([webapp_button(content.buttons["map_open_app"], app_page(app, MAP_PAGE))])
    text = content.message("technique_list")
    if intro:
        text = f"{intro}\n\n{text}"
    return Reply(text, InlineKeyboardMarkup(rows))


def _card_sections(content: Content, technique: Technique, permit: Permit) -> list[str]:
    """A technique's card, section by section: only for a chat the safety decision allowed
    (``permit``; see ``storage.safety``)."""
    heading = content.message
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(technique.steps, start=1))
    return [
        f"<b>{technique.name}</b>\n{technique.what}",
        f"<b>{heading('technique_heading_who')}</b>\n{technique.who}",
        f"<b>{heading('technique_heading_yourself')}</b>\n{technique.on_yourself}",
        f"<b>{heading('technique_heading_steps')}</b>\n{steps}",
        f"<b>{heading('technique_heading_dose')}</b>\n{technique.dose}",
        f"<b>{heading('technique_heading_helps')}</b>\n{technique.helps}",
        f"<b>{heading('technique_heading_stop')}</b>\n{technique.stop}",
    ]


def _card_keyboard(content: Content, technique: Technique) -> InlineKeyboardMarkup:
    # "Send to my helper" opens Telegram's chat picker (people only) with this technique
    # typed after the bot's name: the helper gets the card as ``shared_technique`` has it.
    share = InlineKeyboardButton(
        content.buttons["share"],
        switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat(
            query=technique.name, allow_user_chats=True
        ),
    )
    return InlineKeyboardMarkup(
        [
            [
                callback_button(content.buttons["back_to_list"], callbacks.TECHNIQUES),
                callback_button(content.buttons["safety"], callbacks.SAFETY),
            ],
            [callback_button(content.buttons["urgent"], callbacks.URGENT)],
            [
                callback_button(
                    content.buttons["session_start"], callbacks.session_start(technique.id)
                )
            ],
            [share],
        ]
    )


def technique_card(content: Content, technique: Technique, permit: Permit) -> Reply:
    """One technique's card, with a way back to the list, the safety page and the urgent
    card, and a button to send it to a helper."""
    return Reply(
        "\n\n".join(_card_sections(content, technique, permit)),
        _card_keyboard(content, technique),
    )


def shared_technique(content: Content, technique: Technique, link: str, permit: Permit) -> str:
    """A technique's card as a helper gets it in another chat: the whole card (its stop
    rule last), who should not be massaged without asking a doctor first, the emergency
    signs, and the bot's link to the card. Nothing about whoever shared it."""
    return "\n\n".join(
        [
            *_card_sections(content, technique, permit),
            content.message("share_caution"),
            content.message("share_urgent"),
            content.message("share_link", link=html.escape(link)),
        ]
    )


def shared_caption(content: Content, technique: Technique, link: str, permit: Permit) -> str | None:
    """The same under the technique's picture, shortened to what a caption holds: its name,
    the dose, the stop rule, who should not be massaged without asking a doctor, the
    emergency signs and the link; None if even that is too long."""
    sections = _card_sections(content, technique, permit)
    caption = "\n\n".join(
        [
            f"<b>{technique.name}</b>",  # what it is: the picture shows it
            sections[4],  # the dose and the session cap
            sections[-1],  # when to stop
            content.message("share_caution"),
            content.message("share_urgent"),
            content.message("share_link", link=html.escape(link)),
        ]
    )
    return caption if len(plain(caption)) <= MAX_CAPTION_LENGTH else None


def shared_urgent(content: Content, link: str) -> str:
    """The warning signs as a helper gets them in another chat, with the bot's link."""
    return "\n\n".join(
        [content.pages["urgent"], content.message("share_urgent_link", link=html.escape(link))]
    )


@dataclass(frozen=True)
class Card:
    """A technique's card under its picture: a caption and, if longer, the rest after it."""

    caption: Reply
    rest: Reply | None


def technique_captioned(content: Content, technique: Technique, permit: Permit) -> Card:
    """The card split at its sections: as many as fit in a caption (1,024 characters) go
    under the picture, with the list, safety and urgent buttons; the rest follows as a
    message with the urgent button, since the stop rule comes last."""
    sections = _card_sections(content, technique, permit)
    fitting = 0
    while fitting < len(sections) and (
        len(plain("\n\n".join(sections[: fitting + 1]))) <= MAX_CAPTION_LENGTH
    ):
        fitting += 1
    fitting = max(fitting, 1)  # name and what it is: short
    caption = Reply("\n\n".join(sections[:fitting]), _card_keyboard(content, technique))
    if fitting == len(sections):
        return Card(caption, None)
    rest = Reply(
        "\n\n".join(sections[fitting:]),
        InlineKeyboardMarkup([[callback_button(content.buttons["urgent"], callbacks.URGENT)]]),
    )
    return Card(caption, rest)
