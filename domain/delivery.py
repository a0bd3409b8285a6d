"""How a message goes out, decided without I/O: channels, fallback, quiet hours, on-call, facts.

The workflow dispatches what these decide; tests check them without a server.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.behaviour import Switch
from domain.complaint import Complaint
from domain.history import ActorRole
from domain.messages import (
    UNNAMED_BRAND,
    DeliveryChannel,
    LevelFacts,
    MessageFacts,
    Notification,
    NotificationKind,
    Recipient,
)
from domain.notification_policy import Contacts
from domain.playbooks import HandlingTier

URGENT = frozenset({NotificationKind.ACKNOWLEDGEMENT, NotificationKind.SUPERVISOR_REQUESTED})
"""Never held by quiet hours."""
_REPEAT_TIERS_TEXTED = {HandlingTier.TEAM_LEADER.role, HandlingTier.THIRD_LEVEL.role}


def channels_for(kind: NotificationKind, role: str) -> tuple[DeliveryChannel, ...]:
    """The channels a message goes out on; the recipient's missing addresses are skipped."""
    if kind is NotificationKind.SUPERVISOR_REQUESTED:
        return (DeliveryChannel.WEBHOOK, DeliveryChannel.EMAIL)  # seed 003: urgent, in chat
    if kind is NotificationKind.STATUS_UPDATE:
        return (DeliveryChannel.SMS,)
    if kind is NotificationKind.REPEAT_CONTACT and role in _REPEAT_TIERS_TEXTED:
        return (DeliveryChannel.EMAIL, DeliveryChannel.SMS)  # seed 004: an extra text message
    return (DeliveryChannel.EMAIL,)


def recipient_of(role: str, name: str, contacts: Contacts | None) -> Recipient:
    """A message's recipient: the policy contact's addresses, language and zone."""
    if contacts is None:
        return Recipient(role=role, name=name, email=None)
    return Recipient(role=role, name=name, **contacts.model_dump())


def channels_to_send(complaint: Complaint, notification: Notification) -> list[DeliveryChannel]:
    """The message's channels the recipient has an address for; else the policy's fallback for
    the first channel, if the recipient has that address; else none."""
    recipient = notification.recipient
    channels = [channel for channel in notification.channels if recipient.address(channel)]
    fallback = complaint.policy.notifications.fallback.get(notification.channels[0])
    if not channels and fallback and recipient.address(fallback):
        return [fallback]
    return channels


def fallback_after_failure(
    complaint: Complaint,
    notification: Notification,
    failed: DeliveryChannel,
    tried: frozenset[DeliveryChannel],
) -> DeliveryChannel | None:
    """The channel to try after `failed` refused the message for good, if any is left."""
    fallback = complaint.policy.notifications.fallback.get(failed)
    if fallback is None or fallback in tried or fallback in notification.channels:
        return None
    return fallback if notification.recipient.address(fallback) is not None else None


@dataclass(frozen=True)
class QuietHoursDecision:
    notification: Notification
    """What to send: the original, or one addressed to the on-call contact."""
    hold_until: datetime | None = None
    """Send only then (the recipient's quiet hours end); None: send now."""


def quiet_hours_decision(
    complaint: Complaint, notification: Notification, channel: DeliveryChannel, now: datetime
) -> QuietHoursDecision:
    """Send now, hold until the recipient's quiet hours end, or hand over to the on-call."""
    rule = complaint.policy.notifications.quiet_hours.get(notification.recipient.role)
    if rule is None or channel not in rule.channels or notification.urgent:
        return QuietHoursDecision(notification)
    zone = notification.recipient.timezone or complaint.zone_name
    release = rule.release_at(now, zone)
    if release is None:
        return QuietHoursDecision(notification)
    if rule.then == "on_call" and rule.on_call is not None:
        original = notification.recipient
        on_call = recipient_of(original.role, f"on call for {original.name}", rule.on_call)
        recipient = on_call.model_copy(  # its own language and zone, else the original's
            update={
                "locale": on_call.locale or original.locale,
                "timezone": on_call.timezone or original.timezone,
            }
        )
        return QuietHoursDecision(notification.model_copy(update={"recipient": recipient}))
    return QuietHoursDecision(notification, hold_until=release)


def next_text_allowed_at(
    complaint: Complaint, notification: Notification, now: datetime
) -> datetime | None:
    """When a text to the message's staff role may go, if not now: one per policy interval and
    complaint (a customer's texts and complaints started before the switch are not spaced)."""
    role = notification.recipient.role
    last = complaint.texted_at.get(role)
    interval = complaint.policy.notifications.staff_texts_at_most_every
    if role == "customer" or last is None or interval is None:
        return None
    if not complaint.follows(Switch.STAFF_TEXTS_SPACED):
        return None
    allowed = complaint.after(last, interval)
    return allowed if now < allowed else None


def message_facts(complaint: Complaint, notification: Notification) -> MessageFacts:
    """What the message may say about its complaint; signed by the last staff member to act."""
    staff = [
        step.actor.name
        for step in complaint.history[: notification.step]
        if step.actor.role not in (ActorRole.SYSTEM, ActorRole.CUSTOMER)
    ]
    return MessageFacts(
        complaint_id=complaint.id,
        customer_name=complaint.intake.customer.name,
        product=complaint.intake.product,
        reason=complaint.intake.reason,
        level_name=complaint.policy.level(notification.level).name,
        brand=complaint.policy.brand_name or UNNAMED_BRAND,
        agent_name=staff[-1] if staff else None,
        recorded_by=(complaint.intake.recorded_by.role.value, complaint.intake.recorded_by.name),
        company=complaint.intake.customer.company,
        owner_role=complaint.policy.level(notification.level).owner_role,
        levels_above=tuple(
            LevelFacts(
                level=number,
                name=level.name,
                owner_role=level.owner_role,
                window=level.resolution_window.text,
            )
            for number, level in enumerate(complaint.policy.levels, start=1)
            if number > notification.level
        ),
    )


def delivery_key(complaint: Complaint, notification: Notification, channel: DeliveryChannel) -> str:
    """The business step a send is for: the same key is never sent twice (the sent-ledger)."""
    recipient = notification.recipient
    return f"{complaint.id}/{notification.step}/{notification.kind}/{recipient.role}/{channel}"


def email_key(complaint: Complaint, notification: Notification) -> str:
    """The key of complaints started before channels existed: by address, email only."""
    address = notification.recipient.email
    return f"{complaint.id}/{notification.step}/{notification.kind}/{address}/email"


MessageKey = tuple[int, str, str]


def message_key(notification: Notification) -> MessageKey:
    """One message to one recipient, whichever channels it goes out on."""
    return notification.step, notification.kind, notification.recipient.role
