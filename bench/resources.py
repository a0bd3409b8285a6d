"""What a stack's processes cost: resident memory, CPU time, and the bytes of their databases.

`bench/scale.py` and `bench/run.py` read them from /proc through psutil, by process id
(`Stack.processes`), before and after a load.
"""

import asyncio
import contextlib
import time
from pathlib import Path

import psutil

MB = 1024 * 1024


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, in MiB."""
    return psutil.Process(pid).memory_info().rss / MB


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time process `pid` has used so far."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def cpu_by_role(processes: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each process of a stack."""
    return {role: cpu_seconds(pid) for role, pid in processes.items()}


def sqlite_bytes(database: Path) -> int:
    """A SQLite database's bytes on disk: its file, its write-ahead log and shared memory."""
    total = 0
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            total += Path(f"{database}{suffix}").stat().st_size
    return total


async def until_idle(
    pids: list[int], quiet_seconds: float = 3.0, busy_share: float = 0.05, within: float = 600
) -> float:
    """Until the processes together use under `busy_share` of one CPU for `quiet_seconds`
    (a stack that has done all the work it was given); the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        before = _cpu_of_living(pids)
        await asyncio.sleep(quiet_seconds)
        if _cpu_of_living(pids) - before < busy_share * quiet_seconds:
            break
    return time.monotonic() - started


def _cpu_of_living(pids: list[int]) -> float:
    """CPU seconds of those of `pids` still running (a stack may replace a process meanwhile:
    whether it is idle is the question here, not whether it lives)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += cpu_seconds(pid)
    return total
