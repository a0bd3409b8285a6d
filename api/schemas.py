"""Request bodies of the complaint actions; responses are the domain's ComplaintView.

Who acts is never in a body: it is the authenticated caller (`api.auth`).
"""

from pydantic import BaseModel, ConfigDict

from domain.commands import FeedbackDecision, Reason, Text


class ResolutionRequest(BaseModel):
    """An agent proposes a resolution to the customer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"resolution": "Free screen replacement."}]},
    )

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
        json_schema_extra={"examples": [{"text": "Called the customer."}]},
    )

    text: Text


class PauseRequest(BaseModel):
    """An agent stops the clock while waiting on the customer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Asked for the invoice."}]},
    )

    reason: Reason


class ResumeRequest(BaseModel):
    """The clock runs again with exactly the time that was left."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Invoice received."}]},
    )

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
        json_schema_extra={"examples": [{"reason": "Wants a refund now."}]},
    )

    reason: Reason


class ReopenRequest(BaseModel):
    """The customer reopens a resolved complaint."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "The fault came back."}]}
    )

    reason: Reason


class IntakePending(BaseModel):
    """The complaint is filed and durable, but its workflow has not confirmed the deadline yet."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f9c2a7be41d0c55",
                    "detail": "filed; GET /complaints/3f9c2a7be41d0c55 shows its deadline once "
                    "confirmed (a repeat about the same product joins the customer's open "
                    "complaint instead)",
                }
            ]
        }
    )

    id: str
    detail: str


class ErrorDetail(BaseModel):
    """Why a request was refused, in words a person can act on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"detail": "cannot accept: no resolution is awaiting the customer's decision"}
            ]
        }
    )

    detail: str


class EscalationRequest(BaseModel):
    """A supervisor moves the complaint up a level now."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Customer threatens to go to Profeco."}]},
    )

    reason: Reason
