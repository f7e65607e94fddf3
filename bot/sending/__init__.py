"""The sending engine, and nothing else: one outcome classifier and retry ladder
(outcome.py), one stop-aware worker pool (pool.py), one rate limiter (ratelimit.py), one
transport (request.py), writing a send's record through another process's lock
(patience.py), what the Bot API's refusals mean (api_errors.py, read by handlers too),
and the one fan-out the jobs that send to many chats use (fanout.py). The jobs themselves
live in ``bot.jobs``."""
