"""What became of each message, in the complaint's history: sent, skipped, failed, undelivered."""

from datetime import datetime

from domain.behaviour import Switch
from domain.complaint import Complaint
from domain.delivery import next_text_allowed_at
from domain.history import ENGINE, StepKind
from domain.journal import record
from domain.messages import DeliveryChannel, Notification, NotificationKind
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


def spaced_texts(
    complaint: Complaint, at: datetime, notification: Notification, channels: list[DeliveryChannel]
) -> list[DeliveryChannel]:
    """The channels to send on now: a text to a staff role texted too recently is left out and
    recorded as skipped; a text that goes is noted, so the next one waits its turn."""
    if DeliveryChannel.SMS not in channels:
        return channels
    allowed_at = next_text_allowed_at(complaint, notification, at)
    role = notification.recipient.role
    if allowed_at is not None:
        why = f"sms held back: {role} was texted about this complaint at "
        why += f"{complaint.texted_at[role].isoformat()}; the next text may go at "
        why += allowed_at.isoformat()
        record_delivery(complaint, at, notification, StepKind.NOTIFICATION_SKIPPED, why)
        return [channel for channel in channels if channel is not DeliveryChannel.SMS]
    if role != "customer" and complaint.follows(Switch.STAFF_TEXTS_SPACED):
        complaint.texted_at = {**complaint.texted_at, role: at}
    return channels


def _about(notification: Notification) -> str:
    return f"{notification.kind} to {notification.recipient.role} (step {notification.step})"
