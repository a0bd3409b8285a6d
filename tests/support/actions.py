"""People acting on a running complaint workflow, as the API would."""

from typing import Literal

from temporalio.client import Client

from api.routers.complaints import routed, send_filing
from domain.command import Command
from domain.commands import CustomerFeedback, ProposeResolution
from domain.policy import EscalationPolicy
from domain.view import Acknowledgement, ComplaintView
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake
from tests.support.workflows import ComplaintHandle
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart, Filing, FilingOutcome


async def send(handle: ComplaintHandle, command: Command) -> ComplaintView:
    """Send a command as the API does: the update named after it, then read the complaint as
    the command left it."""
    done = await handle.execute_update(command.update_name(), command, result_type=Acknowledgement)
    view = await handle.query(ComplaintWorkflow.view)
    return view.model_copy(update={"history": view.history[: done.steps]})


async def propose(handle: ComplaintHandle, resolution: str = "Repair") -> ComplaintView:
    return await send(handle, ProposeResolution(by=AGENT, resolution=resolution))


async def answer(
    handle: ComplaintHandle, decision: Literal["accept", "reject"], reason: str | None = None
) -> ComplaintView:
    return await send(handle, CustomerFeedback(by=CUSTOMER, decision=decision, reason=reason))


async def file_with_matter(
    client: Client,
    task_queue: str,
    matter: str,
    complaint_id: str,
    policy: EscalationPolicy = SEED_MATRIX,
) -> FilingOutcome:
    """File as the API does: signal-with-start the matter, ask where the filing went, and wait
    until a complaint it starts exists (the matter answers as it decides to start one)."""
    filing = Filing(
        start=ComplaintStart(complaint_id=complaint_id, intake=sample_intake(), policy=policy),
        by=CUSTOMER,
    )
    handle = await send_filing(client, task_queue, matter, filing)
    return await routed(client, handle, complaint_id)


async def resolve(client: Client, complaint_id: str) -> ComplaintHandle:
    """Propose a resolution and have the customer accept it."""
    handle = client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))
    await propose(handle)
    await answer(handle, "accept")
    return handle
