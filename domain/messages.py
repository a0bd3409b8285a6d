"""The words of each notification, rendered from plain facts."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.history import Notification, NotificationKind


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
        case NotificationKind.APPROVAL_REQUESTED:
            subject = f"[{ref}] approve the reply to a repeat complaint"
            body = (
                f"{ref} ({facts.reason}, {facts.product}): the handler proposes\n\n"
                f"{notification.reason}\n\nApprove or refuse it; the customer sees nothing "
                f"until you do. The level's deadline is {deadline}."
            )
        case NotificationKind.REPLY_REFUSED:
            subject = f"[{ref}] the team leader refused your reply"
            body = (
                f"{ref}: the team leader refused the reply\n\n{notification.text}\n\n"
                f"Why: {notification.reason}. Resolve it by {deadline}."
            )
        case NotificationKind.DECISION_REMINDER if notification.recipient.role == "customer":
            subject = f"Reminder: our resolution for your complaint ({facts.complaint_id})"
            body = (
                f"Dear {facts.customer_name},\n\nwe proposed this resolution and have not heard "
                f"back:\n\n{notification.resolution}\n\nPlease accept or reject it; "
                "without an answer it stands and the complaint is resolved."
            )
        case NotificationKind.DECISION_REMINDER:
            subject = f"[{ref}] the customer has not answered the proposed resolution"
            body = f"{ref} ({facts.reason}, {facts.product}): {notification.reason}."
        case NotificationKind.ACCOUNTABILITY:
            subject = f"[{ref}] accountability: the company was found responsible"
            body = f"{ref} ({facts.reason}, {facts.product}): {notification.reason}."
        case NotificationKind.CASE_REQUEST:
            subject = f"[{ref}] please answer by {deadline}: {_case_title(notification)}"
            body = f"Dear {notification.recipient.name},\n\n" + _record_text(notification)
        case NotificationKind.CASE_PROMISE:
            subject = f"Your complaint {facts.complaint_id}: our next step"
            body = (
                f"Dear {facts.customer_name},\n\nwe are working on your complaint about "
                f"{facts.product}. You will hear from us "
                f"{_within(notification.promise, deadline)}."
            )
        case NotificationKind.CASE_ESCALATION:
            subject = f"[{ref}] escalated to you: {_case_title(notification)}"
            body = f"{notification.reason}.\n\n" + _record_text(notification)
        case NotificationKind.CASE_TASK:
            subject = f"[{ref}] to do: {notification.text}"
            body = f"{ref} ({facts.reason}, {facts.product}): {notification.text}."
        case NotificationKind.INJURY_CLAIM:
            subject = f"Your complaint {facts.complaint_id}: your safety comes first"
            body = (
                f"Dear {facts.customer_name},\n\nthank you for contacting customer care. We are "
                "very sorry about the incident. Your case has been passed to the right department; "
                f"you will be contacted {_within(notification.promise, deadline)}.\n"
                "Meanwhile, please do NOT discard the product: it may need a close inspection."
            )
        case NotificationKind.NOT_COVERED:
            subject = f"Your complaint {facts.complaint_id}: what the service centre found"
            body = (
                f"Dear {facts.customer_name},\n\nthe service centre reports that the damage "
                "happened in transport because of the packing, which the warranty does not "
                f"cover. Their details:\n\n{notification.text}"
            )
        case NotificationKind.RETAILER_CONTACTS:
            subject = f"Your complaint {facts.complaint_id}: your retailer handles the return"
            body = (
                f"Dear {facts.customer_name},\n\nreturns of products bought from an authorised "
                f"retailer are handled by the retailer. Please contact {notification.text}."
            )
    return RenderedMessage(subject=subject, body=body)


def _case_title(notification: Notification) -> str:
    return notification.record.case_title if notification.record else str(notification.case)


def _record_text(notification: Notification) -> str:
    """The escalation record as labelled lines, as the seed's spreadsheet had them."""
    record = notification.record
    if record is None:
        return ""
    lines = {
        "Ticket": record.ticket,
        "Case": record.case_title,
        "Customer": record.customer_name,
        "Email": record.customer_email,
        "Phone": record.customer_phone,
        "Product": record.product,
        "Description": record.description,
        **{name.replace("_", " ").capitalize(): value for name, value in record.fields.items()},
        "Promised": record.promise,
        "Promise due": _when(record.promise_due) if record.promise_due else None,
        "Asked": record.asked,
        "Answer": record.answer,
    }
    return "\n".join(f"{label}: {value}" for label, value in lines.items() if value)


def _within(promise: str | None, deadline: str) -> str:
    return f"within {promise} (by {deadline} at the latest)" if promise else f"by {deadline}"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "as soon as possible"
