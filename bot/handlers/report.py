"""/report: a one-page PDF of the record for a clinician, sent into the chat; the Mini App's
progress page sends it through the same function (``send_report``)."""

from __future__ import annotations

from telegram import Bot, Update

from bot.context import BotContext
from bot.handlers.common import command_argument, send_to
from bot.render.common import Reply
from bot.render.report import PERIODS, report_pdf
from bot.services import Services


async def report(update: Update, context: BotContext) -> None:
    """``/report`` (30 days) or ``/report 90``: the PDF, or how to ask for it."""
    chat = update.effective_chat
    if chat is None:
        return
    argument = command_argument(update)
    days = int(argument) if argument in {str(p) for p in PERIODS} else None
    if argument and days is None:
        await send_to(chat, Reply(context.content.message("report_usage")))
        return
    await send_report(context.bot, context.services, chat.id, context.language, days or PERIODS[0])


async def send_report(bot: Bot, services: Services, chat_id: int, language: str, days: int) -> None:
    """Send the PDF record of the last ``days`` days into ``chat_id``, in ``language``, or a
    short message when nothing was recorded in the period: what /report and the Mini App's
    progress page both send."""
    content = services.content_for(language)
    data = services.store.record(chat_id, services.clock(), days)
    if data.empty:
        await bot.send_message(chat_id, content.message("report_empty", days=str(days)))
        return
    pdf = await services.drawings.draw(report_pdf, content, data)
    await bot.send_document(
        chat_id,
        pdf,
        filename=f"backcare-report-{data.today}.pdf",
        caption=content.message("report_caption", days=str(days)),
    )
