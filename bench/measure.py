"""What issue 18's intake and burst benchmarks share: an SMTP sink that notes when each
recipient's message arrived, closed-loop and paced drivers, and percentiles."""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any


class ArrivalSink:
    """An SMTP server handler that keeps, per message and recipient, only when it arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        self.arrivals.extend((now, address.lower()) for address in envelope.rcpt_tos)
        return "250 Message accepted"

    def times(self, to: str) -> list[float]:
        """Arrival times (epoch seconds) of messages to `to`: an address, or a domain."""
        if "@" in to:
            return sorted(at for at, address in self.arrivals if address == to)
        return sorted(at for at, address in self.arrivals if address.endswith("@" + to))

    async def until(self, to: str, count: int, within: float) -> list[float]:
        """The first `count` arrivals to `to`; fewer if `within` seconds pass first."""
        give_up = time.monotonic() + within
        while True:
            found = self.times(to)
            if len(found) >= count or time.monotonic() >= give_up:
                return found[:count]
            await asyncio.sleep(0.2)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of `values` (empty: nothing to say)."""
    if not values:
        return {}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []
    cut = (lambda k: cuts[k - 1]) if cuts else (lambda k: ordered[0])
    return {"p50": statistics.median(ordered), "p95": cut(95), "p99": cut(99), "max": ordered[-1]}


Call = Callable[[int], Awaitable[None]]
"""File complaint number n and return when the answer is in."""


async def closed_loop(call: Call, count: int, clients: int) -> tuple[float, list[float]]:
    """`count` calls from `clients` callers, each one after another: (seconds taken, latencies)."""
    numbers = iter(range(count))
    latencies: list[float] = []

    async def caller() -> None:
        for number in numbers:
            started = time.perf_counter()
            await call(number)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return time.perf_counter() - started, latencies


async def paced(call: Call, count: int, rate: float, first: int = 0) -> list[float]:
    """`count` calls started `rate` a second whatever the answers take: their latencies."""
    latencies: list[float] = []

    async def timed(number: int) -> None:
        started = time.perf_counter()
        await call(number)
        latencies.append(time.perf_counter() - started)

    tasks = []
    began = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0.0, began + index / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(timed(first + index)))
    await asyncio.gather(*tasks)
    return latencies


def intake_figures(
    seconds: float, latencies: list[float], acknowledged: list[float], began: float
) -> dict[str, float]:
    """Complaints a second, latency percentiles (ms), acknowledgement emails received a second
    (from the first call to the last acknowledgement)."""
    ms = percentiles([latency * 1000 for latency in latencies])
    figures = {"rate": len(latencies) / seconds, **{f"{k}_ms": v for k, v in ms.items()}}
    if acknowledged:
        figures["acks_per_s"] = len(acknowledged) / max(1e-3, acknowledged[-1] - began)
    figures["acks"] = float(len(acknowledged))
    return figures


def burst_figures(instant: float, arrivals: list[float], expected: int) -> dict[str, float]:
    """Lateness (s) of each escalation email after the common instant: p50, p99, max."""
    late = percentiles([at - instant for at in arrivals])
    return {
        "p50_s": late.get("p50", float("nan")),
        "p99_s": late.get("p99", float("nan")),
        "max_s": late.get("max", float("nan")),
        "received": float(len(arrivals)),
        "missing": float(expected - len(arrivals)),
    }
