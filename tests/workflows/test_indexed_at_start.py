"""A complaint its matter starts is indexed from the moment it exists (the API answers before the
complaint's first task), and its first task upserts none of what it started with; it records
one patch marker, its release's (the workflow's earlier switches are implied by it), and its
matter none (implied by the matter's revision)."""

import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import PayloadConverter
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from domain.behaviour import CURRENT
from harness.mailbox import Mailbox
from harness.waiting import eventually
from tests.support.actions import file_with_matter
from tests.support.workflows import settled
from worker import build_worker
from workflows.ids import matter_workflow_id, workflow_id
from workflows.search_attributes import COMPLAINT_LEVEL, DEADLINE, OPENED_AT, SEARCH_ATTRIBUTES


async def test_a_complaint_starts_with_its_search_attributes_and_upserts_none_again(
    dev_env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    """On the dev server, whose visibility store normalises what it indexes."""
    client = dev_env.client
    task_queue = f"tq-{uuid.uuid4()}"
    complaint_id = uuid.uuid4().hex[:16]
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    async with build_worker(client, smtp, task_queue):
        await file_with_matter(client, task_queue, f"m-{complaint_id}", complaint_id)
        handle = client.get_workflow_handle(workflow_id(complaint_id))
        await settled(client, handle.id)
        history = await handle.fetch_history()
        matter = client.get_workflow_handle(matter_workflow_id(f"m-{complaint_id}"))
        matter_history = await matter.fetch_history()

        async def listed() -> bool:
            query = f"WorkflowId = '{handle.id}' AND {COMPLAINT_LEVEL.name} = 1"
            return bool([found async for found in client.list_workflows(query)])

        await eventually(listed)
    started = history.events[0].workflow_execution_started_event_attributes
    ours = {key.name for key in SEARCH_ATTRIBUTES}
    assert {OPENED_AT.name, DEADLINE.name, COMPLAINT_LEVEL.name} <= set(
        started.search_attributes.indexed_fields
    )
    upserts = [
        event.upsert_workflow_search_attributes_event_attributes.search_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    upserted = {name for attributes in upserts for name in attributes.indexed_fields}
    assert not upserted & ours, f"upserted again what it started with: {upserted & ours}"
    assert _patches(history) == [CURRENT.patch_id]
    assert _patches(matter_history) == [], "a new matter's behaviour is its revision's"


def _patches(history: WorkflowHistory) -> list[str]:
    """The ids of the patch markers a history recorded, in order."""
    converter = PayloadConverter.default
    return [
        converter.from_payload(marker.details["patch-data"].payloads[0], dict)["id"]
        for event in history.events
        if (marker := event.marker_recorded_event_attributes).marker_name == "core_patch"
    ]
