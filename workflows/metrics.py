"""The complaints' business metrics, recorded from the workflow where each fact is decided.

`workflow.metric_meter()` records nothing while a workflow replays, so a fact is counted once,
by the worker that first ran it, whatever the replays and worker restarts after. Labels are
bounded (brand, level, reason, channel, message kind): never an id, a name or an address.
Served with the worker's Temporal metrics (`COMPLAINTS_METRICS_ADDRESS`); the table and alert
rules are in docs/operations.md.
"""

from datetime import datetime
from enum import StrEnum

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.complaint import Complaint
    from domain.history import ActorRole, Step, StepKind
    from domain.messages import DEFAULT_BRAND, DeliveryChannel, Notification

FILED = "complaints_filed"
REPEAT_CONTACTS = "complaints_repeat_contacts"
ESCALATIONS = "complaints_escalations"
BREACHES = "complaints_breaches"
BREACH_REALERTS = "complaints_breach_realerts"
TIME_TO_RESOLUTION = "complaints_time_to_resolution_seconds"
NOTIFICATIONS_SENT = "complaints_notifications_sent"
NOTIFICATIONS_FAILED = "complaints_notifications_failed"
NOTIFICATIONS_HELD = "complaints_notifications_held"
NOTIFICATIONS_UNDELIVERED = "complaints_notifications_undelivered"
DELIVERY_LATENCY = "complaints_delivery_latency_seconds"

HISTOGRAM_BUCKETS: dict[str, list[float]] = {
    TIME_TO_RESOLUTION: [h * 3600.0 for h in (1, 4, 12, 24, 48, 72, 84, 168, 336, 720)],
    DELIVERY_LATENCY: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
}
"""Buckets in seconds (the SDK's default ones are for milliseconds): resolution from an hour to
30 days, with the seed ladder's 48 h and 72 h (L2 breach) and 84 h (L3 breach) as edges."""


class EscalationReason(StrEnum):
    """Why a complaint went to someone higher: the reasons the domain has, as a bounded label."""

    BREACH = "breach"
    """A level's window ran out (a missed playbook promise breaches the level it held)."""
    CUSTOMER_REJECTED = "customer_rejected"
    """The customer rejected the proposed resolution (at the top: a fresh round there)."""
    STAFF = "staff"
    """An agent, supervisor or admin escalated it."""
    PLAYBOOK = "playbook"
    """A case's playbook handed the case to a supervisor or another role."""
    REPEAT_CONTACTS = "repeat_contacts"
    """Enough contacts about the same matter moved it to a higher handling tier (seed 004)."""


def escalation_reason(step: Step) -> EscalationReason | None:
    """Why `step` escalated the complaint, or None when it is no escalation."""
    match step.kind:
        case StepKind.ESCALATED:
            if step.actor.role is ActorRole.CUSTOMER:
                return EscalationReason.CUSTOMER_REJECTED
            if step.actor.role is ActorRole.SYSTEM:
                return EscalationReason.BREACH
            return EscalationReason.STAFF
        case StepKind.NEW_ROUND:
            return EscalationReason.CUSTOMER_REJECTED
        case StepKind.CASE_ESCALATED:
            return EscalationReason.PLAYBOOK
        case StepKind.REASSIGNED:
            return EscalationReason.PLAYBOOK if step.case else EscalationReason.REPEAT_CONTACTS
        case _:
            return None


class StepMetrics:
    """Counts a complaint's new steps: filings, repeat contacts, escalations, breaches and
    resolutions. A run continued as new starts after the steps it carries (counted before)."""

    def __init__(self, complaint: Complaint, carried: bool) -> None:
        self._complaint = complaint
        self._counted = len(complaint.history) if carried else 0

    def catch_up(self) -> None:
        """Record the steps taken since the last call."""
        history = self._complaint.history
        for step in history[self._counted :]:
            self._record(step)
        self._counted = len(history)

    def _record(self, step: Step) -> None:
        complaint = self._complaint
        brand = {"brand": complaint.intake.brand or DEFAULT_BRAND}
        level = {"level": str(step.level)}
        meter = workflow.metric_meter()
        if reason := escalation_reason(step):
            about = "Escalations, by the level reached and why"
            meter.create_counter(ESCALATIONS, about).add(1, {**level, "reason": reason})
        match step.kind:
            case StepKind.OPENED:
                meter.create_counter(FILED, "Complaints filed").add(1, brand)
            case StepKind.CONTACTED:
                about = "Contacts about an open complaint's matter"
                meter.create_counter(REPEAT_CONTACTS, about).add(1, brand)
            case StepKind.BREACHED:
                about = "Levels whose resolution window ran out"
                meter.create_counter(BREACHES, about).add(1, level)
            case StepKind.REALERTED:
                about = "Alerts repeated to the top level of a complaint breached there"
                meter.create_counter(BREACH_REALERTS, about).add(1, level)
            case StepKind.RESOLVED:
                about = "From filing to resolution"
                seconds = (step.at - complaint.opened_at).total_seconds()
                histogram = meter.create_histogram_float(TIME_TO_RESOLUTION, about, "s")
                histogram.record(seconds, brand)
            case _:
                pass


def _message(notification: Notification, channel: DeliveryChannel) -> dict[str, str]:
    return {"channel": str(channel), "kind": str(notification.kind)}


def notification_sent(notification: Notification, channel: DeliveryChannel, due: datetime) -> None:
    """The channel took the message; `due` is when it was owed (its step, or the end of the
    recipient's quiet hours)."""
    meter = workflow.metric_meter()
    labels = _message(notification, channel)
    meter.create_counter(NOTIFICATIONS_SENT, "Messages a channel took").add(1, labels)
    about = "From when a message was owed to when its channel took it"
    latency = max((workflow.now() - due).total_seconds(), 0.0)
    meter.create_histogram_float(DELIVERY_LATENCY, about, "s").record(latency, labels)


def notification_failed(notification: Notification, channel: DeliveryChannel) -> None:
    """The channel refused the message for good (the fallback, if any, is tried next)."""
    about = "Messages a channel refused for good"
    labels = _message(notification, channel)
    workflow.metric_meter().create_counter(NOTIFICATIONS_FAILED, about).add(1, labels)


def notification_held(notification: Notification, channel: DeliveryChannel) -> None:
    """The message waits for the end of the recipient's quiet hours."""
    about = "Messages held for the recipient's quiet hours"
    labels = _message(notification, channel)
    workflow.metric_meter().create_counter(NOTIFICATIONS_HELD, about).add(1, labels)


def notification_undelivered(notification: Notification) -> None:
    """No channel took the message (the level's owner is told)."""
    about = "Messages no channel took"
    labels = {"kind": str(notification.kind)}
    workflow.metric_meter().create_counter(NOTIFICATIONS_UNDELIVERED, about).add(1, labels)
