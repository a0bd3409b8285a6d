"""The CRM feed end to end: a worker with its case journal and feed dispatcher, complaints on
the time-skipping server, and the example receiver (harness/crm_receiver.py) over real HTTP.

Seed 003: "Deja notas claras de lo conversado con el cliente en C4C." Every step of a complaint,
notes included, reaches the brand's CRM (issue 16, item 10)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.crm_feed import CrmFeeds, CrmFeedSettings, FeedDispatcher
from activities.email import SmtpSettings
from activities.journal_store import CaseJournal
from domain.commands import AddNote
from domain.history import Step, StepKind
from harness.crm_receiver import CrmReceiver
from harness.mailbox import Mailbox, free_port
from harness.samples import AGENT
from harness.serving import serving
from harness.waiting import eventually
from tests.support.actions import send
from tests.support.workflows import ComplaintHandle, StartComplaint, settled
from worker import build_worker
from workflows.complaint import ComplaintWorkflow

H = timedelta(hours=1)
SECRET = "s3cret-of-the-crm-endpoint-0123456789"
FAST = CrmFeedSettings(
    crm_feed_first_retry=timedelta(milliseconds=50),
    crm_feed_longest_retry=timedelta(milliseconds=200),
    crm_feed_poll_interval=timedelta(milliseconds=50),
    crm_feed_timeout=timedelta(seconds=2),
)


@dataclass
class Feed:
    journal: CaseJournal
    receiver: CrmReceiver

    def states(self) -> dict[str, int]:
        return {
            state: n for status in self.journal.feed_status() for state, n in status.counts.items()
        }

    async def all_settled(self, env: WorkflowEnvironment, handle: ComplaintHandle) -> list[Step]:
        """The complaint's history once the workflow is idle (waiting on a timer or people),
        the journal has every step and each has an outcome at the endpoint."""

        async def done() -> list[Step] | None:
            await settled(env.client, handle.id)
            view = await handle.query(ComplaintWorkflow.view)
            case = self.journal.case(view.id)
            states = self.states()
            if case is None or len(case.view.history) != len(view.history):
                return None
            if "pending" in states or sum(states.values()) != len(view.history):
                return None
            return view.history

        return await eventually(done)


Running = Callable[..., AbstractAsyncContextManager[Feed]]


@pytest.fixture
def running_feed(
    env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str, tmp_path: Path
) -> Running:
    """A worker and its dispatcher delivering to `receiver` at `port` for brand `brand`."""

    @asynccontextmanager
    async def run(
        brand: str = "default", port: int | None = None, receiver_up: bool = True
    ) -> AsyncIterator[Feed]:
        port = port or free_port()
        endpoint = {"name": "c4c", "url": f"http://127.0.0.1:{port}/complaint-events"}
        feeds = CrmFeeds.model_validate({"brands": {brand: [{**endpoint, "secret": SECRET}]}})
        journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}", feeds=feeds)
        smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
        receiver = CrmReceiver(SECRET)
        dispatcher = FeedDispatcher(journal, feeds, FAST)
        worker = build_worker(env.client, smtp, task_queue, journal=journal)
        async with worker, dispatcher.running():
            if receiver_up:
                async with serving(receiver.app(), port):
                    yield Feed(journal, receiver)
            else:
                yield Feed(journal, receiver)

    return run


async def test_every_step_arrives_signed_once_and_in_order(
    env: WorkflowEnvironment, running_feed: Running, start_complaint: StartComplaint
) -> None:
    async with running_feed() as feed:
        handle = await start_complaint(journal=True)
        await send(handle, AddNote(by=AGENT, text="Called the customer", internal=True))
        await env.sleep(48 * H + H)  # L1 breached: escalated to L2
        history = await feed.all_settled(env, handle)
        view = await handle.query(ComplaintWorkflow.view)
    events = feed.receiver.events
    assert [e["id"] for e in events] == [f"{view.id}:{s.seq}" for s in history]
    assert [e["type"] for e in events] == [s.kind.value for s in history]
    assert {status for _, status in feed.receiver.attempts} == {200}  # every signature good
    opened = events[0]
    assert opened["type"] == "opened" and opened["brand"] == "default"
    assert opened["complaint"]["customer"]["email"] == view.intake.customer.email
    note = next(e for e in events if e["type"] == StepKind.NOTE_ADDED)
    assert note["internal"] is True and note["text"] == "Called the customer"
    assert note["actor"] == {"role": "agent", "name": AGENT.name}
    assert "complaint" not in note or note["complaint"] is None
    escalated = next(e for e in events if e["type"] == StepKind.ESCALATED)
    assert escalated["level"] == 2
    assert feed.states() == {"delivered": len(history)}
    scheduled = {
        event.activity_task_scheduled_event_attributes.activity_type.name
        async for event in handle.fetch_history_events()
        if event.HasField("activity_task_scheduled_event_attributes")
    }
    assert scheduled <= {"send_notification", "record_in_journal"}  # the feed adds nothing


async def test_a_failing_receiver_gets_the_event_again_with_the_same_key_until_it_takes_it(
    env: WorkflowEnvironment, running_feed: Running, start_complaint: StartComplaint
) -> None:
    async with running_feed() as feed:
        feed.receiver.answers = [500, 500]
        handle = await start_complaint(journal=True)
        await settled(env.client, handle.id)
        opened = f"{handle.id.removeprefix('complaint-')}:1"
        await eventually(lambda: any(e["id"] == opened for e in feed.receiver.events))
    assert [a for a in feed.receiver.attempts if a[0] == opened] == [
        (opened, 500),
        (opened, 500),
        (opened, 200),
    ]
    assert [e["id"] for e in feed.receiver.events].count(opened) == 1
    assert feed.states().get("failed") is None


async def test_a_refusal_is_recorded_as_failed_and_not_retried(
    env: WorkflowEnvironment, running_feed: Running, start_complaint: StartComplaint
) -> None:
    async with running_feed() as feed:
        feed.receiver.answers = [400]
        handle = await start_complaint(journal=True)
        await send(handle, AddNote(by=AGENT, text="after the refusal"))
        history = await feed.all_settled(env, handle)
        view = await handle.query(ComplaintWorkflow.view)
    [status] = feed.journal.feed_status()
    assert status.counts == {"failed": 1, "delivered": len(history) - 1}
    assert len(feed.receiver.attempts) == len(history)
    assert "HTTP 400" in status.last_problems[0]
    opened = f"{view.id}:1"
    assert feed.receiver.attempts[0] == (opened, 400)
    assert opened not in {e["id"] for e in feed.receiver.events}  # later steps not held up


async def test_events_wait_for_a_dead_receiver_and_arrive_when_it_is_back(
    env: WorkflowEnvironment, running_feed: Running, start_complaint: StartComplaint
) -> None:
    port = free_port()
    async with running_feed(port=port, receiver_up=False) as feed:
        handle = await start_complaint(journal=True)

        def retried() -> bool:
            found = feed.journal.feed_status()
            return bool(found and found[0].last_problems)

        await eventually(retried)
        assert feed.receiver.events == []
        async with serving(feed.receiver.app(), port):
            history = await feed.all_settled(env, handle)
    assert [e["seq"] for e in feed.receiver.events] == [s.seq for s in history]
    assert feed.states() == {"delivered": len(history)}


async def test_a_brand_without_endpoints_sends_nothing(
    env: WorkflowEnvironment, running_feed: Running, start_complaint: StartComplaint
) -> None:
    async with running_feed(brand="xiaomi-in") as feed:
        handle = await start_complaint(journal=True)  # the default brand
        await send(handle, AddNote(by=AGENT, text="nothing for the CRM"))

        async def journaled() -> bool:
            await settled(env.client, handle.id)
            view = await handle.query(ComplaintWorkflow.view)
            case = feed.journal.case(view.id)
            return case is not None and len(case.view.history) == len(view.history)

        await eventually(journaled)
        await asyncio.sleep(0.3)  # six rounds of the dispatcher
    assert feed.receiver.attempts == []
    assert feed.journal.feed_status() == []
