"""Reviews of seed 004: the team leader approves replies, the third level assesses."""

from fastapi import APIRouter

from api.auth import UNAUTHORIZED, Supervisor
from api.review_schemas import AssessmentRequest, ReplyApprovalRequest
from api.routers.complaints import RESTRICTED_ACTION_ERRORS, ComplaintId
from api.temporal import TemporalClient, act_on_complaint
from domain.commands import ApproveReply, Assess, RefuseReply
from domain.complaint import ComplaintView
from domain.complaint_state import Assessment
from workflows.complaint import ComplaintWorkflow

router = APIRouter(prefix="/complaints", tags=["reviews"], responses=UNAUTHORIZED)


@router.post(
    "/{complaint_id}/reply-approval",
    response_model=ComplaintView,
    responses=RESTRICTED_ACTION_ERRORS,
)
async def review_reply(
    complaint_id: ComplaintId,
    body: ReplyApprovalRequest,
    client: TemporalClient,
    caller: Supervisor,
) -> ComplaintView:
    """Approve the handler's reply (it goes to the customer) or refuse it (back to work)."""
    leader = caller.actor
    if body.decision == "approve":
        command = ApproveReply(by=leader, comment=body.reason)
        return await act_on_complaint(
            client, complaint_id, ComplaintWorkflow.approve_reply, command
        )
    refusal = RefuseReply(by=leader, reason=body.reason or "")
    return await act_on_complaint(client, complaint_id, ComplaintWorkflow.refuse_reply, refusal)


@router.post(
    "/{complaint_id}/assessment", response_model=ComplaintView, responses=RESTRICTED_ACTION_ERRORS
)
async def assess(
    complaint_id: ComplaintId, body: AssessmentRequest, client: TemporalClient, caller: Supervisor
) -> ComplaintView:
    """Record the third level's assessment; company responsible opens the accountability record."""
    assessment = Assessment(
        company_responsible=body.company_responsible,
        first_handling_appropriate=body.first_handling_appropriate,
        appeal_reasonable=body.appeal_reasonable,
        notes=body.notes,
    )
    command = Assess(by=caller.actor, assessment=assessment)
    return await act_on_complaint(client, complaint_id, ComplaintWorkflow.assess, command)
