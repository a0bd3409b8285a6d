"""A complaint's timeline under a policy, computed without Temporal by the workflow's own logic."""

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.calendar import BusinessCalendar
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.commands import VERBS
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import DELIVERY_STEPS, Actor, ActorRole, Step, StepKind
from domain.intake import ComplaintIntake
from domain.ladder import advance, next_due_at
from domain.policy import EscalationPolicy

SIMULATED = {
    role: Actor(role=role, name=role.value)
    for role in (ActorRole.AGENT, ActorRole.CUSTOMER, ActorRole.SUPERVISOR)
}
"""Who does what in a simulation: each verb's command says which role."""
MAX_STEPS = 10_000


RENAMED_ON_THE_TIMELINE = {
    StepKind.WARNED: "warning",
    StepKind.REALERTED: "realert",
    StepKind.RESOLUTION_PROPOSED: "proposed",
    StepKind.NOTE_ADDED: "note",
    StepKind.DECISION_REMINDED: "decision_reminder",
    StepKind.CASE_ASKED: "asked",
    StepKind.CASE_PROMISED: "promised",
    StepKind.CASE_TASK: "task",
    StepKind.CUSTOMER_TOLD: "told_customer",
    StepKind.CASE_ANSWERED: "answered",
    StepKind.CASE_SILENT: "silent",
}
OFF_THE_TIMELINE = DELIVERY_STEPS | {StepKind.ASSESSED, StepKind.ACCOUNTABILITY_OPENED}
TIMELINE_EVENTS: dict[StepKind, str] = {
    kind: RENAMED_ON_THE_TIMELINE.get(kind, kind.value)
    for kind in StepKind
    if kind not in OFF_THE_TIMELINE
}
"""The output vocabulary, fixed: one event per kind of step on the ladder (deliveries, the
assessment and accountability are not timeline events)."""


def _known_verb(action: str) -> str:
    if action not in VERBS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(VERBS)}")
    return action


class InputEvent(BaseModel):
    """Something a person does at a moment: `2026-11-14T10:00:00-06:00 pause waiting for photos`."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    action: Annotated[str, AfterValidator(_known_verb)] = Field(
        description="A verb of `domain.commands.VERBS`"
    )
    text: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Self:
        moment, _, rest = spec.strip().partition(" ")
        action, _, text = rest.strip().partition(" ")
        try:
            at = datetime.fromisoformat(moment)
        except ValueError:
            raise ValueError(f"event {spec!r}: {moment!r} is not an ISO 8601 time") from None
        if at.tzinfo is None:
            raise ValueError(f"event {spec!r}: give the time with its offset, e.g. -06:00")
        if action not in VERBS:
            known = ", ".join(VERBS)
            raise ValueError(f"event {spec!r}: unknown action {action!r}; known: {known}")
        return cls(at=at, action=action, text=text.strip() or None)


class TimelineEntry(BaseModel):
    """One line of the timeline."""

    at: datetime
    level: str = Field(description="L1, L2, ...")
    event: str = Field(description="One of the values of TIMELINE_EVENTS")
    owner_role: str
    case: str | None = Field(default=None, description="The playbook that took the step")
    reason: str | None = None
    text: str | None = None


def timeline(
    steps: list[Step], policy: EscalationPolicy, calendar: BusinessCalendar | None
) -> list[TimelineEntry]:
    """The ladder steps of a history (deliveries left out), in the calendar's local time."""
    zone = calendar.zone if calendar else None
    entries = []
    for step in steps:
        event = TIMELINE_EVENTS.get(step.kind)
        if event is None:
            continue
        level = policy.level(step.level)
        entries.append(
            TimelineEntry(
                at=step.at.astimezone(zone) if zone else step.at,
                level=level.code,
                event=event,
                owner_role=level.owner_role,
                case=step.case,
                reason=step.reason,
                text=step.text,
            )
        )
    return entries


def simulate(
    intake: ComplaintIntake,
    policy: EscalationPolicy,
    calendar: BusinessCalendar | None,
    opened: datetime,
    events: list[InputEvent],
    until: datetime | None = None,
    case: CaseFlag | None = None,
) -> list[TimelineEntry]:
    """The timeline the workflow would record: events at their times, everything due in between.

    Without `until`, it stops after the last level's first breach and one re-alert (or when the
    complaint closes). What falls due at the very moment of an event is acted on first.
    """
    complaint = simulated_complaint(intake, policy, calendar, opened, events, until, case)
    return timeline(complaint.history, policy, calendar)


def simulated_complaint(
    intake: ComplaintIntake,
    policy: EscalationPolicy,
    calendar: BusinessCalendar | None,
    opened: datetime,
    events: list[InputEvent],
    until: datetime | None = None,
    case: CaseFlag | None = None,
) -> Complaint:
    """The complaint `simulate` drives, with its history and every message it owed (`outbox`)."""
    complaint = open_complaint("simulated", intake, policy, opened, calendar)
    if case is not None:
        FlagCase(by=SIMULATED[ActorRole.AGENT], flag=case).act(complaint, opened)
    for event in sorted(events, key=lambda e: e.at):
        if until is not None and event.at > until:
            break
        advance(complaint, event.at)
        VERBS[event.action].command_for(event.text, SIMULATED).act(complaint, event.at)
    for _ in range(MAX_STEPS):
        due = next_due_at(complaint)
        if due is None or (until is not None and due > until) or _story_told(complaint, until):
            break
        advance(complaint, due)
    return complaint


def _story_told(complaint: Complaint, until: datetime | None) -> bool:
    if until is not None:
        return False
    return complaint.closed or any(step.kind is StepKind.REALERTED for step in complaint.history)
