"""The state every part of a complaint shares: its fields, what is allowed when, and how a step
is recorded and a message owed."""

from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from domain.calendar import BusinessCalendar
from domain.cases import CaseRun, EscalationRecord
from domain.durations import Duration
from domain.history import Actor, Step, StepKind
from domain.intake import ComplaintIntake
from domain.messages import DeliveryChannel, Notification, NotificationKind, Recipient
from domain.playbooks import HandlingTier
from domain.policy import Contacts, EscalationPolicy, Level
from domain.schema_examples import enum_examples
from domain.sla import SlaClock, due_after


@enum_examples("awaiting_customer")
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
    ESCALATE = "escalate"
    APPROVE_REPLY = "approve_reply"
    REFUSE_REPLY = "refuse_reply"
    ASSESS = "assess"
    FLAG_CASE = "flag_case"
    UPDATE_CASE = "update_case"


class ActionNotAllowed(Exception):
    """The complaint's state does not allow this action now; the message says why."""


_ACTIVE = {
    ComplaintStatus.OPEN,
    ComplaintStatus.PAUSED,
    ComplaintStatus.AWAITING_APPROVAL,
    ComplaintStatus.AWAITING_CUSTOMER,
}
CLOCK_RUNS = {ComplaintStatus.OPEN, ComplaintStatus.AWAITING_APPROVAL}

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
    Action.ESCALATE: {ComplaintStatus.OPEN, ComplaintStatus.PAUSED},
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


REVISION = 4
"""The engine's behaviour revision; a complaint keeps the one it started with, so histories
recorded before replay unchanged. 3: reply approval and decision reminders; 4: channels, quiet
hours, SMS status updates."""

_NOT_A_CHANGE = {
    StepKind.NOTIFIED,
    StepKind.NOTIFICATION_SKIPPED,
    StepKind.NOTIFICATION_FAILED,
    StepKind.NOTIFICATION_HELD,
    StepKind.UNDELIVERED,
    StepKind.HOLD_REMINDER,
    StepKind.REASSIGNED,  # has its own message to the new handler
}
"""Steps that do not send the third-level manager a status update (seed 004: every change)."""

_URGENT = {NotificationKind.ACKNOWLEDGEMENT, NotificationKind.SUPERVISOR_REQUESTED}
"""Never held by quiet hours."""


def channels_for(kind: NotificationKind, role: str) -> tuple[DeliveryChannel, ...]:
    """The channels a message goes out on; the recipient's missing addresses are skipped."""
    if kind is NotificationKind.SUPERVISOR_REQUESTED:
        return (DeliveryChannel.WEBHOOK, DeliveryChannel.EMAIL)  # seed 003: urgent, in chat
    if kind is NotificationKind.STATUS_UPDATE:
        return (DeliveryChannel.SMS,)
    repeat_tiers = (HandlingTier.TEAM_LEADER.value, HandlingTier.THIRD_LEVEL.value)
    if kind is NotificationKind.REPEAT_CONTACT and role in repeat_tiers:
        return (DeliveryChannel.EMAIL, DeliveryChannel.SMS)  # seed 004: an extra text message
    return (DeliveryChannel.EMAIL,)


EXAMPLE_ASSESSMENT: JsonDict = {
    "company_responsible": True,
    "first_handling_appropriate": False,
    "appeal_reasonable": True,
    "notes": "The centre kept the unit 40 days without a diagnosis.",
}


class Assessment(BaseModel):
    """The third level's three questions (seed 004)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [EXAMPLE_ASSESSMENT]},
    )

    company_responsible: bool
    first_handling_appropriate: bool
    appeal_reasonable: bool
    notes: str | None = Field(default=None, max_length=5000)


class AccountabilityRecord(BaseModel):
    """Opened when the third level finds the company responsible: who handled it, and how."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "opened_at": "2026-12-09T18:30:00Z",
                    "assessed_by": "Rosa Méndez",
                    "handlers": ["Ana", "Priya"],
                    "first_handling_appropriate": False,
                    "notes": "The centre kept the unit 40 days without a diagnosis.",
                }
            ]
        },
    )

    opened_at: datetime
    assessed_by: str
    handlers: list[str] = Field(description="Everyone who acted on the complaint before")
    first_handling_appropriate: bool
    notes: str | None = None


class ComplaintState(BaseModel):
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

    def ensure_allowed(self, action: Action) -> None:
        """Raise ActionNotAllowed, with the reason, unless `action` fits the current state."""
        if self.status not in _ALLOWED[action]:
            why = _WHY_NOT_FOR.get((action, self.status), _WHY_NOT[self.status])
            raise ActionNotAllowed(f"cannot {action.value.replace('_', ' ')}: {why}")

    @property
    def zone_name(self) -> str:
        """The complaint's IANA zone (its country calendar's), for dates in messages."""
        if self.calendar is not None:
            return self.calendar.timezone
        country = self.policy.calendar_for(self.intake.country)
        return country.timezone if country else "UTC"

    @property
    def locale(self) -> str:
        """The language the complaint's messages are written in (policy `notifications`)."""
        return self.policy.notifications.locale_for(self.intake.country)

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
        if self._sends_status_updates and kind not in _NOT_A_CHANGE:
            detail = reason or text
            what = kind.value.replace("_", " ") + (f": {_shortened(detail)}" if detail else "")
            self._notify_role(seq, NotificationKind.STATUS_UPDATE, "third_level_manager", what)
        return seq

    @property
    def _sends_status_updates(self) -> bool:
        return self.revision >= 4 and self.handling is HandlingTier.THIRD_LEVEL

    def _notify_owner(
        self, step: int, kind: NotificationKind, reason: str, text: str | None = None
    ) -> None:
        level = self.current_level
        self.outbox.append(
            Notification(
                step=step,
                kind=kind,
                recipient=recipient_of(level.owner_role, level.name, level.contacts),
                level=self.level,
                deadline=self.clock.deadline,
                reason=reason,
                text=text,
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
                recipient=recipient_of(role, name, contact),
                level=self.level,
                deadline=self.clock.deadline,
                reason=reason,
                case=case.case_type if case else None,
                text=text,
                record=record,
                channels=channels_for(kind, role),
                urgent=kind in _URGENT,
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
        if kind is NotificationKind.RESOLVED:  # until when it can be reopened
            promise, deadline = None, self.reopen_until
        self.outbox.append(
            Notification(
                step=step,
                kind=kind,
                recipient=Recipient(
                    role="customer", name=customer.name, email=customer.email, phone=customer.phone
                ),
                level=self.level,
                deadline=deadline,
                resolution=resolution,
                promise=promise,
                case=case.case_type if case else None,
                text=text,
                urgent=kind in _URGENT,
            )
        )


def _shortened(text: str, limit: int = 100) -> str:
    """One line of at most `limit` characters, for a text message."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def recipient_of(role: str, name: str, contacts: Contacts | None) -> Recipient:
    """A message's recipient: the policy contact's addresses, language and zone."""
    if contacts is None:
        return Recipient(role=role, name=name, email=None)
    return Recipient(
        role=role,
        name=name,
        email=contacts.email,
        phone=contacts.phone,
        webhook=contacts.webhook,
        locale=contacts.locale,
        timezone=contacts.timezone,
    )
