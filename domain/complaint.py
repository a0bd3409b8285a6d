"""A complaint's whole state: what it carries from filing to closure, across continue-as-new.

Pure data with a few read-outs. What changes it lives beside it: the ladder (`domain.ladder`),
what people do (commands, listed in `domain.commands`), playbooks (`domain.playbook_runner`),
and the journal and outbox every change goes through (`domain.journal`, `domain.outbox`).
"""

from datetime import UTC, datetime, tzinfo

from pydantic import BaseModel

from domain.assessment import AccountabilityRecord, Assessment
from domain.behaviour import Switch, switched_on
from domain.calendar import BusinessCalendar
from domain.cases import CaseRun, LevelHold
from domain.durations import Duration
from domain.history import Assignee, Step
from domain.intake import ComplaintIntake
from domain.messages import Notification
from domain.playbooks import HandlingTier
from domain.policy import EscalationPolicy, Level, TierThresholds
from domain.sla import SlaClock, due_after
from domain.status import ComplaintStatus


def zone_name_for(policy: EscalationPolicy, country: str, calendar: BusinessCalendar | None) -> str:
    """The IANA zone of a complaint from `country`: its calendar's, else its policy's for the
    country, else UTC."""
    if calendar is not None:
        return calendar.timezone
    entry = policy.calendar_for(country)
    return entry.timezone if entry else "UTC"


class Complaint(BaseModel):
    """A complaint's whole state. Mutable; every change is recorded in `history`.

    Its JSON is what running complaints carry across continue-as-new: fields are only ever
    added, with defaults.
    """

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
    high_frequency: bool = False
    """Staff marked the customer high-frequency: contacts count on the policy's
    `high_frequency_thresholds` (seed 004); customers can never set it."""
    supervisor_requested_at: datetime | None = None
    hold_reminder_at: datetime | None = None
    cases: dict[str, CaseRun] = {}
    """Playbooks running (or done) on this complaint, by case type."""
    decision_reminder_at: datetime | None = None
    assessment: Assessment | None = None
    accountability: AccountabilityRecord | None = None
    revision: int = 2
    """The release the complaint started on (`domain.behaviour`): it keeps that behaviour."""
    customer_contact_counted_at: datetime | None = None
    """The customer's last contact that counted (`Switch.CUSTOMER_CONTACTS_SPACED`)."""
    texted_at: dict[str, datetime] = {}
    """The last text message to each staff role (`Switch.STAFF_TEXTS_SPACED`)."""
    assignee: Assignee | None = None
    """Who holds the complaint at its current level; None: its owner role's queue."""
    promise_hold: LevelHold | None = None
    """The latest end of a case's promise to the customer or of its asked party's deadline, or
    the moment one was missed (`Switch.PROMISE_HOLDS_LEVEL`, see `holding`)."""
    history: list[Step] = []
    outbox: list[Notification] = []

    @property
    def current_level(self) -> Level:
        return self.policy.level(self.level)

    @property
    def at_top(self) -> bool:
        return self.level == self.policy.top

    @property
    def closed(self) -> bool:
        return self.status is ComplaintStatus.CLOSED

    @property
    def zone_name(self) -> str:
        """The complaint's IANA zone (its country calendar's), for dates in messages."""
        return zone_name_for(self.policy, self.intake.country, self.calendar)

    @property
    def zone(self) -> tzinfo:
        return self.calendar.zone if self.calendar else UTC

    @property
    def locale(self) -> str:
        """The language the complaint's messages are written in (policy `notifications`)."""
        return self.policy.notifications.locale_for(self.intake.country)

    @property
    def running_case_types(self) -> set[str]:
        return {case_type for case_type, case in self.cases.items() if case.active}

    @property
    def holding(self) -> LevelHold | None:
        """The case promise holding the current level now: it ends after the level's deadline
        (or, past the deadline, after the next re-alert), which wait for it."""
        hold = self.promise_hold
        if hold is None or not self.follows(Switch.PROMISE_HOLDS_LEVEL):
            return None
        level_moment = self.next_alert_at or self.clock.deadline
        return hold if level_moment is not None and hold.until > level_moment else None

    @property
    def deadline(self) -> datetime | None:
        """When the current level breaches: its window's end, or the end of a case promise
        holding it; None while the clock is stopped."""
        deadline = self.clock.deadline
        hold = self.holding
        if hold is None or deadline is None or self.next_alert_at is not None:
            return deadline
        return hold.until

    @property
    def next_alert(self) -> datetime | None:
        """When the last level is alerted again after its breach (a holding promise first)."""
        hold = self.holding
        return hold.until if hold is not None and self.next_alert_at else self.next_alert_at

    @property
    def repeat_tiers(self) -> TierThresholds:
        """The contacts that move this complaint up: the high-frequency tiers once staff said so."""
        if self.high_frequency:
            return self.policy.high_frequency_thresholds
        return self.policy.repeat_thresholds

    def follows(self, switch: Switch) -> bool:
        """Whether the release the complaint started on has this behaviour."""
        return switch in switched_on(self.revision)

    def after(self, at: datetime, duration: Duration) -> datetime:
        """`duration` after `at`, in business time where the complaint's calendar counts it."""
        return due_after(
            at,
            duration,
            self.calendar,
            from_last_working_moment=self.follows(Switch.BUSINESS_DAYS_FROM_WORKING_TIME),
        )
