"""Resolving a complaint: a proposal, the customer's decision, and reopening a resolved one."""

from datetime import datetime
from typing import Literal, Self

from pydantic import Field, model_validator

from domain.behaviour import Switch
from domain.command import CUSTOMER_OR_ADMIN, STAFF, Command, Reason, RequestBody, Text, examples
from domain.complaint import Complaint
from domain.history import Actor, ActorRole, StepKind
from domain.journal import record
from domain.ladder import after_rejection, resolve, start_level_clock
from domain.messages import NotificationKind
from domain.outbox import notify_customer, notify_owner, notify_role
from domain.playbook_runner import run_event
from domain.playbooks import CaseEvent
from domain.status import FOR_APPROVAL, ComplaintStatus


class ResolutionRequest(RequestBody):
    """An agent proposes a resolution to the customer."""

    model_config = examples({"resolution": "Free screen replacement."})

    resolution: Text


class ProposeResolution(ResolutionRequest, Command):
    """An agent proposes a resolution; the level's clock stops while the customer decides.

    Where the policy wants the team leader's approval (seed 004), the reply waits for it first
    and the clock keeps running.
    """

    roles = STAFF
    allowed_in = frozenset({ComplaintStatus.OPEN, ComplaintStatus.PAUSED})
    path = "resolution"
    verbs = ("propose",)
    text_field, text_default = "resolution", "a resolution"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.pending_resolution = self.resolution
        needs_approval = complaint.handling in complaint.policy.approval_tiers
        if needs_approval and complaint.follows(Switch.REPLY_APPROVAL):
            complaint.status = ComplaintStatus.AWAITING_APPROVAL
            why = FOR_APPROVAL
            step = record(
                complaint, at, self.by, StepKind.RESOLUTION_PROPOSED, why, self.resolution
            )
            notify_role(
                complaint, step, NotificationKind.APPROVAL_REQUESTED, "team_leader", self.resolution
            )
            return
        step = record(complaint, at, self.by, StepKind.RESOLUTION_PROPOSED, text=self.resolution)
        offer_to_customer(complaint, at, step)


def offer_to_customer(complaint: Complaint, at: datetime, step: int) -> None:
    """The resolution goes to the customer: the clock stops while they decide."""
    complaint.status = ComplaintStatus.AWAITING_CUSTOMER
    complaint.clock = complaint.clock.pause(at)
    complaint.decision_due_at = complaint.after(at, complaint.policy.customer_decision_window)
    reminder = complaint.policy.decision_reminder_after
    if reminder is not None and complaint.follows(Switch.DECISION_REMINDERS):
        remind_at = complaint.after(at, reminder)
        complaint.decision_reminder_at = (
            remind_at if remind_at < complaint.decision_due_at else None
        )
    notify_customer(
        complaint, step, NotificationKind.RESOLUTION_PROPOSED, complaint.pending_resolution
    )


class FeedbackRequest(RequestBody):
    """The customer accepts or rejects the proposed resolution; a rejection must say why."""

    model_config = examples({"decision": "reject", "reason": "Still broken."})

    decision: Literal["accept", "reject"]
    reason: Reason | None = Field(default=None, description="Required when rejecting")

    @model_validator(mode="after")
    def _rejection_has_reason(self) -> Self:
        if self.decision == "reject" and self.reason is None:
            raise ValueError("say why the resolution is rejected (reason)")
        return self


class CustomerFeedback(FeedbackRequest, Command):
    """The customer accepts (resolved) or rejects (escalated at once) the proposed resolution."""

    roles = CUSTOMER_OR_ADMIN
    allowed_in = frozenset({ComplaintStatus.AWAITING_CUSTOMER})
    path = "feedback"
    verbs = ("accept", "reject")
    simulated_by = ActorRole.CUSTOMER

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        if verb == "accept":
            return cls.model_construct(by=by, decision="accept", reason=text)
        return cls.model_construct(by=by, decision="reject", reason=text or "not satisfied")

    @property
    def action(self) -> str:
        return self.decision

    def apply(self, complaint: Complaint, at: datetime) -> None:
        if self.decision == "accept":
            complaint.decision_reminder_at = None
            record(complaint, at, self.by, StepKind.ACCEPTED, text=self.reason)
            resolve(complaint, at, self.by, reason="the customer accepted the resolution")
            return
        reason = self.reason or ""
        complaint.status = ComplaintStatus.OPEN
        complaint.decision_due_at = complaint.decision_reminder_at = None
        rejected, complaint.pending_resolution = complaint.pending_resolution, None
        step = record(complaint, at, self.by, StepKind.REJECTED, reason=reason, text=rejected)
        why = f"customer rejected the resolution: {reason}"
        after_rejection(complaint, at, self.by, step, why)
        for case in list(complaint.cases.values()):
            if case.active:
                run_event(complaint, case, CaseEvent.REJECTED, at, why)


class ReopenRequest(RequestBody):
    """The customer reopens a resolved complaint."""

    model_config = examples({"reason": "The fault came back."})

    reason: Reason


class Reopen(ReopenRequest, Command):
    """The customer reopens a resolved complaint at the level it had, with a fresh window."""

    roles = CUSTOMER_OR_ADMIN
    allowed_in = frozenset({ComplaintStatus.RESOLVED})
    path = "reopen"
    verbs = ("reopen",)
    simulated_by = ActorRole.CUSTOMER
    text_field, text_default = "reason", "the problem is back"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.status = ComplaintStatus.OPEN
        start_level_clock(complaint, at)
        complaint.resolved_at = complaint.reopen_until = None
        step = record(complaint, at, self.by, StepKind.REOPENED, reason=self.reason)
        notify_owner(complaint, step, NotificationKind.ASSIGNED, reason=f"reopened: {self.reason}")
