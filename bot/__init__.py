"""backcare-bot's Telegram side. Start at app.py (it builds the Application) and read
outwards:

- handlers/: one module per command family, registered in handlers/__init__.py, in order;
  thin: read the update, ask storage, render, reply.
- render/: what the bot shows (Telegram HTML and keyboards, charts, the PDF), a module per
  feature; testable without Telegram.
- jobs/: everything scheduled, in one table (jobs/__init__.py); sending/: the engine they
  send through (pool, limiter, retry ladder, the one fan-out).
- web/: HTTP (webhook mode, /healthz, /metrics); console/: `backcare-bot chat`; ops/: the
  operators' and content commands.
- context.py: what a handler reaches (``context.store``, ``context.content``, ...);
  services.py: what the bot is built from; config.py: every setting; callbacks.py: button
  data; fairness.py, lifecycle.py, logs.py, places.py, cli.py.
"""
