"""What staff do to the ladder by hand: pause and resume its clock, escalate, add a note."""

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from domain.behaviour import Switch
from domain.cases import CaseType
from domain.command import (
    ANYONE,
    STAFF,
    SUPERVISORS,
    Command,
    Reason,
    RequestBody,
    Route,
    Text,
    examples,
)
from domain.complaint import Complaint
from domain.history import TEMPORAL_OPERATOR, Actor, ActorRole, StepKind
from domain.journal import record
from domain.ladder import escalate
from domain.status import ACTIVE, ActionNotAllowed, ComplaintStatus


class PauseRequest(RequestBody):
    """An agent stops the clock while waiting on the customer."""

    model_config = examples({"reason": "Asked for the invoice."})

    reason: Reason


class Pause(PauseRequest, Command):
    """Stop the level's clock while waiting on the customer; the reason is recorded."""

    roles = STAFF
    allowed_in = frozenset({ComplaintStatus.OPEN})
    why_not: ClassVar[Mapping[ComplaintStatus, str]] = {
        ComplaintStatus.AWAITING_CUSTOMER: "the clock already stopped for a decision"
    }
    path = "pause"
    verbs = ("pause",)
    text_field, text_default = "reason", "waiting on the customer"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.status = ComplaintStatus.PAUSED
        complaint.clock = complaint.clock.pause(at)
        record(complaint, at, self.by, StepKind.PAUSED, reason=self.reason)


class ResumeRequest(RequestBody):
    """The clock runs again with exactly the time that was left."""

    model_config = examples({"reason": "Invoice received."})

    reason: Reason | None = None


class Resume(ResumeRequest, Command):
    """Run the clock again with exactly the time that was left (business time where it counts);
    at a breached top, the alerts go on."""

    roles = STAFF
    allowed_in = frozenset({ComplaintStatus.PAUSED})
    why_not: ClassVar[Mapping[ComplaintStatus, str]] = {
        ComplaintStatus.OPEN: "the clock is running"
    }
    path = "resume"
    verbs = ("resume",)
    text_field = "reason"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.status = ComplaintStatus.OPEN
        complaint.clock = complaint.clock.resume(at)
        if complaint.next_alert_at is not None:
            complaint.next_alert_at = complaint.after(at, complaint.policy.realert_interval)
        record(complaint, at, self.by, StepKind.RESUMED, reason=self.reason)


class EscalationRequest(RequestBody):
    """A supervisor moves the complaint up a level now."""

    model_config = examples({"reason": "Customer threatens to go to Profeco."})

    reason: Reason


class Escalate(EscalationRequest, Command):
    """Move the complaint up a level now, with the reason (the next level gets a fresh window);
    a pause ends."""

    roles = SUPERVISORS
    allowed_in = frozenset({ComplaintStatus.OPEN, ComplaintStatus.PAUSED})
    path = "escalation"
    verbs = ("escalate",)
    simulated_by = ActorRole.SUPERVISOR
    text_field, text_default = "reason", "escalated by hand"

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if complaint.at_top:
            raise ActionNotAllowed(
                f"cannot escalate: {complaint.current_level.name} is the last level; "
                "its owner is alerted until the complaint is resolved"
            )

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.status = ComplaintStatus.OPEN
        escalate(complaint, at, self.by, reason=f"escalated by {self.by.name}: {self.reason}")


class NoteRequest(RequestBody):
    """A note on the complaint's history."""

    model_config = examples(
        {"text": "Called the customer."}, {"text": "Sent the label.", "internal": False}
    )

    text: Text
    internal: bool | None = Field(
        default=None,
        description="Hidden from the customer; staff notes are internal unless `false`, a "
        "customer's never",
    )


class AddNote(NoteRequest, Command):
    """Add a note to the complaint's history, signed by the caller; notes never change the
    ladder."""

    case_type: CaseType | None = Field(default=None, description="The case the note is about")

    roles = ANYONE
    allowed_in = frozenset({*ACTIVE, ComplaintStatus.RESOLVED})
    path = "notes"
    route_name = "add_note"
    verbs = ("note",)
    text_field, text_default = "text", "note"

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if self.case_type is not None and self.case_type not in complaint.cases:
            raise ActionNotAllowed(f"cannot add a note: no {self.case_type} case is flagged")

    def apply(self, complaint: Complaint, at: datetime) -> None:
        kind, case = StepKind.NOTE_ADDED, self.case_type
        record(
            complaint,
            at,
            self.by,
            kind,
            text=self.text,
            case=case,
            internal=self._internal(complaint),
        )

    def _internal(self, complaint: Complaint) -> bool:
        if self.by.role is ActorRole.CUSTOMER or not complaint.follows(Switch.INTERNAL_NOTES):
            return False
        return self.internal if self.internal is not None else True


class CaseNoteRequest(RequestBody):
    """A note about one case: what the centre said on the phone, what was promised."""

    model_config = examples({"text": "Centre says parts ship Friday."})

    text: Text
    internal: bool | None = Field(default=None, description="Internal unless `false`")


def _case_note(body: BaseModel | None, by: Actor, case_type: str) -> Command:
    assert isinstance(body, CaseNoteRequest)
    return AddNote(by=by, text=body.text, internal=body.internal, case_type=case_type)


CASE_NOTE = Route(
    name="add_case_note",
    path="cases/{case_type}/notes",
    body=CaseNoteRequest,
    roles=STAFF,  # narrower than AddNote's: customers note the complaint, staff its cases
    build=_case_note,
    description='Add a note to the history, linked to the case (the seed\'s "leave notes" on '
    "every step).",
    updates=(AddNote.update_name(),),
    tag="cases",
)


CANCEL_REFUSED = (
    "a cancellation request sent through Temporal was refused: complaints end through the "
    "complaints API (a resolution the customer accepts, or a closure), which records who acted"
)


def refuse_cancellation(complaint: Complaint, at: datetime) -> None:
    """Record, for staff only, that someone asked Temporal to cancel the complaint's workflow."""
    record(complaint, at, TEMPORAL_OPERATOR, StepKind.CANCEL_REFUSED, CANCEL_REFUSED, internal=True)
