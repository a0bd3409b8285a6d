"""Payload bytes in one complaint's history: a plain L1 → L2 → L3 ladder, resolved (issue 18).

    .venv/bin/python -m bench.history_size

Filed as the API files (signal-with-start of the matter, its `outcome` update, answered as the
matter starts the complaint), with the case journal and a CRM feed configured, on Temporal's
time-skipping test server with the encrypting data converter every process uses: no action
through L1, L2 and L3 (each breach escalates), then a resolution is proposed and accepted and
the complaint closes. Prints the complaint workflow's payload bytes by event kind (and the
matter's), as they are stored: encrypted (and compressed, when the codec compresses).
"""

import asyncio
import tempfile
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from activities.crm_feed import CrmEndpoint, CrmFeeds
from activities.email import SmtpSettings
from activities.journal_store import CaseJournal
from api.routers.complaints import routed, send_filing
from domain.commands import CustomerFeedback, ProposeResolution
from harness.mailbox import Mailbox, free_port
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake
from harness.temporal import start_test_server
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.ids import matter_workflow_id, workflow_id
from workflows.inputs import ComplaintStart, Filing

LADDER_HOURS = (48, 24, 12)
"""The seed matrix's windows: each sleep ends one level in a breach."""
FEEDS = CrmFeeds(
    brands={
        "default": (
            CrmEndpoint(name="crm", url="http://127.0.0.1:9/events", secret="s" * 32),  # type: ignore[arg-type]
        )
    }
)
"""A CRM feed configured (its outbox is the journal's; nothing is delivered during the run)."""


def payloads(message: Message) -> Iterator[Payload]:
    """Every Payload inside a protobuf message, however deep."""
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:
            items = list(value)
        for item in items:
            if isinstance(item, Message):
                yield from payloads(item)


@dataclass(frozen=True)
class HistorySize:
    events: int
    event_bytes: int
    payload_bytes: Counter[str]
    """By event kind (`activity_task_scheduled`, …) or `activity input: <type>`."""

    @property
    def total(self) -> int:
        return sum(v for k, v in self.payload_bytes.items() if not k.startswith("activity input:"))


def measured(events: list[HistoryEvent]) -> HistorySize:
    sizes: Counter[str] = Counter()
    for event in events:
        kind = event.WhichOneof("attributes") or "?"
        attributes = getattr(event, kind)
        sizes[kind.removesuffix("_event_attributes")] += sum(
            p.ByteSize() for p in payloads(attributes)
        )
        if kind == "activity_task_scheduled_event_attributes":
            name = attributes.activity_type.name
            sizes[f"activity input: {name}"] += sum(p.ByteSize() for p in payloads(attributes))
    return HistorySize(len(events), sum(e.ByteSize() for e in events), +sizes)


async def ladder(
    client: Client,
    task_queue: str,
    sleep: Callable[[timedelta], Awaitable[None]],
    journal: bool = True,
) -> tuple[str, str]:
    """File, let L1, L2 and L3 breach, resolve: the complaint's and the matter's workflow ids."""
    complaint_id = uuid.uuid4().hex[:16]
    matter = f"bench-{complaint_id}"
    filing = Filing(
        start=ComplaintStart(
            complaint_id=complaint_id,
            intake=sample_intake(),
            policy=SEED_MATRIX,
            customer_id="cus_" + "0" * 32,
            journal=journal,
        ),
        by=CUSTOMER,
    )
    matter_handle = await send_filing(client, task_queue, matter, filing)
    outcome = await routed(client, matter_handle, complaint_id)
    complaint = workflow_id(outcome.complaint_id)
    handle = client.get_workflow_handle_for(ComplaintWorkflow.run, complaint)
    for hours in LADDER_HOURS:
        await sleep(timedelta(hours=hours))
    for command in (
        ProposeResolution(by=AGENT, resolution="Replaced the phone"),
        CustomerFeedback(by=CUSTOMER, decision="accept"),
    ):
        await handle.execute_update(command.update_name(), command)
    await sleep(timedelta(days=60))  # past the reopen window: the complaint closes
    await handle.result()
    return handle.id, matter_workflow_id(matter)


async def measure(journal: bool = True) -> tuple[HistorySize, HistorySize]:
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            case_journal = CaseJournal(f"sqlite:///{Path(folder) / 'journal.sqlite3'}", feeds=FEEDS)
            async with start_test_server() as env:
                task_queue = f"history-size-{uuid.uuid4()}"
                smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
                async with build_worker(env.client, smtp, task_queue, journal=case_journal):
                    complaint, matter = await ladder(env.client, task_queue, env.sleep, journal)
                    complaint_history = await env.client.get_workflow_handle(
                        complaint
                    ).fetch_history()
                    matter_history = await env.client.get_workflow_handle(matter).fetch_history()
    finally:
        mailbox.stop()
    return measured(list(complaint_history.events)), measured(list(matter_history.events))


def report(name: str, size: HistorySize) -> str:
    lines = [
        f"{name}: {size.events} events, {size.event_bytes:,} bytes of events, "
        f"{size.total:,} bytes of payloads"
    ]
    lines += [f"  {value:>7,}  {kind}" for kind, value in size.payload_bytes.most_common()]
    return "\n".join(lines)


def main() -> None:
    complaint, matter = asyncio.run(measure())
    print(report("complaint (L1 → L2 → L3, resolved)", complaint))
    print(report("matter", matter))
    unjournaled, _ = asyncio.run(measure(journal=False))
    print(report("the same complaint without the case journal", unjournaled))


if __name__ == "__main__":
    main()
