"""A playbook running on a complaint: its clocks, follow-ups and escalation records."""

from datetime import date, datetime, time, tzinfo
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict

from domain.durations import Duration
from domain.playbooks import FieldName, Playbook

CaseType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
FieldValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

EXAMPLE_CASE_FLAG: JsonDict = {
    "case_type": "no_diagnosis",
    "fields": {"service_centre": "SAT Norte", "service_order": "SO-4411"},
    "description": "Unit at SAT Norte since 2 November.",
}
EXAMPLE_ESCALATION_RECORD: JsonDict = {
    "ticket": "3f9c2a7be41d0c55",
    "case_type": "no_diagnosis",
    "case_title": "El centro de servicio no ha dado diagnóstico",
    "escalated_to": "supervisor",
    "at": "2026-11-26T16:05:00Z",
    "why": "promise_missed: the promise to the customer (72 hours) was not kept",
    "customer_name": "Lucía Hernández",
    "customer_email": "lucia@example.mx",
    "customer_phone": "+525512345678",
    "customer_address": "Av. Reforma 1, CDMX",
    "customer_company": None,
    "recorded_by": ["agent", "Priya"],
    "product": "Dedica EC685",
    "description": "The service centre has had my machine for three weeks without a diagnosis."
    "\n\nUnit at SAT Norte since 2 November.",
    "fields": {"service_centre": "SAT Norte", "service_order": "SO-4411"},
    "promise": "72 hours",
    "promise_due": None,
    "asked": "service_centre",
    "answer": None,
}
EXAMPLE_FOLLOW_UP: JsonDict = {
    "due": "2026-12-03T16:05:00Z",
    "every": {"kind": "elapsed", "length": "P7D", "shortest": None, "text": "7 days"},
    "notify": "agent",
    "text": "ask your supervisor for the escalation's status (weekly)",
}


LATEST_CASE_DATE = date(9998, 12, 31)
"""A playbook's timings count from its date fields: from a later date they would run past the
calendar's end (9999-12-31), and the workflow could not compute them."""


class CaseNotValid(ValueError):
    """A case, answer or event its playbook cannot take; `field` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class CaseFlag(BaseModel):
    """An agent flags a case type on a complaint: its playbook starts at once."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra={"examples": [EXAMPLE_CASE_FLAG]}
    )

    case_type: CaseType
    fields: dict[FieldName, FieldValue] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=5000)

    def checked_against(self, playbook: Playbook) -> Self:
        """Raise CaseNotValid unless the flag has exactly the playbook's fields, dates as dates."""
        missing = sorted(set(playbook.fields) - set(self.fields))
        unknown = sorted(set(self.fields) - set(playbook.fields))
        if missing:
            raise CaseNotValid(f"{self.case_type}: give the fields {missing}", "fields")
        if unknown:
            raise CaseNotValid(
                f"{self.case_type}: unknown fields {unknown}; known: {sorted(playbook.fields)}",
                "fields",
            )
        for name in sorted(playbook.date_fields):
            given = self.fields[name]
            try:
                day: date | None = date.fromisoformat(given)
            except ValueError:
                day = None
            if day is None or day > LATEST_CASE_DATE:
                raise CaseNotValid(
                    f"{self.case_type}: {name} must be a date like 2026-11-24, no later than "
                    f"{LATEST_CASE_DATE} (timings count from it), got {given!r}",
                    "fields",
                )
        return self


class EscalationRecord(BaseModel):
    """What the escalation spreadsheet of seed 003 held, one per escalation."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"examples": [EXAMPLE_ESCALATION_RECORD]}
    )

    ticket: str
    case_type: str
    case_title: str
    escalated_to: str
    at: datetime
    why: str
    customer_name: str
    customer_email: str | None
    customer_phone: str | None
    customer_address: str | None = None
    """Seed 003 8a: the service centre gets the address too (records before it have none)."""
    customer_company: str | None = None
    recorded_by: tuple[str, str | None] | None = None
    """Who recorded the complaint and signed for it (seed 004): role and name."""
    product: str
    description: str
    fields: dict[str, str]
    promise: str | None = None
    promise_due: datetime | None = None
    asked: str | None = None
    answer: str | None = None


class PendingFollowUp(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [EXAMPLE_FOLLOW_UP]})

    due: datetime
    every: Duration | None
    notify: str
    text: str


class PendingEvent(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [{"due": "2026-12-19T05:59:00Z", "event": "amazon_overdue"}]
        },
    )

    due: datetime
    event: str


class LevelHold(BaseModel):
    """A case's promise to the customer, or the deadline its asked party was given, holding the
    level's clock (`Switch.PROMISE_HOLDS_LEVEL`): the level does not breach, warn or re-alert
    before `until`, the latest such end so far, or the moment one of them was missed."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "until": "2026-12-13T16:00:00Z",
                    "case_type": "parts_unavailable",
                    "by": "the promise to the customer of 15-20 days",
                    "missed": False,
                }
            ]
        },
    )

    until: datetime
    case_type: str
    by: str = Field(description="What holds the level, in words")
    missed: bool = Field(
        default=False, description="It ended early: a case's promise or asked party missed it"
    )


class CaseRun(BaseModel):
    """One case type's playbook on one complaint."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **EXAMPLE_CASE_FLAG,
                    "title": "El centro de servicio no ha dado diagnóstico",
                    "opened_at": "2026-11-23T16:05:00Z",
                    "asked": "service_centre",
                    "answer_due": None,
                    "answer": None,
                    "outcome": None,
                    "promise": "72 hours",
                    "promise_due": None,
                    "follow_ups": [EXAMPLE_FOLLOW_UP],
                    "scheduled": [],
                    "escalations": [EXAMPLE_ESCALATION_RECORD],
                    "done_at": None,
                }
            ]
        }
    )

    case_type: str
    title: str
    fields: dict[str, str]
    description: str | None = None
    opened_at: datetime
    asked: str | None = None
    """The role asked for an answer (service centre, retailer), if any."""
    answer_due: datetime | None = None
    answer: str | None = None
    outcome: str | None = None
    promise: str | None = None
    promise_due: datetime | None = None
    follow_ups: list[PendingFollowUp] = []
    scheduled: list[PendingEvent] = []
    escalations: list[EscalationRecord] = []
    done_at: datetime | None = None

    @model_validator(mode="after")
    def _sorted(self) -> Self:
        self.follow_ups.sort(key=lambda item: item.due)
        self.scheduled.sort(key=lambda item: item.due)
        return self

    @property
    def active(self) -> bool:
        return self.done_at is None

    def next_due(self) -> datetime | None:
        """The case's next own moment: an answer or promise deadline, follow-up or event."""
        if not self.active:
            return None
        moments = [
            self.answer_due,
            self.promise_due,
            *(item.due for item in self.follow_ups[:1]),
            *(item.due for item in self.scheduled[:1]),
        ]
        return min((moment for moment in moments if moment is not None), default=None)

    def settle(self, at: datetime) -> None:
        """The case is done: every clock and follow-up stops."""
        self.done_at = at
        self.answer_due = self.promise_due = None
        self.follow_ups = []
        self.scheduled = []

    def date_field(self, name: str, zone: tzinfo) -> datetime:
        """A date field as the end of that day in `zone`: `5 business days since` a request
        made on a Friday ends at the close of the fifth working day after it."""
        return datetime.combine(date.fromisoformat(self.fields[name]), time(23, 59), tzinfo=zone)
