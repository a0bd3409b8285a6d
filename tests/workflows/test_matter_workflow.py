"""Repeat filings about the same matter reach the open complaint, even at the same instant."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.routers.complaints import send_filing
from domain.history import StepKind
from domain.identity import matter_id
from domain.playbooks import HandlingTier
from domain.status import ComplaintStatus
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import CUSTOMER, SEED_MATRIX, sample_intake, with_policy
from harness.waiting import eventually
from tests.support.actions import answer, file_with_matter, propose, resolve
from tests.support.workflows import settled
from workflows.complaint import ComplaintWorkflow
from workflows.ids import matter_workflow_id, workflow_id
from workflows.inputs import ComplaintStart, Filing, FilingOutcome
from workflows.matter import MatterWorkflow

DAY = timedelta(days=1)
EVERY_FILING_COUNTS = with_policy(
    repeat_thresholds={
        **SEED_MATRIX.repeat_thresholds.model_dump(),
        "customer_contacts_count_once_per": None,
    }
)
"""The customer's filings here come seconds apart: count each (the default counts one an hour)."""


@pytest.fixture
def matter(opened_workflows: set[str]) -> str:
    """A fresh matter; its workflow is terminated after the test."""
    matter = matter_id(f"cus_{uuid.uuid4().hex}", "Redmi Note 10 Pro")
    opened_workflows.add(matter_workflow_id(matter))
    return matter


async def file(
    env: WorkflowEnvironment, task_queue: str, matter: str, opened: set[str], proposed: str = ""
) -> FilingOutcome:
    complaint_id = proposed or uuid.uuid4().hex[:16]
    opened.add(workflow_id(complaint_id))
    return await file_with_matter(env.client, task_queue, matter, complaint_id, EVERY_FILING_COUNTS)


async def view_of(env: WorkflowEnvironment, complaint_id: str) -> ComplaintView:
    handle = env.client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))
    return await handle.query(ComplaintWorkflow.view)


async def test_a_second_filing_is_a_repeat_contact_on_the_open_complaint(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
) -> None:
    first = await file(env, task_queue, matter, opened_workflows)
    second = await file(env, task_queue, matter, opened_workflows)
    assert (first.repeat, second.repeat, second.complaint_id) == (False, True, first.complaint_id)

    async def specialists() -> ComplaintView | None:
        view = await view_of(env, first.complaint_id)
        return view if view.handling is HandlingTier.SPECIALISTS else None

    view = await eventually(specialists)
    assert view.contacts == 2


async def test_simultaneous_filings_start_one_complaint(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
) -> None:
    outcomes = await asyncio.gather(
        *(file(env, task_queue, matter, opened_workflows) for _ in range(3))
    )
    assert len({outcome.complaint_id for outcome in outcomes}) == 1
    assert sorted(outcome.repeat for outcome in outcomes) == [False, True, True]

    async def three_contacts() -> ComplaintView | None:
        view = await view_of(env, outcomes[0].complaint_id)
        return view if view.contacts == 3 else None

    assert (await eventually(three_contacts)).handling is HandlingTier.TEAM_LEADER


async def test_filings_racing_to_start_a_matter_all_reach_its_workflow(
    env: WorkflowEnvironment, task_queue: str
) -> None:
    """The test server refuses some signal-with-starts racing to start a workflow as already
    started (uncaught, a 500 at POST /complaints); each refused filing is sent again."""
    filing = Filing(
        start=ComplaintStart(
            complaint_id="race", intake=sample_intake(), policy=EVERY_FILING_COUNTS
        ),
        by=CUSTOMER,
    )
    matters = [matter_id(f"cus_{uuid.uuid4().hex}", "Redmi Note 10 Pro") for _ in range(200)]
    for matter in matters:  # no worker: the filings wait in each matter's history
        sends = [send_filing(env.client, task_queue, matter, filing) for _ in range(8)]
        await asyncio.gather(*sends)
    for matter in matters:
        history = await env.client.get_workflow_handle(matter_workflow_id(matter)).fetch_history()
        kinds = [event.event_type for event in history.events]
        assert kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) == 8, matter


async def test_a_retried_filing_counts_once(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
) -> None:
    first = await file(env, task_queue, matter, opened_workflows, proposed="retry0000000001")
    again = await file(env, task_queue, matter, opened_workflows, proposed="retry0000000001")
    assert first.opened_at is not None, "the first answer carries what the receipt is built from"
    assert again == first.model_copy(update={"opened_at": None}), "a retry's: as it stands now"
    await env.sleep(timedelta(minutes=1))
    assert (await view_of(env, first.complaint_id)).contacts == 1


async def test_a_filing_after_resolution_reopens_and_after_closing_starts_a_counted_one(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
) -> None:
    first = await file(env, task_queue, matter, opened_workflows)
    handle = await resolve(env.client, first.complaint_id)
    again = await file(env, task_queue, matter, opened_workflows)
    assert again == FilingOutcome(complaint_id=first.complaint_id, repeat=True)

    async def reopened() -> ComplaintView | None:
        view = await view_of(env, first.complaint_id)
        return view if view.status is ComplaintStatus.OPEN and view.contacts == 2 else None

    view = await eventually(reopened)
    assert [s.kind for s in view.history if s.actor == CUSTOMER][-2:] == [
        StepKind.REOPENED,
        StepKind.CONTACTED,
    ]
    await propose(handle)
    await answer(handle, "accept")
    await env.sleep(8 * DAY)  # the reopen window (7 days) ends: the complaint closes
    assert (await handle.result()).status is ComplaintStatus.CLOSED

    third = await file(env, task_queue, matter, opened_workflows)
    assert not third.repeat and third.complaint_id != first.complaint_id
    view = await view_of(env, third.complaint_id)
    assert (view.contacts, view.handling) == (3, HandlingTier.TEAM_LEADER)


async def test_the_matter_ends_when_nothing_is_open_and_the_window_passed(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
) -> None:
    first = await file(env, task_queue, matter, opened_workflows)
    await resolve(env.client, first.complaint_id)
    await env.sleep(31 * DAY)
    matter_handle = env.client.get_workflow_handle_for(
        MatterWorkflow.run, matter_workflow_id(matter)
    )
    assert await matter_handle.result() == [first.complaint_id]


async def test_a_complaint_terminated_from_temporal_does_not_swallow_the_next_filing(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    matter: str,
    opened_workflows: set[str],
    mailbox: Mailbox,
) -> None:
    first = await file(env, task_queue, matter, opened_workflows)
    await eventually(lambda: len(mailbox.messages) == 2)  # its first emails sent: the
    await settled(env.client, workflow_id(first.complaint_id))  # customer's and the desk's
    await env.client.get_workflow_handle(workflow_id(first.complaint_id)).terminate("by hand")
    second = await file(env, task_queue, matter, opened_workflows)
    assert (second.repeat, second.complaint_id != first.complaint_id) == (False, True)
    assert (await view_of(env, second.complaint_id)).status is ComplaintStatus.OPEN
    third = await file(env, task_queue, matter, opened_workflows)
    assert (third.complaint_id, third.repeat) == (second.complaint_id, True)
    await settled(env.client, workflow_id(second.complaint_id))
