"""A complaint's life as a pure state machine: the escalation ladder, its events and its history.

The workflow drives it with real time and sends what lands in the outbox; a simulator can drive it
with any clock. Every method takes the time it happens at and never reads a clock itself.
"""

from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import BusinessCalendar
from domain.cases import (
    CaseFlag,
    CaseNotValid,
    CaseRun,
    EscalationRecord,
    PendingEvent,
    PendingFollowUp,
)
from domain.durations import Duration
from domain.intake import ComplaintIntake
from domain.playbooks import CaseAction, CaseEvent, HandlingTier, Playbook
from domain.policy import Contacts, EscalationPolicy, Level
from domain.sla import SlaClock, due_after


class ComplaintStatus(StrEnum):
    OPEN = "open"
    """Being worked on at a level; its SLA clock runs."""
    PAUSED = "paused"
    """Waiting on the customer (information asked for); the clock is stopped."""
    AWAITING_APPROVAL = "awaiting_approval"
    """A reply waits for the team leader's approval before it reaches the customer (seed 004);
    the clock runs."""
    AWAITING_CUSTOMER = "awaiting_customer"
    """A resolution was proposed; the clock stops while the customer decides."""
    RESOLVED = "resolved"
    """The customer accepted (or did not answer in time); can still be reopened."""
    CLOSED = "closed"
    """Final."""


class ActorRole(StrEnum):
    SYSTEM = "system"
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Actor(BaseModel):
    """Who did something."""

    model_config = ConfigDict(frozen=True)

    role: ActorRole
    name: str = Field(min_length=1, max_length=200)


ENGINE = Actor(role=ActorRole.SYSTEM, name="escalation engine")


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


class Step(BaseModel):
    """One entry of the history: who did what, when, at which level, and why."""

    model_config = ConfigDict(frozen=True)

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


class NotificationKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    """To the customer: we have your complaint, here is when to expect an answer."""
    ASSIGNED = "assigned"
    """To a level's owner: a complaint reached (or came back to) your level."""
    SLA_WARNING = "sla_warning"
    """To a level's owner: a share of the window has passed (policy `warnings`)."""
    BREACH_ALERT = "breach_alert"
    """To the last level's owner: its window ran out; repeats until resolved."""
    RESOLUTION_PROPOSED = "resolution_proposed"
    """To the customer: here is our resolution, accept or reject it."""
    RESOLVED = "resolved"
    """To the customer: the complaint is resolved and how long it can be reopened."""
    REPEAT_CONTACT = "repeat_contact"
    """To the role that now handles a complaint the customer keeps contacting us about."""
    SUPERVISOR_REQUESTED = "supervisor_requested"
    """To the supervisor, urgent: a customer on the line asks for you."""
    HOLD_REMINDER = "hold_reminder"
    """To the agent: refresh the customer's hold, the supervisor has not joined yet."""
    SUPERVISOR_MISSED = "supervisor_missed"
    """To the supervisor: the customer waited the policy's limit and the call was not taken."""
    APPROVAL_REQUESTED = "approval_requested"
    """To the team leader: approve or refuse the handler's reply before the customer sees it."""
    REPLY_REFUSED = "reply_refused"
    """To the handler: the team leader refused the reply, and why."""
    DECISION_REMINDER = "decision_reminder"
    """To the customer and the owner: a proposed resolution is still unanswered."""
    ACCOUNTABILITY = "accountability"
    """To the accountability role: the third level found the company responsible."""
    CASE_REQUEST = "case_request"
    """To a service centre or retailer: the playbook asks for an answer (status, diagnosis)."""
    CASE_PROMISE = "case_promise"
    """To the customer: what the playbook promises (`72 hours`, `15-20 days`) and by when."""
    CASE_ESCALATION = "case_escalation"
    """To a supervisor or manager: the case's escalation record."""
    CASE_TASK = "case_task"
    """To the agent (or another role): what to do now, or a scheduled follow-up."""
    INJURY_CLAIM = "injury_claim"
    """To the customer: seed 003's template after an injury or damage claim."""
    NOT_COVERED = "not_covered"
    """To the customer: the damage is not covered, with the service centre's explanation."""
    RETAILER_CONTACTS = "retailer_contacts"
    """To the customer: where to turn at the authorised retailer."""


