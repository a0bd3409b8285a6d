"""One complaint with thousands of steps (notes) across continue-as-new while others flow."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.reliability.faults import Faults
from bench.reliability.load import filing
from bench.reliability.settings import LONG_BRAND, STAFF
from bench.reliability.stack import Stack
from workflows.ids import workflow_id

WRITERS = 4
"""Notes sent at once (one staff caller's tabs)."""


@dataclass
class LongHistory:
    """Files one complaint under the long-window policy and adds `notes` notes to it."""

    stack: Stack
    faults: Faults
    run: str
    notes: int
    complaint: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    answered: dict[int, int] = field(default_factory=dict)
    """Note number -> the status its POST was answered with."""
    seconds: float = 0.0

    async def during(self, api: httpx.AsyncClient) -> None:
        # A customer of its own: the scenario's first filing is the same customer and product.
        form = {**filing("long-history-notes", 0, self.run), "brand": LONG_BRAND}
        filed = await api.post(
            "/complaints", json=form, headers={**STAFF, "Idempotency-Key": f"long-{self.run}"}
        )
        filed.raise_for_status()
        self.complaint = filed.json()["id"]
        self.before = (await api.get(f"/complaints/{self.complaint}", headers=STAFF)).json()
        began = time.monotonic()
        numbers = iter(range(self.notes))

        async def writer() -> None:
            for number in numbers:
                self.answered[number] = await self._note(api, number)

        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        self.seconds = time.monotonic() - began
        self.faults.injected += 1

    async def _note(self, api: httpx.AsyncClient, number: int) -> int:
        try:
            answer = await api.post(
                f"/complaints/{self.complaint}/notes",
                json={"text": f"long-history note {number}"},
                headers=STAFF,
            )
        except httpx.TransportError:
            return 0
        return answer.status_code

    async def after(self, api: httpx.AsyncClient) -> None:
        """The view is whole: every note answered 200 is there once, the deadline unchanged."""
        after = (await api.get(f"/complaints/{self.complaint}", headers=STAFF)).json()
        texts = [step["text"] for step in after["history"] if step["kind"] == "note_added"]
        written = {f"long-history note {n}" for n, code in self.answered.items() if code == 200}
        unsure = {f"long-history note {n}" for n, code in self.answered.items() if code != 200}
        missing = written - set(texts)
        doubled = len(texts) - len(set(texts))
        strays = set(texts) - written - unsure
        runs = await self._runs()
        rate = len(self.answered) / self.seconds if self.seconds else 0.0
        self.faults.measures += [
            ("long history: notes sent / answered 200", f"{self.notes} / {len(written)}"),
            (
                "long history: steps before / after",
                f"{len(self.before['history'])} / {len(after['history'])}",
            ),
            ("long history: runs (continue-as-new + 1)", f"{runs}"),
            ("long history: notes a second (each answer carries the whole view)", f"{rate:.1f}"),
            (
                "long history: deadline before / after",
                f"{self.before['deadline']} / {after['deadline']}",
            ),
        ]
        if missing or doubled or strays:
            self.faults.violations.append(
                f"long history: {len(missing)} notes missing, {doubled} doubled, "
                f"{len(strays)} unknown"
            )
        if after["deadline"] != self.before["deadline"] or after["level"] != self.before["level"]:
            self.faults.violations.append("long history: the deadline or level moved")
        if runs < 2:
            self.faults.violations.append("long history: no continue-as-new happened")

    async def _runs(self) -> int:
        client = await Client.connect(
            f"127.0.0.1:{self.stack.server_port}", data_converter=pydantic_data_converter
        )
        query = f"WorkflowId = '{workflow_id(self.complaint)}'"
        return len([run async for run in client.list_workflows(query)])
