"""People acting on a running complaint workflow, as the API would."""

from typing import Literal

from domain.commands import CustomerFeedback, ProposeResolution
from domain.complaint import ComplaintView
from tests.conftest import ComplaintHandle
from tests.samples import AGENT, CUSTOMER
from workflows.complaint import ComplaintWorkflow


async def propose(handle: ComplaintHandle, resolution: str = "Repair") -> ComplaintView:
    return await handle.execute_update(
        ComplaintWorkflow.propose_resolution, ProposeResolution(by=AGENT, resolution=resolution)
    )


async def answer(
    handle: ComplaintHandle, decision: Literal["accept", "reject"], reason: str | None = None
) -> ComplaintView:
    return await handle.execute_update(
        ComplaintWorkflow.customer_feedback,
        CustomerFeedback(by=CUSTOMER, decision=decision, reason=reason),
    )
