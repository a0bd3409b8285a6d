"""A complaint's timeline under a policy, computed without Temporal by the workflow's own logic."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import BusinessCalendar
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.commands import VERBS
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import Actor, ActorRole, Step, StepKind
from domain.intake import ComplaintIntake
from domain.ladder import advance, next_due_at
from domain.policy import EscalationPolicy

SIMULATED = {
    role: Actor(role=role, name=role.value)
    for role in (ActorRole.AGENT, ActorRole.CUSTOMER, ActorRole.SUPERVISOR)
}
"""Who does what in a simulation: each verb's command says which role."""
MAX_STEPS = 10_000


class TimelineEvent(StrEnum):
    """Output vocabulary, fixed: one per kind of step on the ladder."""

    OPENED = "opened"
    WARNING = "warning"
    BREACHED = "breached"
    ESCALATED = "escalated"
    REALERT = "realert"
    PAUSED = "paused"
    RESUMED = "resumed"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    NOTE = "note"
    CONTACTED = "contacted"
    REASSIGNED = "reassigned"
    SUPERVISOR_REQUESTED = "supervisor_requested"
    HOLD_REMINDER = "hold_reminder"
    SUPERVISOR_JOINED = "supervisor_joined"
    SUPERVISOR_MISSED = "supervisor_missed"
    REPLY_APPROVED = "reply_approved"
    REPLY_REFUSED = "reply_refused"
    DECISION_REMINDER = "decision_reminder"
    CASE_OPENED = "case_opened"
    ASKED = "asked"
    PROMISED = "promised"
    CASE_ESCALATED = "case_escalated"
    TASK = "task"
    TOLD_CUSTOMER = "told_customer"
    ANSWERED = "answered"
    CASE_EVENT = "case_event"
    SILENT = "silent"
    PROMISE_MISSED = "promise_missed"
    FOLLOW_UP = "follow_up"
    CASE_DONE = "case_done"


_EVENT_OF_STEP: dict[StepKind, TimelineEvent] = {
    StepKind.OPENED: TimelineEvent.OPENED,
    StepKind.WARNED: TimelineEvent.WARNING,
    StepKind.BREACHED: TimelineEvent.BREACHED,
    StepKind.ESCALATED: TimelineEvent.ESCALATED,
    StepKind.REALERTED: TimelineEvent.REALERT,
    StepKind.PAUSED: TimelineEvent.PAUSED,
    StepKind.RESUMED: TimelineEvent.RESUMED,
    StepKind.RESOLUTION_PROPOSED: TimelineEvent.PROPOSED,
    StepKind.ACCEPTED: TimelineEvent.ACCEPTED,
    StepKind.REJECTED: TimelineEvent.REJECTED,
    StepKind.RESOLVED: TimelineEvent.RESOLVED,
    StepKind.REOPENED: TimelineEvent.REOPENED,
    StepKind.CLOSED: TimelineEvent.CLOSED,
    StepKind.NOTE_ADDED: TimelineEvent.NOTE,
    StepKind.CONTACTED: TimelineEvent.CONTACTED,
    StepKind.REASSIGNED: TimelineEvent.REASSIGNED,
    StepKind.SUPERVISOR_REQUESTED: TimelineEvent.SUPERVISOR_REQUESTED,
    StepKind.HOLD_REMINDER: TimelineEvent.HOLD_REMINDER,
    StepKind.SUPERVISOR_JOINED: TimelineEvent.SUPERVISOR_JOINED,
    StepKind.SUPERVISOR_MISSED: TimelineEvent.SUPERVISOR_MISSED,
    StepKind.REPLY_APPROVED: TimelineEvent.REPLY_APPROVED,
    StepKind.REPLY_REFUSED: TimelineEvent.REPLY_REFUSED,
    StepKind.DECISION_REMINDED: TimelineEvent.DECISION_REMINDER,
    StepKind.CASE_OPENED: TimelineEvent.CASE_OPENED,
    StepKind.CASE_ASKED: TimelineEvent.ASKED,
    StepKind.CASE_PROMISED: TimelineEvent.PROMISED,
    StepKind.CASE_ESCALATED: TimelineEvent.CASE_ESCALATED,
    StepKind.CASE_TASK: TimelineEvent.TASK,
    StepKind.CUSTOMER_TOLD: TimelineEvent.TOLD_CUSTOMER,
    StepKind.CASE_ANSWERED: TimelineEvent.ANSWERED,
    StepKind.CASE_EVENT: TimelineEvent.CASE_EVENT,
    StepKind.CASE_SILENT: TimelineEvent.SILENT,
    StepKind.PROMISE_MISSED: TimelineEvent.PROMISE_MISSED,
    StepKind.FOLLOW_UP: TimelineEvent.FOLLOW_UP,
    StepKind.CASE_DONE: TimelineEvent.CASE_DONE,
}


class InputEvent(BaseModel):
    """Something a person does at a moment: `2026-11-14T10:00:00-06:00 pause waiting for photos`."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    action: str = Field(description="A verb of `domain.commands.VERBS`")
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
    event: TimelineEvent
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
        event = _EVENT_OF_STEP.get(step.kind)
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
    return timeline(complaint.history, policy, calendar)


def _story_told(complaint: Complaint, until: datetime | None) -> bool:
    if until is not None:
        return False
    return complaint.closed or any(step.kind is StepKind.REALERTED for step in complaint.history)
