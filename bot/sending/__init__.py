"""Everything the bot sends in bulk goes through here: the daily tip (daily.py) and
operators' broadcasts (broadcast.py) share one outcome classifier (outcome.py), one
stop-aware worker pool (pool.py), one rate limiter (ratelimit.py) and one transport
(request.py)."""
