"""Reviews of seed 004: the team leader approves replies, the third level assesses."""

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from domain.assessment import EXAMPLE_ASSESSMENT, AccountabilityRecord, Assessment
from domain.command import SUPERVISORS, Command, Reason, RequestBody, Route, Text, examples
from domain.complaint import Complaint
from domain.history import ENGINE, Actor, ActorRole, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_role
from domain.playbooks import HandlingTier
from domain.resolution import offer_to_customer
from domain.status import ACTIVE, ActionNotAllowed, ComplaintStatus

_HANDLERS = {ActorRole.AGENT, ActorRole.SUPERVISOR}
_NO_REPLY_AWAITS = {
    status: "no reply awaits the team leader's approval" for status in ComplaintStatus
}


class ApproveReply(Command):
    """The team leader approves the reply: it goes to the customer now."""

    comment: Text | None = None

    roles = SUPERVISORS
    allowed_in = frozenset({ComplaintStatus.AWAITING_APPROVAL})
    why_not = _NO_REPLY_AWAITS
    verbs = ("approve",)
    simulated_by = ActorRole.SUPERVISOR
    text_field = "comment"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        step = record(complaint, at, self.by, StepKind.REPLY_APPROVED, text=self.comment)
        offer_to_customer(complaint, at, step)


class RefuseReply(Command):
    """The team leader refuses the reply; the handler works on, the clock still runs."""

    reason: Reason

    roles = SUPERVISORS
    allowed_in = frozenset({ComplaintStatus.AWAITING_APPROVAL})
    why_not = _NO_REPLY_AWAITS
    verbs = ("refuse",)
    simulated_by = ActorRole.SUPERVISOR
    text_field, text_default = "reason", "not good enough"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.status = ComplaintStatus.OPEN
        refused, complaint.pending_resolution = complaint.pending_resolution, None
        step = record(complaint, at, self.by, StepKind.REPLY_REFUSED, self.reason, refused)
        handler = HandlingTier.SPECIALISTS.role
        notify_role(
            complaint, step, NotificationKind.REPLY_REFUSED, handler, self.reason, text=refused
        )


class ReplyApprovalRequest(RequestBody):
    """The team leader approves the handler's reply, or refuses it with a reason."""

    model_config = examples(
        {"decision": "approve"}, {"decision": "refuse", "reason": "Offer a replacement."}
    )

    decision: Literal["approve", "refuse"]
    reason: Reason | None = Field(default=None, description="Required when refusing")

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> Self:
        if self.decision == "refuse" and self.reason is None:
            raise ValueError("say why the reply is refused (reason)")
        return self


def _review(body: BaseModel | None, by: Actor) -> Command:
    assert isinstance(body, ReplyApprovalRequest)
    if body.decision == "approve":
        return ApproveReply(by=by, comment=body.reason)
    return RefuseReply(by=by, reason=body.reason or "")


REPLY_REVIEW = Route(
    name="review_reply",
    path="reply-approval",
    body=ReplyApprovalRequest,
    roles=ApproveReply.roles | RefuseReply.roles,
    build=_review,
    description="Approve the handler's reply (it goes to the customer) or refuse it (back to "
    "work).",
    updates=(ApproveReply.update_name(), RefuseReply.update_name()),
    tag="reviews",
)


class AssessmentRequest(RequestBody):
    """The third-level manager's three answers (seed 004)."""

    model_config = examples(EXAMPLE_ASSESSMENT)

    company_responsible: bool = Field(description="Is the company responsible?")
    first_handling_appropriate: bool = Field(description="Was the first handling appropriate?")
    appeal_reasonable: bool = Field(description="Is the customer's appeal reasonable?")
    notes: Text | None = None


class Assess(Command):
    """Record the third level's assessment; company responsible opens the accountability record."""

    assessment: Assessment

    roles = SUPERVISORS
    allowed_in = ACTIVE
    path = "assessment"
    tag = "reviews"

    @classmethod
    def request_body(cls) -> type[BaseModel]:
        return AssessmentRequest

    @classmethod
    def from_request(cls, body: BaseModel | None, by: Actor, **path: str) -> Self:
        assert isinstance(body, AssessmentRequest)
        return cls(by=by, assessment=Assessment.model_validate(body.model_dump()))

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if complaint.handling is not HandlingTier.THIRD_LEVEL:
            raise ActionNotAllowed(
                f"cannot assess: the {complaint.handling.value} handles this complaint, "
                "not the third-level manager"
            )

    def apply(self, complaint: Complaint, at: datetime) -> None:
        assessment = complaint.assessment = self.assessment
        answers = (
            f"company responsible: {_yes(assessment.company_responsible)}; "
            f"first handling appropriate: {_yes(assessment.first_handling_appropriate)}; "
            f"appeal reasonable: {_yes(assessment.appeal_reasonable)}"
        )
        step = record(complaint, at, self.by, StepKind.ASSESSED, answers, assessment.notes)
        if not assessment.company_responsible or complaint.accountability is not None:
            return
        handlers = sorted(
            {s.actor.name for s in complaint.history if s.actor.role in _HANDLERS and s.seq < step}
        )
        complaint.accountability = AccountabilityRecord(
            opened_at=at,
            assessed_by=self.by.name,
            handlers=handlers,
            first_handling_appropriate=assessment.first_handling_appropriate,
            notes=assessment.notes,
        )
        why = f"the company is responsible; handled by {', '.join(handlers) or 'nobody yet'}"
        step = record(complaint, at, ENGINE, StepKind.ACCOUNTABILITY_OPENED, reason=why)
        notify_role(complaint, step, NotificationKind.ACCOUNTABILITY, "accountability", why)


def _yes(answer: bool) -> str:
    return "yes" if answer else "no"
