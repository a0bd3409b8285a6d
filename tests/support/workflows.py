"""Handles on running complaints, and waiting for what a workflow has done."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from domain.view import ComplaintView
from harness.waiting import eventually
from workflows.complaint import ComplaintWorkflow

ComplaintHandle = WorkflowHandle[ComplaintWorkflow, ComplaintView]
StartComplaint = Callable[..., Awaitable[ComplaintHandle]]


QUERY_WITHIN = 3.0
"""A query unanswered this long is asked again: the Java test server now and then never answers
one sent just as a run continues as new (the dev server answers within milliseconds)."""


async def view_when(handle: ComplaintHandle, condition: Any) -> ComplaintView:
    """The workflow's state once `condition(view)` holds."""

    async def probe() -> ComplaintView | None:
        try:
            async with asyncio.timeout(QUERY_WITHIN):
                view = await handle.query(ComplaintWorkflow.view)
        except TimeoutError:
            return None
        return view if condition(view) else None

    return await eventually(probe)


async def in_flight(client: Client, workflow_id: str) -> list[str]:
    """What the workflow's latest run is doing right now: activities and a workflow task.

    Empty when it waits only on timers or people (or is closed, or was never started).
    Reads the raw description: the SDK cannot decode the Java test server's unset Datetime
    search attributes (it keeps them as null instead of removing them).
    """
    try:
        raw = await client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
            )
        )
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return []
        raise
    busy = [
        f"activity {pending.activity_type.name} ({PendingActivityState.Name(pending.state)}, "
        f"attempt {pending.attempt}"
        + (
            f", last failure: {await client.data_converter.decode_failure(pending.last_failure)}"
            if pending.HasField("last_failure")
            else ""
        )
        + ")"
        for pending in raw.pending_activities
    ]
    if raw.HasField("pending_workflow_task"):
        busy.append(f"workflow task ({raw.pending_workflow_task.state})")
    return busy


async def settled(client: Client, workflow_id: str, within: float = 30) -> None:
    """Wait until the workflow has nothing in flight: every message it has decided to send so
    far went out (an activity completes only after the server took the message), and it now
    waits on a timer or on people. Check that something was *not* sent only after this."""

    async def idle() -> bool:
        return not await in_flight(client, workflow_id)

    await eventually(idle, within=within)
