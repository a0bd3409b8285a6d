"""Issue 18's baseline: the same work written plainly on Temporal, measured as the project is.

Intake: one update-with-start of `PlainComplaintWorkflow` (bench/plain_workflow.py) per
complaint, answered with the deadline the workflow computed; the worker (`bench/plain_worker.py`,
its own process, sandboxed) sends the acknowledgement and the desk's notice through aiosmtplib.
Burst: workflows sleeping to one instant, each then sending one email. `bench/run.py` runs it
beside the project's own figures on the same dev server.
"""

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from bench.measure import ArrivalSink, Call, burst_figures
from bench.plain_workflow import (
    PlainBreach,
    PlainBreachWorkflow,
    PlainComplaintWorkflow,
    PlainFiling,
)

ROOT = Path(__file__).resolve().parent.parent
TASK_QUEUE = "bench-plain"
WINDOW_SECONDS = 48 * 3600.0
"""The intake's complaints sleep past the run, as the project's 48-hour ones do."""


@asynccontextmanager
async def plain_worker(target: str, smtp_port: int, log: Path) -> AsyncIterator[None]:
    """`python -m bench.plain_worker` against `target`, stopped at the end."""
    environment = {
        **os.environ,
        "TEMPORAL_ADDRESS": target,
        "PLAIN_TASK_QUEUE": TASK_QUEUE,
        "SMTP_PORT": str(smtp_port),
    }
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.plain_worker", cwd=ROOT, env=environment,
            stdout=out, stderr=out,
        )  # fmt: skip
    try:
        yield
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def filing(client: Client, run: str, domain: str) -> Call:
    """Complaint n of this run, filed by update-with-start; returns once the deadline is in."""

    async def call(number: int) -> None:
        complaint = f"plain-{run}-{number}"
        start = WithStartWorkflowOperation(
            PlainComplaintWorkflow.run,
            PlainFiling(
                complaint_id=complaint,
                customer_email=f"customer{number}@{domain}",
                desk_email="desk@plain-desk.example",
                escalation_email="supervisor@plain-escalation.example",
                window_seconds=WINDOW_SECONDS,
            ),
            id=complaint,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=TASK_QUEUE,
        )
        await client.execute_update_with_start_workflow(
            PlainComplaintWorkflow.receipt, start_workflow_operation=start
        )

    return call


async def start_burst(
    client: Client, run: str, count: int, instant: float, domain: str, concurrency: int = 32
) -> None:
    """`count` workflows sleeping to `instant` (epoch s), each then emailing someone at `domain`."""
    numbers = iter(range(count))

    async def starter() -> None:
        for number in numbers:
            await client.start_workflow(
                PlainBreachWorkflow.run,
                PlainBreach(f"burst-{run}-{number}", instant, f"supervisor{number}@{domain}"),
                id=f"plain-burst-{run}-{number}",
                task_queue=TASK_QUEUE,
            )

    await asyncio.gather(*(starter() for _ in range(concurrency)))


def burst_lead(count: int) -> float:
    """Seconds to start a burst of `count` plain workflows before their instant."""
    return 10 + count / 50


async def burst(
    client: Client, sink: ArrivalSink, count: int, lead: float, run: str
) -> tuple[dict[str, float], list[float]]:
    """`count` plain workflows sleeping to one instant `lead` seconds away: email lateness."""
    domain = f"plain-burst-{run}.example"
    instant = time.time() + lead
    await start_burst(client, run, count, instant, domain)
    if time.time() > instant:
        print(f"  warning: starting took longer than the {lead:.0f} s lead", flush=True)
    await asyncio.sleep(max(0.0, instant - time.time()))
    arrivals = await sink.until(domain, count, within=120 + count * 0.5)
    return burst_figures(instant, arrivals, count), [at - instant for at in arrivals]
