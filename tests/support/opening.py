"""Processes that open a new store at the same instant, as a worker and the API do when they
start together on a fresh host: each opens a new file at agreed instants, one file per round."""

import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import ROOT

OPENER = """
import sys, time
from pathlib import Path
{imports}

folder, start, rounds = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
for number in range(rounds):
    while time.time() < start + number * 0.1:
        pass
    path = folder / f"{{number}}.sqlite3"
    {opening}
print("opened", flush=True)
"""


def failures_opening_at_once(
    folder: Path, imports: str, opening: str, processes: int, rounds: int, lead: float
) -> list[str]:
    """The errors of `processes` processes that each run `opening` (on `path`, a new file in
    `folder`) `rounds` times at the same instants, starting `lead` seconds from now."""
    script = OPENER.format(imports=imports, opening=opening)
    start = time.time() + lead
    running = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(folder), str(start), str(rounds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outcomes = [process.communicate(timeout=lead + 60) for process in running]
    return [_error_of(err) for out, err in outcomes if out != "opened\n"]


def _error_of(stderr: str) -> str:
    """The exception's own line from a traceback."""
    return next((line for line in reversed(stderr.splitlines()) if "Error" in line), stderr)
