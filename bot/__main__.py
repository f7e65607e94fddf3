"""`python -m bot` runs the `backcare-bot` command."""

import sys

from bot.cli import main

sys.exit(main())
