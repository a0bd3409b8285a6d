"""Filing complaints through the API as a retrying client would, and probing it meanwhile."""

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.reliability.settings import BRAND, STAFF
from bench.reliability.sink import Sink
from harness.samples import FORM


@dataclass
class Observed:
    """What a scenario's clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    complaint_ids: dict[str, str] = field(default_factory=dict)
    """Idempotency-Key -> the complaint id the API answered with."""
    id_mismatches: int = 0
    """Answers to a repeated Idempotency-Key that named another complaint."""
    given_up: list[str] = field(default_factory=list)


def filing(scenario: str, number: int, run: str) -> dict[str, Any]:
    email = f"{scenario}-{run}-{number}@example.com"
    return {
        **FORM,
        "customer": {"name": f"Customer {number}", "email": email},
        "brand": BRAND,
        "country": "IN",
        "product": f"Unit {scenario} {number}",
        "reason": "Late repair",
    }


async def file(
    api: httpx.AsyncClient, observed: Observed, key: str, form: dict[str, Any], within: float
) -> None:
    """POST until the API answers with a complaint, retrying 503/429/transport errors."""
    deadline = time.monotonic() + within
    delay = 0.5
    while time.monotonic() < deadline:
        try:
            answer = await api.post(
                "/complaints", json=form, headers={**STAFF, "Idempotency-Key": key}
            )
        except httpx.TransportError:
            observed.transport_errors += 1
        else:
            observed.statuses[answer.status_code] += 1
            if answer.status_code in (200, 201, 202):
                complaint = answer.json()["id"]
                known = observed.complaint_ids.setdefault(key, complaint)
                observed.id_mismatches += known != complaint
                return
            if answer.status_code not in (429, 503):
                observed.given_up.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5)
    observed.given_up.append(f"{key}: no answer within {within:.0f} s")


async def file_all(
    api: httpx.AsyncClient,
    observed: Observed,
    scenario: str,
    run: str,
    count: int,
    rate: float,
    until: asyncio.Event | None = None,
    form: Callable[[str, int, str], dict[str, Any]] = filing,
) -> None:
    """`count` filings (`form(scenario, number, run)`) at `rate` a second, and more until
    `until` is set (each its own task: a slow one does not hold the rest)."""
    tasks = []
    for number in itertools.count():
        if number >= count and (until is None or until.is_set()):
            break
        key = f"{run}-{scenario}-{number}"
        tasks.append(
            asyncio.create_task(file(api, observed, key, form(scenario, number, run), within=180))
        )
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def probe(api: httpx.AsyncClient, observed: Observed, stop: asyncio.Event) -> None:
    """GET /ready and a complaint every half second while the scenario runs."""
    while not stop.is_set():
        paths = ["/ready"]
        if observed.complaint_ids:
            paths.append(f"/complaints/{next(iter(observed.complaint_ids.values()))}")
        for path in paths:
            try:
                answer = await api.get(path, headers=STAFF)
                observed.statuses[answer.status_code] += 1
            except httpx.TransportError:
                observed.transport_errors += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


def received_for(sink: Sink, observed: Observed) -> int:
    complaints = set(observed.complaint_ids.values())
    return sum(1 for key in list(sink.arrivals) if key.split("/")[0] in complaints)
