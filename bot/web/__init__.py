"""The bot's HTTP side (aiohttp): webhook mode and /healthz (webhook.py), /metrics (metrics.py)."""
