"""Commands for the people who run the bot: operators.py (stats, tips, db) and content.py
(content check and preview)."""
