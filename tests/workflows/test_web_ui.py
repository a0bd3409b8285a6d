"""The Temporal Web UI reads like a case file (issue 14): a complaint filed as the API files it,
then described on the dev server as the UI describes it, decrypted with the project's client."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from domain.engine_room import local_time
from domain.identity import matter_id
from domain.policy_files import load_policy_set
from harness.mailbox import Mailbox
from harness.samples import CUSTOMER, POLICY_DIR, sample_intake
from harness.waiting import eventually
from tests.support.actions import file_with_matter
from tests.support.workflows import ComplaintHandle, settled
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.ids import matter_workflow_id, workflow_id
from workflows.matter import MatterWorkflow

XIAOMI = load_policy_set(POLICY_DIR).for_brand("xiaomi-in")
INTAKE = sample_intake()
CUSTOMERS_OWN_WORDS = [
    INTAKE.customer.name,
    CUSTOMER.name,
    INTAKE.customer.email or "",
    "9812345678",  # the phone, however it is written
    INTAKE.customer.address or "",
    INTAKE.description,
]


@dataclass
class Filed:
    complaint: ComplaintHandle
    matter: WorkflowHandle[MatterWorkflow, list[str]]


@pytest.fixture
async def filed(dev_env: WorkflowEnvironment, mailbox: Mailbox) -> AsyncIterator[Filed]:
    """A Xiaomi India complaint filed through its matter, as the API files it; both workflows are
    terminated afterwards."""
    task_queue = f"tq-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    matter = matter_id(f"cus_{uuid.uuid4().hex}", INTAKE.product)
    complaint_id = uuid.uuid4().hex[:16]
    client = dev_env.client
    async with build_worker(client, smtp, task_queue):
        await file_with_matter(client, task_queue, matter, complaint_id, XIAOMI)
        handles = Filed(
            client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id)),
            client.get_workflow_handle_for(MatterWorkflow.run, matter_workflow_id(matter)),
        )
        await settled(client, handles.complaint.id)  # acknowledged, its owner told
        yield handles
        for handle in (handles.complaint, handles.matter):
            await handle.terminate("test over")


async def current_details(handle: WorkflowHandle[Any, Any]) -> str:
    """What the Web UI shows as the workflow's current details."""
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return metadata.current_details


async def test_a_complaint_and_its_matter_read_like_a_case_file_without_personal_data(
    dev_env: WorkflowEnvironment, filed: Filed
) -> None:
    complaint_id = filed.complaint.id.removeprefix("complaint-")
    matter = filed.matter.id.removeprefix("matter-")
    view = await filed.complaint.query(ComplaintWorkflow.view)
    assert view.deadline is not None

    described = await filed.complaint.describe()
    summary, static = await described.static_summary(), await described.static_details()
    assert summary == (
        f"Complaint {complaint_id} · Xiaomi · IN · Phone dead after update · Redmi Note 10 Pro"
    )
    assert static is not None
    assert "Filed via **app** under policy **xiaomi-india**" in static
    assert "- L2 Head of Customer Service (head_of_customer_service): 24h" in static
    details = await current_details(filed.complaint)
    deadline = local_time(view.deadline, "Asia/Kolkata", view.opened_at)
    assert details.startswith("**Open** at **L1 Grievance Desk** (owner: grievance_desk)")
    assert f"- deadline: {deadline}, " in details
    assert "- next: L1 75 % warning at " in details
    assert "- last step: opened by the escalation engine at " in details

    async def routed() -> str | None:
        shown = await current_details(filed.matter)
        return shown if f"**Complaint {complaint_id} open**" in shown else None

    matter_shown = await eventually(routed)
    assert "- filings: 1\n" in matter_shown
    assert f"- complaints started: {complaint_id}\n" in matter_shown
    assert "- repeat window: until " in matter_shown
    assert " IST\n" in matter_shown
    matter_described = await filed.matter.describe()
    assert await matter_described.static_summary() == (
        f"Matter {matter} · Xiaomi · IN · Phone dead after update · Redmi Note 10 Pro"
    )

    converter = dev_env.client.data_converter
    timers_and_messages = [
        (await converter.decode([event.user_metadata.summary], [str]))[0]
        async for event in filed.complaint.fetch_history_events()
        if event.user_metadata.HasField("summary")
    ]
    assert "acknowledgement to the customer, email" in timers_and_messages
    assert "assignment to the Grievance Desk (grievance_desk), email" in timers_and_messages
    assert any(text.startswith("L1 75 % warning at ") for text in timers_and_messages)
    shown = [summary, static, details, matter_shown, *timers_and_messages]
    leaked = [words for words in CUSTOMERS_OWN_WORDS if any(words in text for text in shown)]
    assert leaked == []
