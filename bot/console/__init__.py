"""`backcare-bot chat`: the terminal client (terminal.py) and the in-process Bot API that it
and the tests talk to (localapi.py)."""
