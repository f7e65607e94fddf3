"""Start-up imports only what every start needs: the heavy libraries wait for first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Imported when first used: numpy (timezonefinder, /timezone by location), reportlab
#: (/report), Pillow (charts) and the location finder with its data.
HEAVY = ("numpy", "reportlab", "PIL", "timezonefinder", "h3")


@pytest.mark.slow
@pytest.mark.parametrize("module", ["bot.app", "bot.cli"])
def test_start_imports_no_heavy_library(module: str) -> None:
    code = f"import sys, {module}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.stdout.split() == []
