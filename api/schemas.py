"""Request bodies of the complaint actions; responses are the domain's ComplaintView."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.commands import FeedbackDecision, Reason, Text

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ResolutionRequest(BaseModel):
    """An agent proposes a resolution to the customer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"agent": "Priya", "resolution": "Free screen replacement."}]
        },
    )

    agent: PersonName = Field(description="Who proposes it")
    resolution: Text


class FeedbackRequest(FeedbackDecision):
    """The customer accepts or rejects the proposed resolution."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decision": "reject", "reason": "Still broken."}]},
    )


class NoteRequest(BaseModel):
    """A note on the complaint's history."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"author": "Priya", "text": "Called the customer."}]},
    )

    author: PersonName
    author_role: Literal["agent", "supervisor", "customer"] = "agent"
    text: Text


class PauseRequest(BaseModel):
    """An agent stops the clock while waiting on the customer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"agent": "Priya", "reason": "Asked for the invoice."}]},
    )

    agent: PersonName
    reason: Reason


class ResumeRequest(BaseModel):
    """The clock runs again with exactly the time that was left."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"agent": "Priya", "reason": "Invoice received."}]},
    )

    agent: PersonName
    reason: Reason | None = None


class ContactRequest(BaseModel):
    """The customer contacted us again about the same matter."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "Called, third time."}]}
    )

    note: Text | None = None


class SupervisorRequest(BaseModel):
    """The customer on the line asks for a supervisor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"agent": "Priya", "reason": "Wants a refund now."}]},
    )

    agent: PersonName
    reason: Reason


class SupervisorJoinedRequest(BaseModel):
    """The supervisor took the call."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"supervisor": "Ana"}]}
    )

    supervisor: PersonName


class ReopenRequest(BaseModel):
    """The customer reopens a resolved complaint."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "The fault came back."}]}
    )

    reason: Reason


class IntakePending(BaseModel):
    """The complaint is filed and durable, but its workflow has not confirmed the deadline yet."""

    id: str
    detail: str


class ErrorDetail(BaseModel):
    """Why a request was refused, in words a person can act on."""

    detail: str
