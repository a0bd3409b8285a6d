"""The faults injected into the running stack."""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from bench.reliability.stack import Stack


@dataclass
class Faults:
    described: str = ""
    injected: int = 0
    outages: list[tuple[float, float]] = field(default_factory=list)
    """Wall-clock (start, end) of each time nothing could be sent."""

    @property
    def ended_at(self) -> float | None:
        return max((end for _, end in self.outages), default=None)


async def kill_workers(stack: Stack, faults: Faults, every: float, until: asyncio.Event) -> None:
    """SIGKILL the first worker every `every` seconds and start it again at once."""
    worker = stack.workers[0]
    while not until.is_set():
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
