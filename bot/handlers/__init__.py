"""Every handler of the bot, registered in one place and in order."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks
from bot.handlers import (
    admin,
    caution,
    checkin,
    errors,
    fallback,
    feedback,
    fit,
    groups,
    info,
    inline,
    language,
    later,
    membership,
    pause,
    privacy,
    session,
    settings,
    subscription,
    technique,
    weekly,
)
from bot.handlers.commands import PERSONAL_COMMANDS, PUBLIC_COMMANDS

#: Commands act on new messages only: editing an old message into "/tip" must not send
#: another tip (PTB's CommandHandler takes edited messages too by default).
NEW_MESSAGES = filters.UpdateType.MESSAGE

__all__ = ["NEW_MESSAGES", "PERSONAL_COMMANDS", "PUBLIC_COMMANDS", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler and the error handler to ``application``."""
    in_private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handlers(
        [
            *(
                CommandHandler(name, callback, filters=NEW_MESSAGES)
                for name, callback in PUBLIC_COMMANDS.items()
            ),
            *(
                CommandHandler(name, callback, filters=in_private)
                for name, callback in PERSONAL_COMMANDS.items()
            ),
            CommandHandler(
                list(PERSONAL_COMMANDS),
                groups.private_only,
                filters=NEW_MESSAGES & filters.ChatType.GROUPS,
            ),
            # Before every other button: in a group, only the information pages' buttons.
            groups.GroupPressHandler(),
            CallbackQueryHandler(technique.technique_button, pattern=callbacks.TECHNIQUE_PATTERN),
            CallbackQueryHandler(info.page_button, pattern=callbacks.PAGE_PATTERN),
            CallbackQueryHandler(
                subscription.subscribe_button, pattern=callbacks.SUBSCRIBE_PATTERN
            ),
            CallbackQueryHandler(settings.settings_button, pattern=callbacks.SETTINGS_PATTERN),
            CallbackQueryHandler(settings.days_button, pattern=callbacks.DAYS_PATTERN),
            CallbackQueryHandler(fit.fit_button, pattern=callbacks.FIT_PATTERN),
            CallbackQueryHandler(fit.why_button, pattern=callbacks.WHY_PATTERN),
            CallbackQueryHandler(pause.pause_button, pattern=callbacks.PAUSE_PATTERN),
            CallbackQueryHandler(privacy.delete_button, pattern=callbacks.DELETE_PATTERN),
            CallbackQueryHandler(caution.caution_button, pattern=callbacks.CAUTION_PATTERN),
            CallbackQueryHandler(caution.safety_button, pattern=callbacks.SAFETY_STATE_PATTERN),
            CallbackQueryHandler(checkin.checkin_button, pattern=callbacks.CHECKIN_PATTERN),
            CallbackQueryHandler(checkin.ask_button, pattern=callbacks.CHECKIN_ASK_PATTERN),
            CallbackQueryHandler(checkin.fine_button, pattern=callbacks.HOLD_PATTERN),
            CallbackQueryHandler(checkin.progress_button, pattern=callbacks.PROGRESS_PATTERN),
            CallbackQueryHandler(checkin.flare_button, pattern=callbacks.FLARE_PATTERN),
            CallbackQueryHandler(checkin.red_flag_button, pattern=callbacks.RED_FLAG_PATTERN),
            CallbackQueryHandler(later.later_button, pattern=callbacks.LATER_PATTERN),
            CallbackQueryHandler(weekly.weekly_button, pattern=callbacks.WEEKLY_PATTERN),
            CallbackQueryHandler(language.language_button, pattern=callbacks.LANGUAGE_PATTERN),
            CallbackQueryHandler(feedback.feedback_button, pattern=callbacks.FEEDBACK_PATTERN),
            CallbackQueryHandler(admin.broadcast_button, pattern=callbacks.BROADCAST_PATTERN),
            CallbackQueryHandler(session.session_button, pattern=callbacks.SESSION_PATTERN),
            ChatMemberHandler(membership.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            InlineQueryHandler(inline.answer),
            # Order matters: these two come last and take what nothing above took. Anything a
            # user sends in a private chat (free text, an unknown command, a sticker) gets what
            # the bot can do now, the warning signs first when the words name one (in groups
            # the bot stays quiet), and every other button press is answered so no client
            # keeps a spinner.
            # A location shared with /timezone's button: the zone found there.
            MessageHandler(in_private & filters.LOCATION, settings.location),
            MessageHandler(
                filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
                fallback.unknown,
            ),
            CallbackQueryHandler(fallback.stale_button),
        ]
    )
    # A later group runs after the handlers above: by then a newcomer's row exists, so the
    # language of their Telegram app is remembered for the daily tip.
    application.add_handler(TypeHandler(Update, language.note_language), group=1)
    application.add_error_handler(errors.on_error)
