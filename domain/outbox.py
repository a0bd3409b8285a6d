"""The messages a complaint owes: to the level's owner, to a role, to the customer.

A step adds what it owes here; the workflow takes the outbox and delivers (`domain.delivery`
decides how).
"""

from domain.cases import CaseRun, EscalationRecord
from domain.complaint import Complaint
from domain.delivery import URGENT, channels_for, recipient_of
from domain.messages import Notification, NotificationKind, Recipient
from domain.notification_policy import Contacts


def notify_owner(
    complaint: Complaint, step: int, kind: NotificationKind, reason: str, text: str | None = None
) -> None:
    """Tell the current level's owner."""
    level = complaint.current_level
    complaint.outbox.append(
        Notification(
            step=step,
            kind=kind,
            recipient=recipient_of(level.owner_role, level.name, level.contacts),
            level=complaint.level,
            deadline=complaint.deadline,
            reason=reason,
            text=text,
        )
    )


def notify_role(
    complaint: Complaint,
    step: int,
    kind: NotificationKind,
    role: str,
    reason: str,
    case: CaseRun | None = None,
    text: str | None = None,
    escalation: EscalationRecord | None = None,
) -> None:
    """Tell a role outside the ladder (policy `roles`, or its `directory` entry for the case's
    field of that name); no contact means not sent."""
    name, contact = contact_of(complaint, role, case)
    complaint.outbox.append(
        Notification(
            step=step,
            kind=kind,
            recipient=recipient_of(role, name, contact),
            level=complaint.level,
            deadline=complaint.deadline,
            reason=reason,
            case=case.case_type if case else None,
            text=text,
            record=escalation,
            channels=channels_for(kind, role),
            urgent=kind in URGENT,
        )
    )


def contact_of(
    complaint: Complaint, role: str, case: CaseRun | None
) -> tuple[str, Contacts | None]:
    """Who a role is for this case: a named directory entry, else the role's own contacts."""
    wanted = case.fields.get(role) if case else None
    for name, contact in complaint.policy.directory.get(role, {}).items():
        if wanted is not None and name.casefold() == wanted.casefold():
            return name, contact
    return (wanted or role.replace("_", " ")), complaint.policy.roles.get(role)


def notify_customer(
    complaint: Complaint,
    step: int,
    kind: NotificationKind,
    resolution: str | None = None,
    case: CaseRun | None = None,
    text: str | None = None,
) -> None:
    """Tell the customer, with what they were promised and by when."""
    customer = complaint.intake.customer
    window = complaint.current_level.resolution_window
    promise = window.text if window.shortest is not None else None
    deadline = complaint.clock.deadline
    if case is not None:
        promise, deadline = case.promise, case.promise_due
    if kind is NotificationKind.ESCALATED:  # the seeds' "a response within 24 hours"
        promise = window.text
    if kind is NotificationKind.RESOLVED:  # until when it can be reopened
        promise, deadline = None, complaint.reopen_until
    complaint.outbox.append(
        Notification(
            step=step,
            kind=kind,
            recipient=Recipient(
                role="customer", name=customer.name, email=customer.email, phone=customer.phone
            ),
            level=complaint.level,
            deadline=deadline,
            resolution=resolution,
            promise=promise,
            case=case.case_type if case else None,
            text=text,
            urgent=kind in URGENT,
        )
    )


def take_outbox(complaint: Complaint) -> list[Notification]:
    """Hand over the notifications owed so far, exactly once."""
    owed, complaint.outbox = complaint.outbox, []
    return owed


def owe_again(complaint: Complaint, notification: Notification) -> None:
    """Put back a message that was not sent (held for quiet hours when the run ended)."""
    complaint.outbox.append(notification)
