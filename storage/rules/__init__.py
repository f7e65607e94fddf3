"""The storage's pure rules: no database, no clock of their own, safe to call anywhere.

checkins.py (the pain score's range, the rising trend, weeks compared, the streak),
safety.py (the one safety decision and its Permit), sessions.py (where a guided session
stands at an instant), choosing.py (which library tip comes next) and schedule.py (local
times, timezones, when a tip is due). The parts of ``Store`` (``storage/*.py``) keep what
these rules read and decide.
"""
