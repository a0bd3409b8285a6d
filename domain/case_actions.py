"""What staff do with playbooks (seed 003): flag a case, record the asked party's answer or an
event of the case."""

import shlex
from collections.abc import Collection
from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from domain.cases import CaseFlag, CaseNotValid, CaseType, FieldValue
from domain.command import STAFF, Command, RequestBody, Text, examples
from domain.complaint import Complaint
from domain.history import Actor, StepKind
from domain.journal import record
from domain.playbook_runner import run_event, start_case
from domain.playbooks import CaseEvent, EventName, FieldName, Playbook
from domain.policy import EscalationPolicy
from domain.status import ACTIVE, ActionNotAllowed


class CaseFlagRequest(RequestBody):
    """An agent flags a case type (legal threat, injury, parts unavailable, ...)."""

    model_config = examples(
        {
            "case_type": "no_diagnosis",
            "fields": {"service_centre": "SAT Norte", "service_order": "SO-4411"},
            "description": "Unit at the centre for three weeks, no diagnosis yet.",
        }
    )

    case_type: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=60, description="A playbook of the policy"
    )
    fields: dict[FieldName, FieldValue] = Field(
        default_factory=dict, description="The facts the playbook asks for"
    )
    description: Text | None = Field(default=None, description="Details for the escalation record")


def playbook_for(policy: EscalationPolicy, flag: CaseFlag) -> Playbook:
    """The playbook a flag starts; CaseNotValid, naming the field, unless the flag fits it."""
    playbook = policy.playbooks.get(flag.case_type)
    if playbook is None:
        known = ", ".join(sorted(policy.playbooks)) or "none"
        raise CaseNotValid(
            f"policy {policy.name} has no playbook {flag.case_type!r}; known: {known}", "case_type"
        )
    flag.checked_against(playbook)
    return playbook


def parse_case_flag(text: str) -> CaseFlag:
    """`no_diagnosis service_centre="SAT Norte" service_order=SO-1` as a case flag."""
    case_type, *pairs = shlex.split(text) or [""]
    fields = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise ValueError(f"case field {pair!r}: write it as name=value")
        fields[name] = value
    return CaseFlag(case_type=case_type, fields=fields)


class FlagCase(Command):
    """Start a case type's playbook at once: its clocks run beside the escalation ladder."""

    flag: CaseFlag

    roles = STAFF
    allowed_in = ACTIVE
    path = "cases"
    tag = "cases"
    verbs = ("flag",)

    @classmethod
    def request_body(cls) -> type[BaseModel]:
        return CaseFlagRequest

    @classmethod
    def from_request(cls, body: BaseModel | None, by: Actor, **path: str) -> Self:
        assert isinstance(body, CaseFlagRequest)
        return cls(by=by, flag=CaseFlag.model_validate(body.model_dump()))

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        return cls(by=by, flag=parse_case_flag(text or ""))

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        self.playbook(complaint)

    def playbook(self, complaint: Complaint) -> Playbook:
        """The flag's playbook; ActionNotAllowed or CaseNotValid say why it cannot start now."""
        case_type = self.flag.case_type
        running = complaint.cases.get(case_type)
        if case_type in complaint.policy.playbooks and running is not None and running.active:
            raise ActionNotAllowed(
                f"cannot flag {case_type}: its playbook runs since {running.opened_at.isoformat()}"
            )
        return playbook_for(complaint.policy, self.flag)

    def apply(self, complaint: Complaint, at: datetime) -> None:
        start_case(complaint, at, self.by, self.flag)


