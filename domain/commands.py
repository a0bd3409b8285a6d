"""What people ask a complaint to do; each is validated before it reaches the complaint."""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.cases import CaseFlag, CaseType
from domain.complaint_state import Assessment
from domain.history import Actor
from domain.playbooks import EventName, FieldName

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class ProposeResolution(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    resolution: Text


class FeedbackDecision(BaseModel):
    """The customer's answer to a proposed resolution; a rejection must say why."""

    model_config = ConfigDict(frozen=True)

    decision: Literal["accept", "reject"]
    reason: Reason | None = Field(default=None, description="Required when rejecting")

    @model_validator(mode="after")
    def _rejection_has_reason(self) -> Self:
        if self.decision == "reject" and self.reason is None:
            raise ValueError("say why the resolution is rejected (reason)")
        return self


class CustomerFeedback(FeedbackDecision):
    by: Actor


class AddNote(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    text: Text
    case_type: CaseType | None = Field(default=None, description="The case the note is about")


class Reopen(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason


class Pause(BaseModel):
    """Stop the clock while waiting on the customer."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason


class Resume(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason | None = None


class RecordContact(BaseModel):
    """The customer contacted us again about the same matter."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    note: Text | None = None


class RequestSupervisor(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason


class SupervisorJoined(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor


class FlagCase(BaseModel):
    """Start a case type's playbook on the complaint."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    flag: CaseFlag


class AnswerCase(BaseModel):
    """The party a playbook asked (service centre, retailer) answered."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    case_type: CaseType
    answer: Text
    outcome: FieldName | None = None


class RecordCaseEvent(BaseModel):
    """Something the playbook reacts to happened (a claim, a refusal, parts arrived)."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    case_type: CaseType
    event: EventName
    note: Text | None = None


class Escalate(BaseModel):
    """Move the complaint up a level now, by hand."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason


class ApproveReply(BaseModel):
    """The team leader lets the handler's reply go to the customer."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    comment: Text | None = None


class RefuseReply(BaseModel):
    """The team leader stops the handler's reply; the reason goes back to the handler."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    reason: Reason


class Assess(BaseModel):
    """The third-level manager's assessment."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    assessment: Assessment
