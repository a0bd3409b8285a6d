"""Attack: a complaint grown with notes until its history breaks Temporal's limits (issue 13).

On the dev server, which reports history sizes as production does (the Java test server does
not): 500 notes of 1,000 characters, every update answered with a small acknowledgement, and a
run that passes `HISTORY_BYTES_LIMIT` continues as new.
"""

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from domain.commands import AddNote
from domain.history import StepKind
from domain.view import Acknowledgement
from harness.mailbox import Mailbox
from harness.samples import AGENT, SEED_MATRIX, sample_intake
from tests.support.actions import answer, propose
from tests.support.workflows import ComplaintHandle
from worker import build_worker
from workflows.complaint import HISTORY_BYTES_LIMIT, ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart

NOTES = 500
NOTE = "n" * 1000
PAYLOAD_LIMIT = 2 * 1024 * 1024
"""Temporal's limit on one payload; a run's input carries the complaint across runs."""


async def runs(client: Client, handle: ComplaintHandle) -> list[tuple[int, int]]:
    """Each run, first to last: what it grew by (its events but the first and the last, which
    carry the complaint in and out) and its largest payload (the complaint carried in)."""
    sizes = []
    run_id = handle.first_execution_run_id or handle.result_run_id
    while run_id:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        payloads = [
            payload.ByteSize()
            for event in history.events
            for payload in event.workflow_execution_started_event_attributes.input.payloads
        ]
        grown = sum(event.ByteSize() for event in history.events[1:-1])
        sizes.append((grown, max(payloads, default=0)))
        continued = history.events[-1].workflow_execution_continued_as_new_event_attributes
        run_id = continued.new_execution_run_id or None
    return sizes


@pytest.fixture
async def handle(
    dev_env: WorkflowEnvironment, mailbox: Mailbox, opened_workflows: set[str]
) -> AsyncIterator[ComplaintHandle]:
    task_queue = f"tq-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    complaint_id = uuid.uuid4().hex[:16]
    async with build_worker(dev_env.client, smtp, task_queue):
        started = await dev_env.client.start_workflow(
            ComplaintWorkflow.run,
            ComplaintStart(complaint_id=complaint_id, intake=sample_intake(), policy=SEED_MATRIX),
            id=workflow_id(complaint_id),
            task_queue=task_queue,
        )
        yield started
        await started.terminate("test over")


async def test_five_hundred_long_notes_keep_every_run_small(
    dev_env: WorkflowEnvironment, handle: ComplaintHandle
) -> None:
    note = AddNote(by=AGENT, text=NOTE)
    for _ in range(NOTES):
        ack = await handle.execute_update("add_note", note, result_type=Acknowledgement)
        assert len(ack.model_dump_json()) < 200  # an answer, not the whole complaint again
    await propose(handle)  # and it still works
    view = await answer(handle, "accept")
    assert sum(step.kind is StepKind.NOTE_ADDED for step in view.history) == NOTES
    sizes = await runs(dev_env.client, handle)
    assert len(sizes) >= 2, sizes  # it continued as new on its own history's size
    assert all(grown < 2 * HISTORY_BYTES_LIMIT for grown, _ in sizes), sizes
    assert all(carried < PAYLOAD_LIMIT / 2 for _, carried in sizes), sizes