class Recipient(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    name: str
    email: str | None


class Notification(BaseModel):
    """A message the complaint owes someone; `step` is the history entry that caused it."""

    model_config = ConfigDict(frozen=True)

    step: int
    kind: NotificationKind
    recipient: Recipient
    level: int
    deadline: datetime | None = None
    reason: str | None = None
    resolution: str | None = None
    """The proposed resolution, for the customer's message."""
    promise: str | None = None
    """A promised range (`3-5 business days`) to tell the customer; the deadline is its end."""
    case: str | None = None
    text: str | None = None
    """What a task or follow-up asks for, or what the customer is told."""
    record: EscalationRecord | None = None


class Action(StrEnum):
    """Things people do to a complaint."""

    PROPOSE_RESOLUTION = "propose_resolution"
    ACCEPT = "accept"
    REJECT = "reject"
    ADD_NOTE = "add_note"
    REOPEN = "reopen"
    PAUSE = "pause"
    RESUME = "resume"
    RECORD_CONTACT = "record_contact"
    REQUEST_SUPERVISOR = "request_supervisor"
    APPROVE_REPLY = "approve_reply"
    REFUSE_REPLY = "refuse_reply"
    ASSESS = "assess"
    FLAG_CASE = "flag_case"
    UPDATE_CASE = "update_case"


_STAFF = {ActorRole.AGENT, ActorRole.SUPERVISOR}


def _yes(answer: bool) -> str:
    return "yes" if answer else "no"


class ActionNotAllowed(Exception):
    """The complaint's state does not allow this action now; the message says why."""


_ACTIVE = {
    ComplaintStatus.OPEN,
    ComplaintStatus.PAUSED,
    ComplaintStatus.AWAITING_APPROVAL,
    ComplaintStatus.AWAITING_CUSTOMER,
}
_CLOCK_RUNS = {ComplaintStatus.OPEN, ComplaintStatus.AWAITING_APPROVAL}

_ALLOWED: dict[Action, set[ComplaintStatus]] = {
    Action.PROPOSE_RESOLUTION: {ComplaintStatus.OPEN, ComplaintStatus.PAUSED},
    Action.ACCEPT: {ComplaintStatus.AWAITING_CUSTOMER},
    Action.REJECT: {ComplaintStatus.AWAITING_CUSTOMER},
    Action.ADD_NOTE: {*_ACTIVE, ComplaintStatus.RESOLVED},
    Action.REOPEN: {ComplaintStatus.RESOLVED},
    Action.PAUSE: {ComplaintStatus.OPEN},
    Action.RESUME: {ComplaintStatus.PAUSED},
    Action.RECORD_CONTACT: _ACTIVE,
    Action.REQUEST_SUPERVISOR: _ACTIVE,
    Action.APPROVE_REPLY: {ComplaintStatus.AWAITING_APPROVAL},
    Action.REFUSE_REPLY: {ComplaintStatus.AWAITING_APPROVAL},
    Action.ASSESS: _ACTIVE,
    Action.FLAG_CASE: _ACTIVE,
    Action.UPDATE_CASE: _ACTIVE,
}

_WHY_NOT_FOR: dict[tuple[Action, ComplaintStatus], str] = {
    (Action.RESUME, ComplaintStatus.OPEN): "the clock is running",
    (Action.PAUSE, ComplaintStatus.AWAITING_CUSTOMER): "the clock already stopped for a decision",
    **{
        (action, status): "no reply awaits the team leader's approval"
        for action in (Action.APPROVE_REPLY, Action.REFUSE_REPLY)
        for status in ComplaintStatus
        if status is not ComplaintStatus.AWAITING_APPROVAL
    },
}

_WHY_NOT: dict[ComplaintStatus, str] = {
    ComplaintStatus.OPEN: "no resolution is awaiting the customer's decision",
    ComplaintStatus.PAUSED: "the complaint is paused, waiting on the customer; resume it first",
    ComplaintStatus.AWAITING_APPROVAL: "a reply is awaiting the team leader's approval",
    ComplaintStatus.AWAITING_CUSTOMER: "a resolution is already awaiting the customer's decision",
    ComplaintStatus.RESOLVED: "the complaint is resolved; reopen it first",
    ComplaintStatus.CLOSED: "the complaint is closed",
}


REVISION = 3
"""The engine's behaviour revision: 3 adds reply approval and decision reminders. A complaint keeps
the revision it started with, so histories recorded before replay unchanged."""


class Assessment(BaseModel):
    """The third level's three questions (seed 004)."""

    model_config = ConfigDict(frozen=True)

    company_responsible: bool
    first_handling_appropriate: bool
    appeal_reasonable: bool
    notes: str | None = Field(default=None, max_length=5000)


class AccountabilityRecord(BaseModel):
    """Opened when the third level finds the company responsible: who handled it, and how."""

    model_config = ConfigDict(frozen=True)

    opened_at: datetime
    assessed_by: str
    handlers: list[str] = Field(description="Everyone who acted on the complaint before")
    first_handling_appropriate: bool
    notes: str | None = None


class ComplaintView(BaseModel):
    """The live state shown to people: level, owner, deadline and the full history."""

    id: str
    status: ComplaintStatus
    level: int
    level_name: str
    owner_role: str
    deadline: datetime | None = Field(
        description="When the current level breaches; None while paused"
    )
    sla_paused_remaining_seconds: float | None = Field(
        description="While the clock is stopped: exactly how much of the window is left"
    )
    breached: bool = Field(description="The current level's window has run out")
    next_alert_at: datetime | None
    decision_due_at: datetime | None
    reopen_until: datetime | None
    opened_at: datetime
    resolved_at: datetime | None
    pending_resolution: str | None
    contacts: int = Field(description="Contacts about the same matter, the filing included")
    handling: HandlingTier = Field(description="Who handles it, by the number of contacts")
    supervisor_requested_at: datetime | None = Field(
        description="Set while a customer waits on hold for a supervisor"
    )
    cases: list[CaseRun] = Field(description="Playbooks flagged on the complaint, oldest first")
    assessment: Assessment | None = Field(description="The third level's latest assessment")
    accountability: AccountabilityRecord | None
    policy_name: str
    policy_version: str
    intake: ComplaintIntake
    history: list[Step]


class Complaint(BaseModel):
    """A complaint's whole state. Mutable; every change is recorded in `history`."""

    id: str
    intake: ComplaintIntake
    policy: EscalationPolicy
    calendar: BusinessCalendar | None = None
    """The country calendar business-time windows run in; None when the policy has none."""
    opened_at: datetime
    status: ComplaintStatus = ComplaintStatus.OPEN
    level: int = 1
    clock: SlaClock
    next_alert_at: datetime | None = None
    warned: tuple[float, ...] = ()
    """Warning thresholds already sent for the current level's window."""
    decision_due_at: datetime | None = None
    pending_resolution: str | None = None
    resolved_at: datetime | None = None
    reopen_until: datetime | None = None
    contacts: int = 1
    handling: HandlingTier = HandlingTier.FRONTLINE
    supervisor_requested_at: datetime | None = None
    hold_reminder_at: datetime | None = None
    cases: dict[str, CaseRun] = {}
    """Playbooks running (or done) on this complaint, by case type."""
    decision_reminder_at: datetime | None = None
    assessment: Assessment | None = None
    accountability: AccountabilityRecord | None = None
    revision: int = 2
    """Behaviour revision the complaint started with (REVISION for new ones)."""
    history: list[Step] = []
    outbox: list[Notification] = []

    @classmethod
    def open(
        cls,
        complaint_id: str,
        intake: ComplaintIntake,
        policy: EscalationPolicy,
        at: datetime,
        calendar: BusinessCalendar | None = None,
        revision: int = REVISION,
        earlier_filings: int = 0,
    ) -> Self:
        """File a complaint at level 1: acknowledge the customer and tell the level's owner.

        `earlier_filings` about the same matter within the policy's repeat window count as
        contacts, so a customer who keeps coming back reaches specialists and managers.
        """
        complaint = cls(
            id=complaint_id,
            revision=revision,
            intake=intake,
            policy=policy,
            calendar=calendar,
            opened_at=at,
            clock=SlaClock.start(policy.level(1).resolution_window, at, calendar),
        )
        step = complaint._record(at, ENGINE, StepKind.OPENED, reason=f"filed via {intake.channel}")
        complaint._notify_customer(step, NotificationKind.ACKNOWLEDGEMENT)
        complaint._notify_owner(step, NotificationKind.ASSIGNED, reason="new complaint")
        if earlier_filings:
            complaint.contacts = earlier_filings
            note = f"{earlier_filings} earlier filing(s) about the same matter"
            complaint.record_contact(at, ENGINE, note)
        return complaint

    # --- what the ladder looks like now ---------------------------------------------------------

    @property
    def current_level(self) -> Level:
        return self.policy.level(self.level)

    @property
    def at_top(self) -> bool:
        return self.level == self.policy.top

    @property
    def closed(self) -> bool:
        return self.status is ComplaintStatus.CLOSED

    def next_due_at(self) -> datetime | None:
        """The next moment the complaint acts on its own (warning, breach, re-alert, ...)."""
        moments = (self._next_ladder_due(), self._next_hold_due(), self._next_case_due())
        return min((moment for moment in moments if moment is not None), default=None)

    def _next_case_due(self) -> datetime | None:
        """The earliest moment a playbook acts: an answer or promise deadline, a follow-up."""
        moments = (case.next_due() for case in self.cases.values())
        return min((moment for moment in moments if moment is not None), default=None)

    def _next_hold_due(self) -> datetime | None:
        """The next hold reminder, or the moment the supervisor call is given up."""
        give_up = self._supervisor_give_up_at()
        if give_up is None or self.hold_reminder_at is None:
            return None
        return min(self.hold_reminder_at, give_up)

    def _supervisor_give_up_at(self) -> datetime | None:
        """When a supervisor call nobody takes is given up; None without one."""
        if self.supervisor_requested_at is None:
            return None
        return self._after(self.supervisor_requested_at, self.policy.supervisor_call.give_up_after)

    def _next_ladder_due(self) -> datetime | None:
        match self.status:
            case ComplaintStatus.OPEN | ComplaintStatus.AWAITING_APPROVAL:
                ladder = self.next_alert_at or self.clock.deadline
                warning = self._next_warning()
                return min(warning[1], ladder) if warning and ladder else ladder
            case ComplaintStatus.AWAITING_CUSTOMER:
                return self.decision_reminder_at or self.decision_due_at
            case ComplaintStatus.RESOLVED:
                return self.reopen_until
            case ComplaintStatus.PAUSED | ComplaintStatus.CLOSED:
                return None

    def _next_warning(self) -> tuple[float, datetime] | None:
        """The next warning threshold not yet sent for this window, and when it falls due."""
        if self.next_alert_at is not None:
            return None
        for threshold in self.policy.warnings:
            if threshold not in self.warned:
                at = self.clock.moment_used(self.clock.window * threshold)
                return (threshold, at) if at else None
        return None

    # --- time passing -----------------------------------------------------------------------

    def advance(self, now: datetime) -> None:
        """Act on everything that has fallen due by `now`, each at the moment it fell due."""
        while (due := self.next_due_at()) is not None and due <= now:
            if due == self._next_hold_due():
                self._hold_due(due)
                continue
            if due == self._next_case_due():
                self._case_due(due)
                continue
            warning = self._next_warning()
            clock_runs = self.status in _CLOCK_RUNS
            match self.status:
                case _ if clock_runs and warning and warning[1] == due:
                    self._warn(warning[0], due)
                case _ if clock_runs and self.next_alert_at is not None:
                    self._realert(due, now)
                case _ if clock_runs:
                    self._breach(due)
                case ComplaintStatus.AWAITING_CUSTOMER if due == self.decision_reminder_at:
                    self._remind_decision(due)
                case ComplaintStatus.AWAITING_CUSTOMER:
                    self._resolve(due, ENGINE, reason="the customer did not answer in time")
                case ComplaintStatus.RESOLVED:
                    self.status = ComplaintStatus.CLOSED
                    self._record(due, ENGINE, StepKind.CLOSED, reason="reopen window ended")

    def _hold_due(self, at: datetime) -> None:
        """Remind the agent to refresh the hold, or give the call up at the policy's limit."""
        give_up = self._supervisor_give_up_at()
        assert self.supervisor_requested_at is not None and give_up is not None
        call = self.policy.supervisor_call
        if at >= give_up:
            why = f"the customer waited {call.give_up_after} and no supervisor joined"
            step = self._record(at, ENGINE, StepKind.SUPERVISOR_MISSED, reason=why)
            self._notify_role(step, NotificationKind.SUPERVISOR_MISSED, "supervisor", why)
            self.supervisor_requested_at = self.hold_reminder_at = None
            return
        since = self.supervisor_requested_at.astimezone(self._zone).isoformat(timespec="minutes")
        why = f"refresh the customer's hold: waiting for a supervisor since {since}"
        step = self._record(at, ENGINE, StepKind.HOLD_REMINDER, reason=why)
        self._notify_role(step, NotificationKind.HOLD_REMINDER, "agent", why)
        self.hold_reminder_at = self._after(at, call.refresh_hold_every)

    def _warn(self, threshold: float, at: datetime) -> None:
        self.warned = (*self.warned, threshold)
        level = self.current_level
        why = f"{threshold:.0%} of the {level.code} window of {level.resolution_window} has passed"
        step = self._record(at, ENGINE, StepKind.WARNED, reason=why)
        self._notify_owner(step, NotificationKind.SLA_WARNING, reason=why)

    def _breach(self, at: datetime) -> None:
        level = self.current_level
        self._record(
            at,
            ENGINE,
            StepKind.BREACHED,
            reason=f"{level.code} window of {level.resolution_window} ran out",
        )
        if self.at_top:
            self.next_alert_at = self._after(at, self.policy.realert_interval)
            step = self.history[-1].seq
            self._notify_owner(
                step, NotificationKind.BREACH_ALERT, reason="resolution window ran out"
            )
        else:
            self._escalate(at, ENGINE, reason=f"{level.code} deadline breached")

    def _realert(self, due: datetime, now: datetime) -> None:
        """Alert the last level again; alerts missed while nothing ran collapse into one."""
        step = self._record(
            due, ENGINE, StepKind.REALERTED, reason="still unresolved after the deadline"
        )
        self._notify_owner(
            step, NotificationKind.BREACH_ALERT, reason="still unresolved after the deadline"
        )
        following = self._after(due, self.policy.realert_interval)
        while following <= now:
            following = self._after(following, self.policy.realert_interval)
        self.next_alert_at = following

    def _escalate(self, at: datetime, actor: Actor, reason: str) -> None:
        self.level += 1
        self._start_level_clock(at)
        self.next_alert_at = None
        step = self._record(at, actor, StepKind.ESCALATED, reason=reason)
        self._notify_owner(step, NotificationKind.ASSIGNED, reason=reason)

    def _restart_top(self, at: datetime, step: int, reason: str) -> None:
        """At the last level there is nowhere to go: a new round there with a fresh window."""
        self._start_level_clock(at)
        self.next_alert_at = None
        self._notify_owner(step, NotificationKind.ASSIGNED, reason=reason)

    def _resolve(self, at: datetime, actor: Actor, reason: str) -> None:
        self.status = ComplaintStatus.RESOLVED
        self.next_alert_at = None
        self.resolved_at = at
        self.reopen_until = self._after(at, self.policy.reopen_window)
        self.decision_due_at = None
        step = self._record(
            at, actor, StepKind.RESOLVED, reason=reason, text=self.pending_resolution
        )
        self._notify_customer(step, NotificationKind.RESOLVED)
        for case in self.cases.values():
            if case.active:
                case.settle(at)
                self._record(
                    at,
                    ENGINE,
                    StepKind.CASE_DONE,
                    reason="the complaint is resolved",
                    case=case.case_type,
                )

    # --- what people do -----------------------------------------------------------------------

    def ensure_allowed(self, action: Action) -> None:
        """Raise ActionNotAllowed, with the reason, unless `action` fits the current state."""
        if self.status not in _ALLOWED[action]:
            why = _WHY_NOT_FOR.get((action, self.status), _WHY_NOT[self.status])
            raise ActionNotAllowed(f"cannot {action.value.replace('_', ' ')}: {why}")

    def propose_resolution(self, at: datetime, actor: Actor, resolution: str) -> None:
        """An agent offers a resolution; the level's clock stops while the customer decides.

        Where the policy wants the team leader's approval (seed 004), the reply waits for it
        first and the clock keeps running.
        """
        self.ensure_allowed(Action.PROPOSE_RESOLUTION)
        self.pending_resolution = resolution
        if self.revision >= 3 and self.handling in self.policy.approval_tiers:
            self.status = ComplaintStatus.AWAITING_APPROVAL
            why = "the team leader approves replies to repeat complaints first"
            step = self._record(
                at, actor, StepKind.RESOLUTION_PROPOSED, reason=why, text=resolution
            )
            self._notify_role(step, NotificationKind.APPROVAL_REQUESTED, "team_leader", resolution)
            return
        step = self._record(at, actor, StepKind.RESOLUTION_PROPOSED, text=resolution)
        self._offer_to_customer(at, step)

    def _offer_to_customer(self, at: datetime, step: int) -> None:
        self.status = ComplaintStatus.AWAITING_CUSTOMER
        self.clock = self.clock.pause(at)
        self.decision_due_at = self._after(at, self.policy.customer_decision_window)
        reminder = self.policy.decision_reminder_after
        if self.revision >= 3 and reminder is not None:
            remind_at = self._after(at, reminder)
            self.decision_reminder_at = remind_at if remind_at < self.decision_due_at else None
        self._notify_customer(
            step, NotificationKind.RESOLUTION_PROPOSED, resolution=self.pending_resolution
        )

    def approve_reply(self, at: datetime, actor: Actor, comment: str | None = None) -> None:
        """The team leader approves the reply: it goes to the customer now."""
        self.ensure_allowed(Action.APPROVE_REPLY)
        step = self._record(at, actor, StepKind.REPLY_APPROVED, text=comment)
        self._offer_to_customer(at, step)

    def refuse_reply(self, at: datetime, actor: Actor, reason: str) -> None:
        """The team leader refuses the reply; the handler works on, the clock still runs."""
        self.ensure_allowed(Action.REFUSE_REPLY)
        self.status = ComplaintStatus.OPEN
        refused, self.pending_resolution = self.pending_resolution, None
        step = self._record(at, actor, StepKind.REPLY_REFUSED, reason=reason, text=refused)
        handler = HandlingTier.SPECIALISTS.value
        self._notify_role(step, NotificationKind.REPLY_REFUSED, handler, reason, text=refused)

    def _remind_decision(self, at: datetime) -> None:
        self.decision_reminder_at = None
        assert self.decision_due_at is not None
        why = (
            f"the proposed resolution stands at {self.decision_due_at.isoformat()} unless answered"
        )
        step = self._record(at, ENGINE, StepKind.DECISION_REMINDED, reason=why)
        self._notify_customer(
            step, NotificationKind.DECISION_REMINDER, resolution=self.pending_resolution
        )
        self._notify_owner(step, NotificationKind.DECISION_REMINDER, reason=why)

    def ensure_third_level(self) -> None:
        """Raise ActionNotAllowed unless the third-level manager handles the complaint."""
        self.ensure_allowed(Action.ASSESS)
        if self.handling is not HandlingTier.THIRD_LEVEL:
            raise ActionNotAllowed(
                f"cannot assess: the {self.handling.value} handles this complaint, "
                "not the third-level manager"
            )

    def assess(self, at: datetime, actor: Actor, assessment: Assessment) -> None:
        """The third level's three answers; company responsible opens the accountability record."""
        self.ensure_third_level()
        self.assessment = assessment
        answers = (
            f"company responsible: {_yes(assessment.company_responsible)}; "
            f"first handling appropriate: {_yes(assessment.first_handling_appropriate)}; "
            f"appeal reasonable: {_yes(assessment.appeal_reasonable)}"
        )
        step = self._record(at, actor, StepKind.ASSESSED, reason=answers, text=assessment.notes)
        if not assessment.company_responsible or self.accountability is not None:
            return
        handlers = sorted(
            {s.actor.name for s in self.history if s.actor.role in _STAFF and s.seq < step}
        )
        self.accountability = AccountabilityRecord(
            opened_at=at,
            assessed_by=actor.name,
            handlers=handlers,
            first_handling_appropriate=assessment.first_handling_appropriate,
            notes=assessment.notes,
        )
        why = f"the company is responsible; handled by {', '.join(handlers) or 'nobody yet'}"
        step = self._record(at, ENGINE, StepKind.ACCOUNTABILITY_OPENED, reason=why)
        self._notify_role(step, NotificationKind.ACCOUNTABILITY, "accountability", why)

    def accept(self, at: datetime, actor: Actor, comment: str | None = None) -> None:
        """The customer accepts the proposed resolution."""
        self.ensure_allowed(Action.ACCEPT)
        self.decision_reminder_at = None
        self._record(at, actor, StepKind.ACCEPTED, text=comment)
        self._resolve(at, actor, reason="the customer accepted the resolution")

    def reject(self, at: datetime, actor: Actor, reason: str) -> None:
        """The customer is not satisfied: escalate at once (at the top, a new round there)."""
        self.ensure_allowed(Action.REJECT)
        self.status = ComplaintStatus.OPEN
        self.decision_due_at = self.decision_reminder_at = None
        rejected = self.pending_resolution
        self.pending_resolution = None
        step = self._record(at, actor, StepKind.REJECTED, reason=reason, text=rejected)
        why = f"customer rejected the resolution: {reason}"
        if self.at_top:
            self._restart_top(at, step, reason=why)
        else:
            self._escalate(at, actor, reason=why)
        for case in list(self.cases.values()):
            if case.active:
                self._run_case_event(case, CaseEvent.REJECTED, at, why)

    def pause(self, at: datetime, actor: Actor, reason: str) -> None:
        """Stop the clock while waiting on the customer (e.g. for information)."""
        self.ensure_allowed(Action.PAUSE)
        self.status = ComplaintStatus.PAUSED
        self.clock = self.clock.pause(at)
        self._record(at, actor, StepKind.PAUSED, reason=reason)

    def resume(self, at: datetime, actor: Actor, reason: str | None = None) -> None:
        """Restart the clock with exactly the time left; at a breached top, alerts go on."""
        self.ensure_allowed(Action.RESUME)
        self.status = ComplaintStatus.OPEN
        self.clock = self.clock.resume(at)
        if self.next_alert_at is not None:
            self.next_alert_at = self._after(at, self.policy.realert_interval)
        self._record(at, actor, StepKind.RESUMED, reason=reason)

    def record_contact(self, at: datetime, actor: Actor, note: str | None = None) -> None:
        """The customer contacts us again about the same matter; enough contacts move it up."""
        self.ensure_allowed(Action.RECORD_CONTACT)
        self.contacts += 1
        self._record(at, actor, StepKind.CONTACTED, reason=f"contact #{self.contacts}", text=note)
        tier = self.policy.repeat_thresholds.tier_for(self.contacts)
        if tier == self.handling:
            return
        self.handling = tier
        why = f"{self.contacts} contacts about the same matter: handled by the {tier.value}"
        step = self._record(at, ENGINE, StepKind.REASSIGNED, reason=why)
        self._notify_role(step, NotificationKind.REPEAT_CONTACT, tier.value, why)
        if tier is HandlingTier.TEAM_LEADER:  # seed 004: the specialist is told too
            self._notify_role(
                step, NotificationKind.REPEAT_CONTACT, HandlingTier.SPECIALISTS.value, why
            )

    def file_again(self, at: datetime, actor: Actor, note: str | None) -> bool:
        """The customer filed about the same matter again: a repeat contact on this complaint.

        A resolved complaint is reopened first (the problem is back); a closed one cannot take
        it, and False says so.
        """
        if self.status is ComplaintStatus.CLOSED:
            return False
        if self.status is ComplaintStatus.RESOLVED:
            self.reopen(at, actor, "the customer filed about the same matter again")
        self.record_contact(at, actor, note)
        return True

    def request_supervisor(self, at: datetime, actor: Actor, reason: str) -> None:
        """The customer on the line asks for a supervisor: urgent notice, hold reminders."""
        self.ensure_allowed(Action.REQUEST_SUPERVISOR)
        self.ensure_no_supervisor_awaited()
        self.supervisor_requested_at = at
        self.hold_reminder_at = self._after(at, self.policy.supervisor_call.refresh_hold_every)
        step = self._record(at, actor, StepKind.SUPERVISOR_REQUESTED, reason=reason)
        self._notify_role(step, NotificationKind.SUPERVISOR_REQUESTED, "supervisor", reason)

    def ensure_no_supervisor_awaited(self) -> None:
        """Raise ActionNotAllowed while a supervisor is already awaited."""
        if self.supervisor_requested_at is not None:
            raise ActionNotAllowed(
                "cannot request a supervisor: one was asked for at "
                f"{self.supervisor_requested_at.isoformat()} and has not joined yet"
            )

    def ensure_supervisor_awaited(self) -> None:
        """Raise ActionNotAllowed unless a supervisor was asked for and has not joined."""
        if self.supervisor_requested_at is None:
            raise ActionNotAllowed("cannot record a supervisor joining: none was asked for")

    def supervisor_joined(self, at: datetime, actor: Actor) -> None:
        """The supervisor took the call; the hold reminders stop."""
        self.ensure_supervisor_awaited()
        self.supervisor_requested_at = self.hold_reminder_at = None
        self._record(at, actor, StepKind.SUPERVISOR_JOINED)

    def check_note(self, case_type: str | None) -> None:
        """Refuse a note the complaint's state, or its cases, cannot take."""
        self.ensure_allowed(Action.ADD_NOTE)
        if case_type is not None and case_type not in self.cases:
            raise ActionNotAllowed(f"cannot add a note: no {case_type} case is flagged")

    def add_note(self, at: datetime, actor: Actor, text: str, case_type: str | None = None) -> None:
        """Record a note, on the complaint or one of its cases; notes never change the ladder."""
        self.check_note(case_type)
        self._record(at, actor, StepKind.NOTE_ADDED, text=text, case=case_type)

    def reopen(self, at: datetime, actor: Actor, reason: str) -> None:
        """The customer reopens a resolved complaint at the level it had, with a fresh window."""
        self.ensure_allowed(Action.REOPEN)
        self.status = ComplaintStatus.OPEN
        self._start_level_clock(at)
        self.next_alert_at = None
        self.resolved_at = None
        self.reopen_until = None
        step = self._record(at, actor, StepKind.REOPENED, reason=reason)
        self._notify_owner(step, NotificationKind.ASSIGNED, reason=f"reopened: {reason}")

    # --- playbooks (seed 003) -------------------------------------------------------------------

    def check_case_flag(self, flag: CaseFlag) -> Playbook:
        """The flag's playbook; ActionNotAllowed or CaseNotValid say why it cannot start now."""
        self.ensure_allowed(Action.FLAG_CASE)
        playbook = self.policy.playbooks.get(flag.case_type)
        if playbook is None:
            known = ", ".join(sorted(self.policy.playbooks)) or "none"
            raise CaseNotValid(
                f"policy {self.policy.name} has no playbook {flag.case_type!r}; known: {known}",
                "case_type",
            )
        running = self.cases.get(flag.case_type)
        if running is not None and running.active:
            raise ActionNotAllowed(
                f"cannot flag {flag.case_type}: its playbook runs since "
                f"{running.opened_at.isoformat()}"
            )
        flag.checked_against(playbook)
        return playbook

    def flag_case(self, at: datetime, actor: Actor, flag: CaseFlag) -> None:
        """Start the case type's playbook at once, beside the ladder."""
        playbook = self.check_case_flag(flag)
        case = CaseRun(
            case_type=flag.case_type,
            title=playbook.title,
            fields=dict(flag.fields),
            description=flag.description,
            opened_at=at,
        )
        self.cases = {**self.cases, flag.case_type: case}
        self._record(
            at,
            actor,
            StepKind.CASE_OPENED,
            reason=f"{playbook.title}: {playbook.first_action}",
            text=flag.description,
            case=case.case_type,
        )
        self._run_case_event(case, CaseEvent.OPENED, at, f"{playbook.title} flagged")

    def running_case(self, case_type: str) -> CaseRun:
        """The active case of this type, or ActionNotAllowed saying why there is none."""
        self.ensure_allowed(Action.UPDATE_CASE)
        case = self.cases.get(case_type)
        if case is None:
            raise ActionNotAllowed(f"no {case_type} case is flagged on this complaint")
        if not case.active:
            raise ActionNotAllowed(f"the {case_type} case is done since {case.done_at}")
        return case

    def check_case_answer(self, case_type: str, outcome: str | None) -> CaseRun:
        """The case an answer is for; refuses unless someone was asked and the outcome is known."""
        case = self.running_case(case_type)
        if case.asked is None:
            raise ActionNotAllowed(f"the {case_type} playbook asked nobody for an answer")
        outcomes = self.policy.playbooks[case_type].outcomes
        if outcome is not None and outcome not in outcomes:
            raise CaseNotValid(
                f"{case_type}: unknown outcome {outcome!r}; known: {', '.join(outcomes) or 'none'}",
                "outcome",
            )
        return case

    def answer_case(
        self, at: datetime, actor: Actor, case_type: str, answer: str, outcome: str | None = None
    ) -> None:
        """The asked party (service centre, retailer) answered: its clock stops."""
        case = self.check_case_answer(case_type, outcome)
        case.answer, case.outcome, case.answer_due = answer, outcome, None
        why = f"{case.asked} answered" + (f": {outcome}" if outcome else "")
        self._record(at, actor, StepKind.CASE_ANSWERED, reason=why, text=answer, case=case_type)
        self._run_case_event(case, CaseEvent.ANSWERED, at, why)
        if outcome is not None and case.active:
            self._run_case_event(case, f"{CaseEvent.ANSWERED}:{outcome}", at, why)

    def check_case_event(self, case_type: str, event: str) -> CaseRun:
        """The case an event is for; refuses events its playbook does not declare."""
        case = self.running_case(case_type)
        declared = self.policy.playbooks[case_type].events
        if event not in declared:
            raise CaseNotValid(
                f"{case_type}: unknown event {event!r}; known: {', '.join(declared) or 'none'}",
                "event",
            )
        return case

    def record_case_event(
        self, at: datetime, actor: Actor, case_type: str, event: str, note: str | None = None
    ) -> None:
        """Something happened on the case (a claim, a refusal, parts arrived): its playbook acts."""
        case = self.check_case_event(case_type, event)
        meaning = self.policy.playbooks[case_type].events[event]
        self._record(
            at, actor, StepKind.CASE_EVENT, reason=f"{event}: {meaning}", text=note, case=case_type
        )
        self._run_case_event(case, event, at, meaning)

    # --- delivery bookkeeping -----------------------------------------------------------------

    def take_outbox(self) -> list[Notification]:
        """Hand over the notifications owed so far, exactly once."""
        owed, self.outbox = self.outbox, []
        return owed

    def record_delivery(
        self, at: datetime, notification: Notification, outcome: StepKind, detail: str
    ) -> None:
        """Record what became of a notification: sent, skipped or failed."""
        what = f"{notification.kind} to {notification.recipient.role}"
        self._record(at, ENGINE, outcome, reason=f"{what} (step {notification.step})", text=detail)

    # --- views --------------------------------------------------------------------------------

    def view(self) -> ComplaintView:
        level = self.current_level
        paused_left = None if self.clock.running else self.clock.window - self.clock.used
        return ComplaintView(
            id=self.id,
            status=self.status,
            level=self.level,
            level_name=level.name,
            owner_role=level.owner_role,
            deadline=self.clock.deadline if self.status in _CLOCK_RUNS else None,
            sla_paused_remaining_seconds=paused_left.total_seconds()
            if paused_left is not None
            else None,
            breached=self.next_alert_at is not None,
            next_alert_at=self.next_alert_at,
            decision_due_at=self.decision_due_at,
            reopen_until=self.reopen_until,
            opened_at=self.opened_at,
            resolved_at=self.resolved_at,
            pending_resolution=self.pending_resolution,
            contacts=self.contacts,
            handling=self.handling,
            supervisor_requested_at=self.supervisor_requested_at,
            cases=list(self.cases.values()),
            assessment=self.assessment,
            accountability=self.accountability,
            policy_name=self.policy.name,
            policy_version=self.policy.version,
            intake=self.intake,
            history=list(self.history),
        )

    # --- playbook internals ----------------------------------------------------------------------

    def _case_due(self, at: datetime) -> None:
        """Act on the case moment due at `at`: a deadline passed, a follow-up, a scheduled event."""
        case = next(case for case in self.cases.values() if case.next_due() == at)
        if case.answer_due == at:
            case.answer_due = None
            why = f"{case.asked} did not answer in time"
            self._record(at, ENGINE, StepKind.CASE_SILENT, reason=why, case=case.case_type)
            self._run_case_event(case, CaseEvent.SILENT, at, why)
        elif case.promise_due == at:
            case.promise_due = None
            why = f"the promise to the customer ({case.promise}) was not kept"
            self._record(at, ENGINE, StepKind.PROMISE_MISSED, reason=why, case=case.case_type)
            self._run_case_event(case, CaseEvent.PROMISE_MISSED, at, why)
        elif case.follow_ups and case.follow_ups[0].due == at:
            follow_up = case.follow_ups.pop(0)
            if follow_up.every is not None:
                due = self._after(at, follow_up.every)
                case.follow_ups.append(follow_up.model_copy(update={"due": due}))
                case.follow_ups.sort(key=lambda item: item.due)
            step = self._record(
                at, ENGINE, StepKind.FOLLOW_UP, reason=follow_up.text, case=case.case_type
            )
            self._notify_role(
                step,
                NotificationKind.CASE_TASK,
                follow_up.notify,
                follow_up.text,
                case,
                follow_up.text,
            )
        else:
            event = case.scheduled.pop(0).event
            why = f"scheduled {event}"
            self._record(at, ENGINE, StepKind.CASE_EVENT, reason=why, case=case.case_type)
            self._run_case_event(case, event, at, why)

    def _run_case_event(self, case: CaseRun, event: str, at: datetime, why: str) -> None:
        playbook = self.policy.playbooks[case.case_type]
        for action in playbook.actions_for(event, case.fields):
            if case.active:
                self._apply_case_action(case, action, at, f"{event}: {why}")

    def _apply_case_action(self, case: CaseRun, action: CaseAction, at: datetime, why: str) -> None:
        kind = case.case_type
        if action.ask:
            case.asked = action.ask
            case.answer_due = self._after(at, action.within) if action.within else None
            by = f" by {case.answer_due.isoformat()}" if case.answer_due else ""
            asked = self._contact_of(action.ask, case)[0]
            step = self._record(
                at,
                ENGINE,
                StepKind.CASE_ASKED,
                reason=f"asked {asked} ({action.ask}) to answer{by}",
                case=kind,
            )
            record = self._escalation_record(case, action.ask, at, why)
            self._notify_role(
                step, NotificationKind.CASE_REQUEST, action.ask, why, case, record=record
            )
        elif action.promise:
            start = case.date_field(action.since, self._zone) if action.since else at
            due = self._after(start, action.promise)
            case.promise = action.promise.text
            if due <= at:  # the wait was over before the case was flagged: nothing to keep
                told = f"the {action.promise} wait already ended at {due.isoformat()}"
                self._record(at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
                return
            case.promise_due = due
            told = f"promised the customer {action.promise}: by {due.isoformat()}"
            step = self._record(at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
            if action.tell:
                self._notify_customer(step, NotificationKind.CASE_PROMISE, case=case)
        elif action.escalate:
            self._escalate_case(case, action.escalate, at, why)
        elif action.follow_up:
            follow_up = action.follow_up
            case.follow_ups.append(
                PendingFollowUp(
                    due=self._after(at, follow_up.after),
                    every=follow_up.every,
                    notify=follow_up.notify,
                    text=follow_up.text,
                )
            )
            case.follow_ups.sort(key=lambda item: item.due)
        elif action.tell_customer:
            message = NotificationKind(action.tell_customer.value)
            text = self._customer_text(case, message)
            step = self._record(
                at, ENGINE, StepKind.CUSTOMER_TOLD, reason=message, text=text, case=kind
            )
            self._notify_customer(step, message, case=case, text=text)
        elif action.task:
            task = action.task
            step = self._record(at, ENGINE, StepKind.CASE_TASK, reason=task.text, case=kind)
            self._notify_role(step, NotificationKind.CASE_TASK, task.notify, why, case, task.text)
        elif action.handling:
            self.handling = action.handling
            record = self._escalation_record(case, action.handling.value, at, why)
            step = self._record(
                at,
                ENGINE,
                StepKind.REASSIGNED,
                reason=f"handled by the {action.handling.value}: {why}",
                case=kind,
                record=record,
            )
            self._notify_role(
                step,
                NotificationKind.CASE_ESCALATION,
                action.handling.value,
                why,
                case,
                record=record,
            )
        elif action.schedule:
            start = case.date_field(action.since, self._zone) if action.since else at
            due = max(self._after(start, action.schedule.after), at)
            case.scheduled.append(PendingEvent(due=due, event=action.schedule.event))
            case.scheduled.sort(key=lambda item: item.due)
        elif action.done:
            case.settle(at)
            self._record(at, ENGINE, StepKind.CASE_DONE, reason=why, case=kind)

    def _escalate_case(self, case: CaseRun, role: str, at: datetime, why: str) -> None:
        record = self._escalation_record(case, role, at, why)
        case.escalations.append(record)
        step = self._record(
            at,
            ENGINE,
            StepKind.CASE_ESCALATED,
            reason=f"escalated to {role}: {why}",
            case=case.case_type,
            record=record,
        )
        self._notify_role(step, NotificationKind.CASE_ESCALATION, role, why, case, record=record)

    def _escalation_record(
        self, case: CaseRun, to: str, at: datetime, why: str
    ) -> EscalationRecord:
        customer = self.intake.customer
        description = "\n\n".join(filter(None, [self.intake.description, case.description]))
        return EscalationRecord(
            ticket=self.id,
            case_type=case.case_type,
            case_title=case.title,
            escalated_to=to,
            at=at,
            why=why,
            customer_name=customer.name,
            customer_email=customer.email,
            customer_phone=customer.phone,
            product=self.intake.product,
            description=description or self.intake.reason,
            fields=case.fields,
            promise=case.promise,
            promise_due=case.promise_due,
            asked=case.asked,
            answer=case.answer,
        )

    def _customer_text(self, case: CaseRun, message: NotificationKind) -> str | None:
        """What a playbook's customer message needs besides the template: an answer, contacts."""
        if message is NotificationKind.NOT_COVERED:
            return case.answer
        if message is NotificationKind.RETAILER_CONTACTS:
            name, contact = self._contact_of("retailer", case)
            return f"{name}: {contact.email}" if contact else name
        return None

    @property
    def _zone(self) -> tzinfo:
        return self.calendar.zone if self.calendar else UTC

    # --- internals ------------------------------------------------------------------------------

    def _start_level_clock(self, at: datetime) -> None:
        """A fresh window for the current level; its warnings start over."""
        self.clock = SlaClock.start(self.current_level.resolution_window, at, self.calendar)
        self.warned = ()

    def _after(self, at: datetime, duration: Duration) -> datetime:
        return due_after(at, duration, self.calendar)

    def _record(
        self,
        at: datetime,
        actor: Actor,
        kind: StepKind,
        reason: str | None = None,
        text: str | None = None,
        case: str | None = None,
        record: EscalationRecord | None = None,
    ) -> int:
        seq = len(self.history) + 1
        self.history.append(
            Step(
                seq=seq,
                at=at,
                actor=actor,
                kind=kind,
                level=self.level,
                reason=reason,
                text=text,
                case=case,
                record=record,
            )
        )
        return seq

    def _notify_owner(self, step: int, kind: NotificationKind, reason: str) -> None:
        level = self.current_level
        self.outbox.append(
            Notification(
                step=step,
                kind=kind,
                recipient=Recipient(
                    role=level.owner_role, name=level.name, email=level.contacts.email
                ),
                level=self.level,
                deadline=self.clock.deadline,
                reason=reason,
            )
        )

    def _notify_role(
        self,
        step: int,
        kind: NotificationKind,
        role: str,
        reason: str,
        case: CaseRun | None = None,
        text: str | None = None,
        record: EscalationRecord | None = None,
    ) -> None:
        """Tell a role outside the ladder (policy `roles`, or its `directory` entry for the case's
        field of that name); no contact means not emailed."""
        name, contact = self._contact_of(role, case)
        self.outbox.append(
            Notification(
                step=step,
                kind=kind,
                recipient=Recipient(role=role, name=name, email=contact.email if contact else None),
                level=self.level,
                deadline=self.clock.deadline,
                reason=reason,
                case=case.case_type if case else None,
                text=text,
                record=record,
            )
        )

    def _contact_of(self, role: str, case: CaseRun | None) -> tuple[str, Contacts | None]:
        """Who a role is for this case: a named directory entry, else the role's own contacts."""
        wanted = case.fields.get(role) if case else None
        for name, contact in self.policy.directory.get(role, {}).items():
            if wanted is not None and name.casefold() == wanted.casefold():
                return name, contact
        return (wanted or role.replace("_", " ")), self.policy.roles.get(role)

    def _notify_customer(
        self,
        step: int,
        kind: NotificationKind,
        resolution: str | None = None,
        case: CaseRun | None = None,
        text: str | None = None,
    ) -> None:
        customer = self.intake.customer
        window = self.current_level.resolution_window
        promise = window.text if window.shortest is not None else None
        deadline = self.clock.deadline
        if case is not None:
            promise, deadline = case.promise, case.promise_due
        self.outbox.append(
            Notification(
                step=step,
                kind=kind,
                recipient=Recipient(role="customer", name=customer.name, email=customer.email),
                level=self.level,
                deadline=deadline,
                resolution=resolution,
                promise=promise,
                case=case.case_type if case else None,
                text=text,
            )
        )
