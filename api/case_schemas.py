"""Request bodies of the playbook actions: flag a case, record an answer or an event."""

from pydantic import BaseModel, ConfigDict, Field

from domain.cases import FieldValue
from domain.commands import Text
from domain.playbooks import EventName, FieldName


class CaseFlagRequest(BaseModel):
    """An agent flags a case type (legal threat, injury, parts unavailable, ...)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_type": "no_diagnosis",
                    "fields": {"service_centre": "SAT Norte", "service_order": "SO-4411"},
                    "description": "Unit at the centre for three weeks, no diagnosis yet.",
                }
            ]
        },
    )

    case_type: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=60, description="A playbook of the policy"
    )
    fields: dict[FieldName, FieldValue] = Field(
        default_factory=dict, description="The facts the playbook asks for"
    )
    description: Text | None = Field(default=None, description="Details for the escalation record")


class CaseAnswerRequest(BaseModel):
    """The party the playbook asked (service centre, retailer) answered."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answer": "The box was crushed in transport; packing was inadequate.",
                    "outcome": "transport_damage",
                }
            ]
        },
    )

    answer: Text
    outcome: FieldName | None = Field(default=None, description="One of the playbook's outcomes")


class CaseEventRequest(BaseModel):
    """Something the playbook reacts to happened."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event": "claim", "note": "Asks for compensation."}]},
    )

    event: EventName = Field(description="One of the playbook's events")
    note: Text | None = None


class CaseNoteRequest(BaseModel):
    """A note about one case: what the centre said on the phone, what was promised."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Centre says parts ship Friday."}]},
    )

    text: Text
