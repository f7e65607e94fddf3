"""Inline mode: typing the bot's name and a technique (``@bot knead``, ``@bot 揉``) in any
chat offers that technique's card and the urgent card, to send to a helper.

A result is the same for everyone who asks in that language and may be taught massage: the
card, who should not be massaged without asking a doctor, the emergency signs and the
bot's link, never anything about the user. Someone the safety decision does not allow
(``storage.rules.safety``) gets only the warning signs, and a button to the private chat that
says why. Nothing is stored. Telegram must have
inline mode turned on for the bot (BotFather, /setinline).
"""

from __future__ import annotations

import logging

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import InlineQueryLimit
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.render import photos
from bot.render import techniques as render_techniques
from bot.sending import api_errors
from content import Content, Technique
from content.markup import plain
from content.search import inline_matches
from storage import Permit

logger = logging.getLogger(__name__)

#: Seconds Telegram may keep an answer for this user and query.
CACHE_SECONDS = 300
#: The line under a result's title.
DESCRIPTION_LENGTH = 100


async def answer(update: Update, context: BotContext) -> None:
    """Answer an inline query with the technique cards it names and the urgent card."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    username = context.bot.username
    own = services.content_for(context.language)
    # Sharing a card teaches massage too: the sender's safety decision comes first.
    allowed = context.store.massage(query.from_user.id, context.now())
    subscriber = context.store.subscriber(query.from_user.id)
    chosen = subscriber is not None and subscriber.language is not None
    matches = inline_matches(services.contents, query.query, own.language, chosen=chosen)
    results = [] if allowed.permit is None else _cards(context, matches, allowed.permit)
    # Not allowed: only the warning signs, and a button above the results that opens the
    # private chat at the first technique named, through the check or the held card.
    button = None
    if allowed.permit is None:
        first = matches[0][1].id if matches else own.techniques[0].id
        button = InlineQueryResultsButton(
            text=own.buttons["inline_check_first" if allowed.ask else "inline_held"],
            start_parameter=callbacks.TECHNIQUE_LINK_PREFIX + first,
        )
    urgent_link = callbacks.start_link(username, callbacks.URGENT_LINK)
    results.append(
        InlineQueryResultArticle(
            f"{own.language}.urgent",
            plain(own.buttons["urgent"]),
            InputTextMessageContent(render_techniques.shared_urgent(own, urgent_link)),
            description=own.commands["urgent"],
        )
    )
    try:
        await query.answer(
            results[: InlineQueryLimit.RESULTS],
            cache_time=CACHE_SECONDS,
            is_personal=True,
            button=button,
        )
    except BadRequest as error:
        if not api_errors.query_expired(error):
            raise
        # The user typed on (each keystroke is a new query) or gave up: nothing to do.
        logger.debug("inline query %s expired before the answer", query.id)


def _cards(
    context: BotContext, matches: list[tuple[Content, Technique]], permit: Permit
) -> list[InlineQueryResultArticle | InlineQueryResultCachedPhoto]:
    """The cards an inline query names, for someone the safety decision allows."""
    username = context.bot.username
    results: list[InlineQueryResultArticle | InlineQueryResultCachedPhoto] = []
    for content, technique in matches:
        link = callbacks.technique_link(username, technique.id)
        result_id = f"{content.language}.{technique.id}"
        description = _short(plain(technique.what))
        file_id = context.store.file_id(photos.media_key(content.language, technique.id))
        caption = render_techniques.shared_caption(content, technique, link, permit)
        if file_id is not None and caption is not None:
            # The picture, where Telegram has it already: a cached photo needs its file id.
            results.append(
                InlineQueryResultCachedPhoto(
                    result_id,
                    file_id,
                    title=technique.name,
                    description=description,
                    caption=caption,
                )
            )
        else:
            text = render_techniques.shared_technique(content, technique, link, permit)
            results.append(
                InlineQueryResultArticle(
                    result_id,
                    technique.name,
                    InputTextMessageContent(text),
                    description=description,
                )
            )
    return results


def _short(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= DESCRIPTION_LENGTH else first[: DESCRIPTION_LENGTH - 1] + "…"
