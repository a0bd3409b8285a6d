"""Request bodies of the reviews seed 004 asks for: reply approval, third-level assessment."""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.commands import Reason, Text
from domain.complaint_state import EXAMPLE_ASSESSMENT


class ReplyApprovalRequest(BaseModel):
    """The team leader approves the handler's reply, or refuses it with a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve"},
                {"decision": "refuse", "reason": "Offer a replacement."},
            ]
        },
    )

    decision: Literal["approve", "refuse"]
    reason: Reason | None = Field(default=None, description="Required when refusing")

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> Self:
        if self.decision == "refuse" and self.reason is None:
            raise ValueError("say why the reply is refused (reason)")
        return self


class AssessmentRequest(BaseModel):
    """The third-level manager's three answers (seed 004)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [EXAMPLE_ASSESSMENT]},
    )

    company_responsible: bool = Field(description="Is the company responsible?")
    first_handling_appropriate: bool = Field(description="Was the first handling appropriate?")
    appeal_reasonable: bool = Field(description="Is the customer's appeal reasonable?")
    notes: Text | None = None
