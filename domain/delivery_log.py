"""What became of each message, in the complaint's history: sent, skipped, failed, undelivered."""

from datetime import datetime

from domain.behaviour import Switch
from domain.complaint import Complaint
from domain.history import ENGINE, StepKind
from domain.journal import record
from domain.messages import Notification, NotificationKind
from domain.outbox import notify_owner

_NO_FAILURE_NOTICE = {NotificationKind.STATUS_UPDATE, NotificationKind.DELIVERY_FAILED}


def record_delivery(
    complaint: Complaint, at: datetime, notification: Notification, outcome: StepKind, detail: str
) -> None:
    """Record what became of a notification: sent, skipped, held or failed."""
    record(complaint, at, ENGINE, outcome, reason=_about(notification), text=detail)


def record_undelivered(complaint: Complaint, at: datetime, notification: Notification) -> None:
    """No channel took a message: recorded, and the level's owner is told (not about status
    texts, which would repeat it on every change, nor about their own notice)."""
    if not complaint.follows(Switch.UNDELIVERED_NOTICES):
        return
    about = _about(notification)
    failures = "; ".join(
        step.text or ""
        for step in complaint.history
        if step.kind is StepKind.NOTIFICATION_FAILED and step.reason == about
    )
    why = f"{notification.kind} to {notification.recipient.name} could not be delivered"
    step = record(complaint, at, ENGINE, StepKind.UNDELIVERED, reason=why, text=failures)
    if notification.kind not in _NO_FAILURE_NOTICE:
        notify_owner(complaint, step, NotificationKind.DELIVERY_FAILED, why, failures)


def _about(notification: Notification) -> str:
    return f"{notification.kind} to {notification.recipient.role} (step {notification.step})"
