"""The faults injected into the running stack."""

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from bench.reliability.stack import Stack


@dataclass
class Faults:
    described: str = ""
    injected: int = 0
    outages: list[tuple[float, float]] = field(default_factory=list)
    """Wall-clock (start, end) of each time nothing could be sent."""
    measures: list[tuple[str, str]] = field(default_factory=list)
    """What the scenario's own checks measured, as rows of its table."""
    violations: list[str] = field(default_factory=list)
    """Hard targets its own checks found missed (a 5xx, a complaint changed, ...)."""
    shortfalls: list[str] = field(default_factory=list)
    """Softer targets missed (e.g. poison accepted instead of refused): reported, not asserted."""

    @property
    def ended_at(self) -> float | None:
        return max((end for _, end in self.outages), default=None)


async def kill_workers(
    stack: Stack, faults: Faults, every: float, until: asyncio.Event, kills: int | None
) -> None:
    """SIGKILL the first worker every `every` seconds and start it again at once, `kills` times
    (or until `until` is set)."""
    worker = stack.workers[0]
    while not until.is_set() and (kills is None or faults.injected < kills):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), every)
        if until.is_set():
            break
        killed = time.time()
        await worker.kill()
        await stack.start_worker(worker)
        faults.injected += 1
        faults.outages.append((killed, time.time()))


async def smtp_outage(stack: Stack, faults: Faults, after: float, seconds: float) -> None:
    await asyncio.sleep(after)
    began = time.time()
    stack.smtp.stop()
    await asyncio.sleep(seconds)
    stack.smtp.start()
    faults.injected += 1
    faults.outages.append((began, time.time()))


async def server_outage(stack: Stack, faults: Faults, after: float, seconds: float) -> None:
    await asyncio.sleep(after)
    began = time.time()
    await stack.server.kill()
    await asyncio.sleep(seconds)
    await stack.start_server()
    faults.injected += 1
    faults.outages.append((began, time.time()))


async def kill_second_worker(stack: Stack, faults: Faults, after: float) -> None:
    """Start a second worker.py on the same task queue (one sent-ledger for both), SIGKILL it
    `after` seconds into the scenario and leave it dead: the first carries on alone."""
    began = time.monotonic()
    second = stack.worker_process("worker-second")
    await stack.start_worker(second)
    await asyncio.sleep(max(0.0, after - (time.monotonic() - began)))
    killed = time.time()
    await second.kill()
    faults.injected += 1
    faults.outages.append((killed, killed))  # the other worker polls: no outage is allowed for


BAD_DEPLOY_MODULE = "bench.reliability.bad_deploy"


async def bad_deploy(
    stack: Stack,
    faults: Faults,
    after: float,
    seconds: float,
    during: Coroutine[Any, Any, None],
) -> None:
    """A deploy whose ComplaintWorkflow raises replaces worker.py for `seconds` (`during` starts
    with it and may outlast it), then the fixed deploy (worker.py again) replaces it, as
    docs/runbook.md's "A bad deploy" says."""
    await asyncio.sleep(after)
    began = time.time()
    await stack.workers[0].stop()
    bad = stack.worker_process("worker-bad-deploy", "-m", BAD_DEPLOY_MODULE)
    await stack.start_worker(bad)
    acting = asyncio.create_task(during)
    await asyncio.sleep(seconds)
    await bad.stop()
    await stack.start_worker(stack.workers[0])
    faults.injected += 1
    faults.outages.append((began, time.time()))
    await acting
