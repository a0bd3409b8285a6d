"""What a complaint's history is made of: who acted and each step it took."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.cases import EXAMPLE_ESCALATION_RECORD, EscalationRecord
from domain.schema_examples import enum_examples


@enum_examples("agent")
class ActorRole(StrEnum):
    SYSTEM = "system"
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Actor(BaseModel):
    """Who did something."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"examples": [{"role": "agent", "name": "Priya"}]}
    )

    role: ActorRole
    name: str = Field(min_length=1, max_length=200)


class Assignee(BaseModel):
    """The person a complaint is assigned to, whatever their role: who they are (`sub`, the
    token's subject or the API key's name) and what people call them."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"examples": [{"sub": "priya", "name": "Priya"}]}
    )

    sub: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


ENGINE = Actor(role=ActorRole.SYSTEM, name="escalation engine")
TEMPORAL_OPERATOR = Actor(role=ActorRole.SYSTEM, name="Temporal operator")
"""Someone acting from the Temporal UI or CLI, whom Temporal does not name to the workflow."""


@enum_examples("escalated", "case_promised")
class StepKind(StrEnum):
    OPENED = "opened"
    WARNED = "warned"
    BREACHED = "breached"
    ESCALATED = "escalated"
    REALERTED = "realerted"
    RESOLUTION_PROPOSED = "resolution_proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    PAUSED = "paused"
    RESUMED = "resumed"
    CONTACTED = "contacted"
    REASSIGNED = "reassigned"
    SUPERVISOR_REQUESTED = "supervisor_requested"
    HOLD_REMINDER = "hold_reminder"
    SUPERVISOR_JOINED = "supervisor_joined"
    SUPERVISOR_MISSED = "supervisor_missed"
    CLOSED = "closed"
    NOTE_ADDED = "note_added"
    REPLY_APPROVED = "reply_approved"
    REPLY_REFUSED = "reply_refused"
    DECISION_REMINDED = "decision_reminded"
    ASSESSED = "assessed"
    ACCOUNTABILITY_OPENED = "accountability_opened"
    CASE_OPENED = "case_opened"
    CASE_ASKED = "case_asked"
    CASE_PROMISED = "case_promised"
    CASE_ESCALATED = "case_escalated"
    CASE_TASK = "case_task"
    CUSTOMER_TOLD = "customer_told"
    CASE_ANSWERED = "case_answered"
    CASE_EVENT = "case_event"
    CASE_SILENT = "case_silent"
    PROMISE_MISSED = "promise_missed"
    FOLLOW_UP = "follow_up"
    CASE_DONE = "case_done"
    NOTIFIED = "notified"
    NOTIFICATION_SKIPPED = "notification_skipped"
    NOTIFICATION_FAILED = "notification_failed"
    NOTIFICATION_HELD = "notification_held"
    UNDELIVERED = "undelivered"
    CANCEL_REFUSED = "cancel_refused"
    ASSIGNED = "assigned"
    RELEASED = "released"
    NEW_ROUND = "new_round"


DELIVERY_STEPS = frozenset(
    {
        StepKind.NOTIFIED,
        StepKind.NOTIFICATION_SKIPPED,
        StepKind.NOTIFICATION_FAILED,
        StepKind.NOTIFICATION_HELD,
        StepKind.UNDELIVERED,
    }
)
"""What became of a message: the record of a delivery, not a change of the complaint."""


class Step(BaseModel):
    """One entry of the history: who did what, when, at which level, and why."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "seq": 5,
                    "at": "2026-11-23T17:05:00Z",
                    "actor": {"role": "agent", "name": "Priya"},
                    "kind": "note_added",
                    "level": 1,
                    "reason": None,
                    "text": "Called the customer: SAT Norte promised a call by Wednesday.",
                    "case": None,
                    "record": None,
                    "internal": False,
                    "assignee": None,
                },
                {
                    "seq": 11,
                    "at": "2026-11-26T16:05:00Z",
                    "actor": {"role": "system", "name": "escalation engine"},
                    "kind": "case_escalated",
                    "level": 2,
                    "reason": "escalated to supervisor: promise_missed: the promise to the "
                    "customer (72 hours) was not kept",
                    "text": None,
                    "case": "no_diagnosis",
                    "record": EXAMPLE_ESCALATION_RECORD,
                    "internal": False,
                    "assignee": None,
                },
            ]
        },
    )

    seq: int
    at: datetime
    actor: Actor
    kind: StepKind
    level: int
    reason: str | None = None
    text: str | None = None
    case: str | None = None
    """The case type whose playbook took this step."""
    record: EscalationRecord | None = None
    """For an escalation: what the supervisor (or other role) receives."""
    internal: bool = False
    """Staff only (an internal note): the customer's view leaves it out."""
    assignee: Assignee | None = None
    """For `assigned`: who holds the complaint now; for `released`: who held it."""
