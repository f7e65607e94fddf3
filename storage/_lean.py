"""sqlite-utils imported without numpy: first of all, before any module of ``storage``.

sqlite-utils imports numpy whenever it is installed (timezonefinder brings it), only to map
numpy scalars to column types; the bot never stores one. That import cost 15 MB of peak RSS
and 20 ms at every start. numpy is hidden for this one import, and imports as usual later,
when /timezone gets a shared location.
"""

import sys

if "sqlite_utils" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" fails: skipped
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
