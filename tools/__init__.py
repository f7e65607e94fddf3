"""Development tools, never imported by the bot: drawing.py draws content/images (`make images`)."""
