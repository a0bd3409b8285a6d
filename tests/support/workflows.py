"""Handles on running complaints, and waiting for what a workflow has done."""

from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import WorkflowHandle

from domain.complaint import ComplaintView
from harness.waiting import eventually
from workflows.complaint import ComplaintWorkflow

ComplaintHandle = WorkflowHandle[ComplaintWorkflow, ComplaintView]
StartComplaint = Callable[..., Awaitable[ComplaintHandle]]


async def view_when(handle: ComplaintHandle, condition: Any) -> ComplaintView:
    """The workflow's state once `condition(view)` holds."""

    async def probe() -> ComplaintView | None:
        view = await handle.query(ComplaintWorkflow.view)
        return view if condition(view) else None

    return await eventually(probe)
