"""What the notification activities take and give back: all the workflow imports of activities.

Kept apart from the activities themselves, so the workflow sandbox loads no SMTP, apprise or
template code.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.messages import DEFAULT_BRAND, DeliveryChannel, MessageFacts, Notification
from domain.view import ComplaintView

SEND_NOTIFICATION = "send_notification"
"""The activity that sends one message on one channel."""
SEND_NOTIFICATION_EMAIL = "send_notification_email"
"""The email-only activity complaints started before channels existed still call."""
RECORD_IN_JOURNAL = "record_in_journal"
"""The activity that writes the complaint's latest state and new steps to the case journal."""


class Delivery(BaseModel):
    """One message on one channel to one address, keyed by its business step."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    """(complaint, step, kind, recipient, channel): the same key is never sent twice."""
    channel: DeliveryChannel
    address: str
    notification: Notification
    facts: MessageFacts
    brand: str = DEFAULT_BRAND
    """Whose templates: the brand's own, else the default ones."""
    locale: str
    zone: str
    """Dates in the message are in this IANA zone."""


class SentMessage(BaseModel):
    """What a channel took: enough to record it on the complaint again without resending."""

    model_config = ConfigDict(frozen=True)

    channel: DeliveryChannel
    address: str
    message_id: str
    template: str


class NotificationEmail(BaseModel):
    """Input of complaints started before channels existed (revision 3 and older)."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    notification: Notification
    facts: MessageFacts


class EmailReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    recipient: str


class JournalEntry(BaseModel):
    """The complaint as it stands, carrying only the steps the journal has not had yet."""

    model_config = ConfigDict(frozen=True)

    view: ComplaintView
    """Its `history` holds the new steps only."""
    steps: int
    """Steps the complaint has in all: the journal's row only ever moves forward by it."""
    reason_category: str
    warn_at: datetime | None
    """When the current level's warning falls due (the queue's `warning` badge)."""
    zone: str
    """The complaint's IANA zone, for its local times."""


class JournalMessage(BaseModel):
    """A message as it was sent: what the desk shows under the complaint."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    message_key: str
    message_id: str
    sent_at: datetime
    channel: DeliveryChannel
    recipient_role: str
    kind: str
    template: str
    subject: str
    text: str
    """The rendered text as it went out (the SMS text on SMS)."""
