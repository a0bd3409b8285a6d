"""What one complaint's whole life costs (issue 18): CPU ms in the dev server, the worker and the
API, and the payload bytes in its history.

On a stack of its own whose default policy has windows of `LADDER` (L1 and L2 a few seconds,
L3 an hour), `count` complaints are filed through `POST /complaints` by an agent, climb
L1 → L2 → L3 by breaching (the L3 owner's escalation email at the sink marks each one's
arrival), get a resolution proposed by the agent and accepted by the customer (resolved). The
processes' CPU time (user + system, /proc through psutil) is read before and after, less what
the idle stack used over the same time, and divided by `count`. The gross figure (idle use
included) is kept beside it: with few complaints the idle stack's share can exceed their cost,
and the net figure then reads 0.
"""

import asyncio
import re
import shutil
import time
from pathlib import Path

import httpx
from temporalio.client import Client

from bench.desk_pages import Stack
from bench.history_size import payloads
from bench.measure import ArrivalSink
from bench.resources import cpu_by_role, until_idle
from harness.credentials import bearer, customer_bearer
from harness.samples import FORM, POLICY_DIR
from workflows.ids import workflow_id

LADDER = ("3s", "3s", "1h")
"""L1 and L2 breach within seconds; L3 holds while the complaint is resolved."""
L3_OWNER = "office-of-the-president@example.com"
"""The default policy's L3 contact: one escalation email per complaint reaching L3."""


def ladder_policy(folder: Path) -> Path:
    """The shipped policies, the default one's windows replaced by `LADDER`."""
    target = folder / "policy"
    shutil.copytree(POLICY_DIR, target)
    default = target / "default.yaml"
    windows = iter(LADDER)
    text = re.sub(
        r"resolution_window: \S+",
        lambda _: f"resolution_window: {next(windows)}",
        default.read_text(),
    )
    default.write_text(text)
    return target


async def history_payload_kb(client: Client, complaint: str) -> float:
    """KB of payloads in the complaint workflow's history as it stands."""
    history = await client.get_workflow_handle(workflow_id(complaint)).fetch_history()
    return sum(p.ByteSize() for event in history.events for p in payloads(event)) / 1024


async def cpu_per_lifecycle(
    stack: Stack, sink: ArrivalSink, count: int, clients: int = 5, idle_seconds: float = 10
) -> dict[str, float]:
    """CPU ms per complaint by process role, and the history's payload KB at L3 and resolved."""
    pids = list(stack.processes.values())
    await until_idle(pids, within=60)
    before = cpu_by_role(stack.processes)
    await asyncio.sleep(idle_seconds)
    idle = {
        role: (used - before[role]) / idle_seconds
        for role, used in cpu_by_role(stack.processes).items()
    }
    agent = bearer("agent", "bench-lifecycle", "Bench")
    emails = [f"customer{number}@lifecycle.example" for number in range(count)]
    filed: list[tuple[str, str]] = []
    """(complaint id, the customer's email), in the order the 201s came."""
    began = time.monotonic()
    before = cpu_by_role(stack.processes)
    async with httpx.AsyncClient(base_url=stack.api, timeout=120) as api:
        numbers = iter(range(count))

        async def filer() -> None:
            for number in numbers:
                form = {
                    **FORM,
                    "customer": {"name": f"Customer {number}", "email": emails[number]},
                    "product": f"Lifecycle unit {number}",
                }
                answer = await api.post("/complaints", json=form, headers=agent)
                _check(answer, 201, 202)  # 202: filed before the worker polled
                filed.append((answer.json()["id"], emails[number]))

        await asyncio.gather(*(filer() for _ in range(clients)))
        reached = await sink.until(L3_OWNER, count, within=120 + count)
        if len(reached) < count:
            raise RuntimeError(f"only {len(reached)}/{count} complaints reached L3")
        at_l3 = await history_payload_kb(stack.client, filed[0][0])
        for complaint, email in filed:
            proposed = await api.post(
                f"/complaints/{complaint}/resolution",
                json={"resolution": "Replaced under warranty."},
                headers=agent,
            )
            _check(proposed, 200)
            accepted = await api.post(
                f"/complaints/{complaint}/feedback",
                json={"decision": "accept"},
                headers=customer_bearer(email),
            )
            _check(accepted, 200)
            if accepted.json()["status"] != "resolved":
                raise RuntimeError(f"{complaint} not resolved: {accepted.text[:300]}")
    await until_idle(pids)
    seconds = time.monotonic() - began
    after = cpu_by_role(stack.processes)
    resolved = await history_payload_kb(stack.client, filed[0][0])
    figures: dict[str, float] = {}
    for role in stack.processes:
        used = after[role] - before[role]
        figures[f"gross_cpu_ms_{role}"] = used * 1000 / count
        figures[f"cpu_ms_{role}"] = max(0.0, used - idle[role] * seconds) * 1000 / count
    return figures | {"history_kb_l3": at_l3, "history_kb_resolved": resolved}


def _check(answer: httpx.Response, *statuses: int) -> None:
    if answer.status_code not in statuses:
        said = f"{answer.status_code} {answer.text[:300]}"
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {said}")