class CaseCommand(Command):
    """A command about one case flagged earlier and still running."""

    case_type: CaseType

    roles = STAFF
    allowed_in = ACTIVE
    label = "update case"
    tag = "cases"

    @staticmethod
    def case_and_words(text: str | None) -> tuple[str, list[str]]:
        """A simulator event's text: the case type first, then the command's own words."""
        case_type, *words = shlex.split(text or "") or [""]
        return case_type, words

    def check(self, complaint: Complaint) -> None:
        """Besides the status: a case of this type is flagged and still running."""
        super().check(complaint)
        case = complaint.cases.get(self.case_type)
        if case is None:
            raise ActionNotAllowed(f"no {self.case_type} case is flagged on this complaint")
        if not case.active:
            raise ActionNotAllowed(f"the {self.case_type} case is done since {case.done_at}")


class CaseAnswerRequest(RequestBody):
    """The party the playbook asked (service centre, retailer) answered."""

    model_config = examples(
        {
            "answer": "The box was crushed in transport; packing was inadequate.",
            "outcome": "transport_damage",
        }
    )

    answer: Text
    outcome: FieldName | None = Field(default=None, description="One of the playbook's outcomes")


class AnswerCase(CaseAnswerRequest, CaseCommand):
    """The service centre (or retailer) answered: its clock stops and the playbook goes on."""

    path = "cases/{case_type}/answer"
    verbs = ("answer",)

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        """`<case type> [outcome=<outcome>] <answer>`."""
        case_type, words = cls.case_and_words(text)
        outcome = None
        if words and words[0].startswith("outcome="):
            outcome = words.pop(0).removeprefix("outcome=")
        answer = " ".join(words) or "answered"
        return cls.model_construct(by=by, case_type=case_type, answer=answer, outcome=outcome)

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if complaint.cases[self.case_type].asked is None:
            raise ActionNotAllowed(f"the {self.case_type} playbook asked nobody for an answer")
        if self.outcome is not None:
            outcomes = complaint.policy.playbooks[self.case_type].outcomes
            _ensure_known(self.case_type, "outcome", self.outcome, outcomes)

    def apply(self, complaint: Complaint, at: datetime) -> None:
        case, outcome = complaint.cases[self.case_type], self.outcome
        case.answer, case.outcome, case.answer_due = self.answer, outcome, None
        why = f"{case.asked} answered" + (f": {outcome}" if outcome else "")
        record(complaint, at, self.by, StepKind.CASE_ANSWERED, why, self.answer, self.case_type)
        run_event(complaint, case, CaseEvent.ANSWERED, at, why)
        if outcome is not None and case.active:
            run_event(complaint, case, f"{CaseEvent.ANSWERED}:{outcome}", at, why)


class CaseEventRequest(RequestBody):
    """Something the playbook reacts to happened."""

    model_config = examples({"event": "claim", "note": "Asks for compensation."})

    event: EventName = Field(description="One of the playbook's events")
    note: Text | None = None


class RecordCaseEvent(CaseEventRequest, CaseCommand):
    """Record an event of the playbook (a claim, a refusal, parts arrived): it acts at once."""

    path = "cases/{case_type}/events"
    verbs = ("case",)

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        """`<case type> <event> [note]`."""
        case_type, words = cls.case_and_words(text)
        if not words:
            raise ValueError("give the case type and its event: case <case type> <event>")
        event, *note = words
        return cls.model_construct(
            by=by, case_type=case_type, event=event, note=" ".join(note) or None
        )

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        declared = complaint.policy.playbooks[self.case_type].events
        _ensure_known(self.case_type, "event", self.event, declared)

    def apply(self, complaint: Complaint, at: datetime) -> None:
        case = complaint.cases[self.case_type]
        meaning = complaint.policy.playbooks[self.case_type].events[self.event]
        why = f"{self.event}: {meaning}"
        record(complaint, at, self.by, StepKind.CASE_EVENT, why, self.note, self.case_type)
        run_event(complaint, case, self.event, at, meaning)


def _ensure_known(case_type: str, field: str, value: str, known: Collection[str]) -> None:
    """CaseNotValid, naming `field`, unless the playbook knows `value`."""
    if value not in known:
        listed = ", ".join(known) or "none"
        raise CaseNotValid(f"{case_type}: unknown {field} {value!r}; known: {listed}", field)
