"""The messages a complaint owes: their kinds, channels and recipients."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.cases import EscalationRecord

DEFAULT_BRAND = "default"
UNNAMED_BRAND = "Customer Care"
"""How messages sign for a policy that names no `brand_name`."""


class NotificationKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    """To the customer: we have your complaint, here is when to expect an answer."""
    ASSIGNED = "assigned"
    """To a level's owner: a complaint reached (or came back to) your level."""
    SLA_WARNING = "sla_warning"
    """To a level's owner: a share of the window has passed (policy `warnings`)."""
    BREACH_ALERT = "breach_alert"
    """To the last level's owner: its window ran out; repeats until resolved."""
    ESCALATED = "escalated"
    """To the customer: the complaint moved up a level, who handles it now and by when."""
    RESOLUTION_PROPOSED = "resolution_proposed"
    """To the customer: here is our resolution, accept or reject it."""
    RESOLVED = "resolved"
    """To the customer: the complaint is resolved and how long it can be reopened."""
    REPEAT_CONTACT = "repeat_contact"
    """To the role that now handles a complaint the customer keeps contacting us about."""
    SUPERVISOR_REQUESTED = "supervisor_requested"
    """To the supervisor, urgent: a customer on the line asks for you."""
    HOLD_REMINDER = "hold_reminder"
    """To the agent: refresh the customer's hold, the supervisor has not joined yet."""
    SUPERVISOR_MISSED = "supervisor_missed"
    """To the supervisor: the customer waited the policy's limit and the call was not taken."""
    APPROVAL_REQUESTED = "approval_requested"
    """To the team leader: approve or refuse the handler's reply before the customer sees it."""
    REPLY_REFUSED = "reply_refused"
    """To the handler: the team leader refused the reply, and why."""
    DECISION_REMINDER = "decision_reminder"
    """To the customer and the owner: a proposed resolution is still unanswered."""
    ACCOUNTABILITY = "accountability"
    """To the accountability role: the third level found the company responsible."""
    CASE_REQUEST = "case_request"
    """To a service centre or retailer: the playbook asks for an answer (status, diagnosis)."""
    RETURN_LETTER_REQUEST = "return_letter_request"
    """To the role issuing return letters: one for this customer (seed 003: Amazon, 25 days)."""
    CASE_PROMISE = "case_promise"
    """To the customer: what the playbook promises (`72 hours`, `15-20 days`) and by when."""
    CASE_ESCALATION = "case_escalation"
    """To a supervisor or manager: the case's escalation record."""
    CASE_TASK = "case_task"
    """To the agent (or another role): what to do now, or a scheduled follow-up."""
    INJURY_CLAIM = "injury_claim"
    """To the customer: seed 003's template after an injury or damage claim."""
    NOT_COVERED = "not_covered"
    """To the customer: the damage is not covered, with the service centre's explanation."""
    RETAILER_CONTACTS = "retailer_contacts"
    """To the customer: where to turn at the authorised retailer."""
    STATUS_UPDATE = "status_update"
    """To the third-level manager, by text message: every change of a complaint at their tier."""
    DELIVERY_FAILED = "delivery_failed"
    """To the level's owner: a message could not be delivered on any channel the policy allows."""


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    """Chat or any other endpoint an apprise URL reaches (Slack, Teams, JSON webhook)."""


ADDRESS_FIELDS = {
    DeliveryChannel.EMAIL: "email",
    DeliveryChannel.SMS: "phone",
    DeliveryChannel.WEBHOOK: "webhook",
}
"""The field of a recipient (or a policy contact) holding its address on each channel."""


class Recipient(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    name: str
    email: str | None
    phone: str | None = None
    webhook: str | None = None
    locale: str | None = None
    """The recipient's language; else the complaint's."""
    timezone: str | None = None
    """The recipient's zone for dates; else the complaint's."""

    def address(self, channel: DeliveryChannel) -> str | None:
        """Where `channel` reaches this recipient, if it does."""
        return getattr(self, ADDRESS_FIELDS[channel])


class Notification(BaseModel):
    """A message the complaint owes someone; `step` is the history entry that caused it."""

    model_config = ConfigDict(frozen=True)

    step: int
    kind: NotificationKind
    recipient: Recipient
    level: int
    deadline: datetime | None = None
    reason: str | None = None
    resolution: str | None = None
    """The proposed resolution, for the customer's message."""
    promise: str | None = None
    """A promised range (`3-5 business days`) to tell the customer; the deadline is its end."""
    case: str | None = None
    text: str | None = None
    """What a task or follow-up asks for, or what the customer is told."""
    record: EscalationRecord | None = None
    channels: tuple[DeliveryChannel, ...] = (DeliveryChannel.EMAIL,)
    """Send on each of these the recipient has an address for (the policy may add a fallback)."""
    urgent: bool = False
    """Never held by quiet hours (an acknowledgement, a customer waiting on the line)."""


class LevelFacts(BaseModel):
    """One level of the escalation path as a customer's message names it."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    owner_role: str
    window: str
    """The level's resolution window as the policy writes it (`24h`, `5 business days`)."""


class MessageFacts(BaseModel):
    """What a message may say about its complaint (personal data stays out of workflow ids)."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    customer_name: str
    product: str
    reason: str
    level_name: str
    brand: str = UNNAMED_BRAND
    agent_name: str | None = None
    """The staff member whose step the message follows, for the signature."""
    recorded_by: tuple[str, str | None] | None = None
    """Who recorded the complaint and signed for it (seed 004): role and name."""
    company: str | None = None
    """The company the customer complains for, if any (seed 004's form)."""
    owner_role: str | None = None
    """The role owning the message's level (its name in words is the reader's)."""
    levels_above: tuple[LevelFacts, ...] = ()
    """The escalation path from the message's level up (seeds 000-002 promise it to the
    customer): who answers at each level and within what."""
