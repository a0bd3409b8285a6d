"""The words of each notification, rendered from plain facts."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.complaint import Notification, NotificationKind


class MessageFacts(BaseModel):
    """What a message may say about its complaint."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    customer_name: str
    product: str
    reason: str
    level_name: str


class RenderedMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    body: str


def render(notification: Notification, facts: MessageFacts) -> RenderedMessage:
    """Subject and body of `notification`, addressed to its recipient."""
    ref = f"complaint {facts.complaint_id}"
    deadline = _when(notification.deadline)
    match notification.kind:
        case NotificationKind.ACKNOWLEDGEMENT:
            subject = f"We received your complaint ({facts.complaint_id})"
            body = (
                f"Dear {facts.customer_name},\n\n"
                f"we received your complaint about {facts.product} ({facts.reason}).\n"
                f"Our {facts.level_name} is on it and will answer "
                f"{_within(notification.promise, deadline)}.\n"
                f"Your reference is {facts.complaint_id}."
            )
        case NotificationKind.ASSIGNED:
            subject = f"[{ref}] assigned to {facts.level_name}: resolve by {deadline}"
            body = (
                f"{ref} ({facts.reason}, {facts.product}) is now with {facts.level_name}.\n"
                f"Why: {notification.reason}.\nResolve it by {deadline}."
            )
        case NotificationKind.SLA_WARNING:
            subject = f"[{ref}] reminder: {facts.level_name} must resolve by {deadline}"
            body = (
                f"{ref} ({facts.reason}, {facts.product}): {notification.reason}.\n"
                f"Resolve it by {deadline}, or it escalates."
            )
        case NotificationKind.BREACH_ALERT:
            subject = f"[{ref}] OVERDUE at {facts.level_name}"
            body = (
                f"{ref} ({facts.reason}, {facts.product}) is overdue: {notification.reason}.\n"
                "This alert repeats until the complaint is resolved."
            )
        case NotificationKind.RESOLUTION_PROPOSED:
            subject = f"A resolution for your complaint ({facts.complaint_id})"
            body = (
                f"Dear {facts.customer_name},\n\nwe propose this resolution:\n\n"
                f"{notification.resolution}\n\n"
                "Please tell us whether you accept it. If you do not, we escalate your complaint "
                "at once."
            )
        case NotificationKind.RESOLVED:
            subject = f"Your complaint is resolved ({facts.complaint_id})"
            body = (
                f"Dear {facts.customer_name},\n\nyour complaint {facts.complaint_id} is resolved.\n"
                "If the problem comes back, you can reopen it with the same reference."
            )
        case NotificationKind.REPEAT_CONTACT:
            subject = f"[{ref}] repeat complaint: now yours"
            body = f"{ref} ({facts.reason}, {facts.product}): {notification.reason}."
        case NotificationKind.SUPERVISOR_REQUESTED:
            subject = f"URGENT [{ref}] a customer on the line asks for a supervisor"
            body = (
                f"{facts.customer_name} ({ref}: {facts.reason}, {facts.product}) asks for a "
                f"supervisor: {notification.reason}.\nTake the call; the agent keeps them on hold."
            )
        case NotificationKind.HOLD_REMINDER:
            subject = f"[{ref}] refresh the customer's hold"
            body = f"{notification.reason}. Tell {facts.customer_name} a supervisor is coming."
        case NotificationKind.SUPERVISOR_MISSED:
            subject = f"[{ref}] supervisor call missed"
            body = f"{ref}: {notification.reason}. Call {facts.customer_name} back."
    return RenderedMessage(subject=subject, body=body)


def _within(promise: str | None, deadline: str) -> str:
    return f"within {promise} (by {deadline} at the latest)" if promise else f"by {deadline}"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "as soon as possible"
