"""The worker and the API open a new journal at the same instant (`make run` starts both)."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPENER = """
import sys, time
from pathlib import Path
from activities.journal_store import CaseJournal

folder, start, rounds = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
for number in range(rounds):
    while time.time() < start + number * 0.1:
        pass
    CaseJournal(f"sqlite:///{folder / f'{number}.sqlite3'}")
print("opened", flush=True)
"""
"""A process starting: open a new journal file at agreed instants, one file per round."""


def test_processes_starting_at_once_all_open_a_new_journal(tmp_path: Path) -> None:
    start, rounds = time.time() + 3.0, 15
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(tmp_path), str(start), str(rounds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [process.communicate(timeout=90) for process in processes]
    failures = [_error_of(err) for out, err in outcomes if out != "opened\n"]
    assert not failures, f"a process could not open a new journal: {failures}"


def _error_of(stderr: str) -> str:
    """The exception's own line from a traceback."""
    return next((line for line in reversed(stderr.splitlines()) if "Error" in line), stderr)
