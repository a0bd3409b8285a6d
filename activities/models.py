"""What the notification activities take and give back: all the workflow imports of activities.

Kept apart from the activities themselves, so the workflow sandbox loads no SMTP, apprise or
template code.
"""

from pydantic import BaseModel, ConfigDict

from domain.messages import DEFAULT_BRAND, DeliveryChannel, MessageFacts, Notification

SEND_NOTIFICATION = "send_notification"
"""The activity that sends one message on one channel."""
SEND_NOTIFICATION_EMAIL = "send_notification_email"
"""The email-only activity complaints started before channels existed still call."""


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
