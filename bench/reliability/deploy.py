"""What the API answers while a bad deploy runs, and what became of the actions it refused."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.reliability.faults import Faults
from bench.reliability.load import Observed
from bench.reliability.settings import STAFF

ACTED_ON = 5
"""Complaints read and given a note while the bad deploy runs."""
NOTE = "sent during the bad deploy"
FAILING = "the engine fails on it"
"""What the API's 503 says when the complaint's workflow task is failing (api/temporal.py)."""


@dataclass
class ActionsDuringBadDeploy:
    observed: Observed
    faults: Faults
    targets: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)

    async def during(self, api: httpx.AsyncClient, seconds: float) -> None:
        """Add a note to complaints filed before the deploy and read them until one answers 503
        saying the engine fails on it (never another 5xx). The note gives each complaint a
        workflow task on the bad worker (after the dead worker's sticky queue times out, 5 s);
        a complaint with none yet still answers its reads, so a single read would find the
        failure only by chance."""
        reading_until = asyncio.get_running_loop().time() + seconds - 1
        await asyncio.sleep(1)  # the bad worker polls; the good one's sticky queue, dead, waits
        self.targets = list(dict.fromkeys(self.observed.complaint_ids.values()))[:ACTED_ON]
        details: list[str] = []

        async def ask(method: str, path: str, body: dict[str, str] | None = None) -> None:
            answer = await api.request(method, path, json=body, headers=STAFF)
            self.observed.statuses[answer.status_code] += 1
            self.answers[f"{method} {answer.status_code}"] += 1
            if answer.status_code == 503 and FAILING in answer.text:
                details.append(f"{method}: {answer.json()['detail']}")

        def read_failing() -> bool:
            return any(detail.startswith("GET") for detail in details)

        async def read(complaint: str) -> None:
            while not read_failing() and asyncio.get_running_loop().time() < reading_until:
                await ask("GET", f"/complaints/{complaint}")
                await asyncio.sleep(0.5)

        notes = [
            ask("POST", f"/complaints/{complaint}/notes", {"text": NOTE})
            for complaint in self.targets
        ]
        await asyncio.gather(*notes, *(read(complaint) for complaint in self.targets))
        for detail in sorted(set(d.split(": ", 1)[0] for d in details)):
            said = next(d for d in details if d.startswith(detail))
            self.faults.measures.append((f"503 detail ({detail})", f"`{said.split(': ', 1)[1]}`"))
        if not details:
            self.faults.violations.append(f"no 503 said that {FAILING}")

    async def after(self, api: httpx.AsyncClient) -> None:
        """How many of the notes refused with 503 the fixed deploy applied after all."""
        applied = 0
        for complaint in self.targets:
            view = (await api.get(f"/complaints/{complaint}", headers=STAFF)).json()
            applied += sum(1 for step in view["history"] if step["text"] == NOTE)
        self.faults.measures += [
            (
                "answers to reads and notes on complaints filed before the bad deploy",
                ", ".join(f"{k}: {n}" for k, n in sorted(self.answers.items())),
            ),
            ("of those notes, applied once the fixed deploy ran", f"{applied}"),
        ]
