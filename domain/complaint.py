"""A complaint's life as a pure state machine: the escalation ladder, its events and its history.

The workflow drives it with real time and sends what lands in the outbox; a simulator can drive it
with any clock. Every method takes the time it happens at and never reads a clock itself.
"""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from domain.calendar import BusinessCalendar
from domain.cases import EXAMPLE_CASE_FLAG, CaseFlag, CaseNotValid, CaseRun
from domain.complaint_state import (
    CLOCK_RUNS,
    REVISION,
    AccountabilityRecord,
    Action,
    ActionNotAllowed,
    Assessment,
    ComplaintStatus,
)
from domain.history import ENGINE, Actor, ActorRole, Step, StepKind
from domain.intake import EXAMPLE_INTAKE_WITH_CASE, ComplaintIntake
from domain.messages import Notification, NotificationKind
from domain.playbook_runner import PlaybookRunner
from domain.playbooks import CaseEvent, HandlingTier
from domain.policy import EscalationPolicy
from domain.sla import SlaClock

_STAFF = {ActorRole.AGENT, ActorRole.SUPERVISOR}
_NO_FAILURE_NOTICE = {NotificationKind.STATUS_UPDATE, NotificationKind.DELIVERY_FAILED}
_FILED = "2026-11-23T16:05:00Z"
_ENGINE_STEP: JsonDict = {
    "at": _FILED,
    "actor": {"role": "system", "name": "escalation engine"},
    "level": 1,
}
EXAMPLE_VIEW: JsonDict = {
    "id": "3f9c2a7be41d0c55",
    "status": "open",
    "level": 1,
    "level_name": "Agente de Servicio al Cliente",
    "owner_role": "agent",
    "deadline": "2026-11-26T16:05:00Z",
    "sla_paused_remaining_seconds": None,
    "breached": False,
    "next_alert_at": None,
    "decision_due_at": None,
    "reopen_until": None,
    "opened_at": _FILED,
    "resolved_at": None,
    "pending_resolution": None,
    "contacts": 1,
    "handling": "frontline",
    "supervisor_requested_at": None,
    "cases": [
        {
            **EXAMPLE_CASE_FLAG,
            "title": "El centro de servicio no ha dado diagnóstico",
            "opened_at": _FILED,
            "asked": "service_centre",
            "answer_due": None,
            "answer": None,
            "outcome": None,
            "promise": "72 hours",
            "promise_due": "2026-11-26T16:05:00Z",
            "follow_ups": [],
            "scheduled": [],
            "escalations": [],
            "done_at": None,
        }
    ],
    "assessment": None,
    "accountability": None,
    "policy_name": "delonghi-mexico",
    "policy_version": "5eff762c8322",
    "intake": EXAMPLE_INTAKE_WITH_CASE,
    "history": [
        {
            **_ENGINE_STEP,
            "seq": 1,
            "kind": "opened",
            "reason": "filed via phone",
            "text": None,
            "case": None,
            "record": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 2,
            "kind": "case_opened",
            "reason": "El centro de servicio no ha dado diagnóstico: Email the service centre for "
            "the unit's status and diagnosis; ask the customer to expect the centre's call; "
            "document the time given.",
            "text": "Unit at SAT Norte since 2 November.",
            "case": "no_diagnosis",
            "record": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 3,
            "kind": "case_asked",
            "reason": "asked SAT Norte (service_centre) to answer",
            "text": None,
            "case": "no_diagnosis",
            "record": None,
        },
        {
            **_ENGINE_STEP,
            "seq": 4,
            "kind": "case_promised",
            "reason": "promised the customer 72 hours: by 2026-11-26T16:05:00+00:00",
            "text": None,
            "case": "no_diagnosis",
            "record": None,
        },
    ],
}
"""A De'Longhi Mexico complaint as filed by phone, its playbook started at once."""


def _yes(answer: bool) -> str:
    return "yes" if answer else "no"


class ComplaintView(BaseModel):
    """The live state shown to people: level, owner, deadline and the full history."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_VIEW]})

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


class Complaint(PlaybookRunner):
    """A complaint: the ladder, what people do, and its view; playbooks come from its base."""

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
        if intake.case is not None:
            complaint.flag_filed_case(at, intake.case)
        return complaint

    def flag_filed_case(self, at: datetime, flag: CaseFlag) -> None:
        """Start a case the filing named; one that cannot start now is recorded, not lost."""
        try:
            self.flag_case(at, ENGINE, flag)
        except (ActionNotAllowed, CaseNotValid) as err:
            self._record(at, ENGINE, StepKind.NOTE_ADDED, text=f"case not started: {err}")

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
            clock_runs = self.status in CLOCK_RUNS
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

    def file_again(
        self, at: datetime, actor: Actor, note: str | None, case: CaseFlag | None = None
    ) -> bool:
        """The customer filed about the same matter again: a repeat contact on this complaint.

        A resolved complaint is reopened first (the problem is back); a closed one cannot take
        it, and False says so.
        """
        if self.status is ComplaintStatus.CLOSED:
            return False
        if self.status is ComplaintStatus.RESOLVED:
            self.reopen(at, actor, "the customer filed about the same matter again")
        self.record_contact(at, actor, note)
        if case is not None and case.case_type not in self.running_case_types:
            self.flag_filed_case(at, case)
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

    def ensure_can_escalate(self) -> None:
        """Raise ActionNotAllowed unless the complaint can move up a level by hand now."""
        self.ensure_allowed(Action.ESCALATE)
        if self.at_top:
            raise ActionNotAllowed(
                f"cannot escalate: {self.current_level.name} is the last level; "
                "its owner is alerted until the complaint is resolved"
            )

    def escalate(self, at: datetime, actor: Actor, reason: str) -> None:
        """A supervisor moves the complaint up a level now, with the reason; a pause ends."""
        self.ensure_can_escalate()
        self.status = ComplaintStatus.OPEN
        self._escalate(at, actor, reason=f"escalated by {actor.name}: {reason}")

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

    # --- delivery bookkeeping -----------------------------------------------------------------

    def owe_again(self, notification: Notification) -> None:
        """Put back a message that was not sent (held for quiet hours when the run ended)."""
        self.outbox.append(notification)

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

    def undelivered(self, at: datetime, notification: Notification) -> None:
        """No channel took a message: recorded, and the level's owner is told (not about status
        texts, which would repeat it on every change, nor about their own notice)."""
        if self.revision < 4:
            return
        what = f"{notification.kind} to {notification.recipient.role} (step {notification.step})"
        failures = "; ".join(
            step.text or ""
            for step in self.history
            if step.kind is StepKind.NOTIFICATION_FAILED and step.reason == what
        )
        why = f"{notification.kind} to {notification.recipient.name} could not be delivered"
        step = self._record(at, ENGINE, StepKind.UNDELIVERED, reason=why, text=failures)
        if notification.kind not in _NO_FAILURE_NOTICE:
            self._notify_owner(step, NotificationKind.DELIVERY_FAILED, why, failures)

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
            deadline=self.clock.deadline if self.status in CLOCK_RUNS else None,
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
