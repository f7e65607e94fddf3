"""backcare-bot's Telegram side: the Application, handlers, rendering and the daily-tip job."""
