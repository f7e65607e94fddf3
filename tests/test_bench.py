"""Every benchmark still runs: each bench/ script once with ``--smoke`` (tiny sizes, a few
seconds, no result file), so a change that breaks a benchmark fails the tests.

Scripts are found, not listed: a new bench/*.py is covered (and must take ``--smoke``).
Skip them all with ``pytest -m "not bench"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
#: Helpers the scripts use, not benchmarks: the shared module and the fake Bot API server.
NOT_BENCHMARKS = {"fakeapi_server.py"}
#: Each script's own limit; together they stay well under a minute.
TIMEOUT_S = 60

SCRIPTS = sorted(
    path.name
    for path in BENCH.glob("*.py")
    if not path.name.startswith("_") and path.name not in NOT_BENCHMARKS
)


def _results() -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in (BENCH / "results").glob("*")}


def test_scripts_are_found() -> None:
    assert {"sender.py", "startup.py", "stats.py"} <= set(SCRIPTS)


@pytest.mark.slow
@pytest.mark.bench
@pytest.mark.parametrize("script", SCRIPTS)
def test_smoke(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCARE_")}
    # Its own seeded databases: a fresh clone has none, and others' stay untouched.
    env["BACKCARE_BENCH_CACHE"] = str(tmp_path)
    before = _results()
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert run.returncode == 0, (
        f"{script} --smoke failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    assert "smoke run: no result file written" in run.stdout
    assert _results() == before
    print(f"{script}: {time.monotonic() - started:.1f} s")
