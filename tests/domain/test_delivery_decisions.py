"""How a message goes out, decided without a server: channels, fallback, quiet hours, facts."""

from datetime import UTC, datetime, timedelta

from domain.commands import AddNote
from domain.complaint import Complaint
from domain.delivery import (
    channels_for,
    channels_to_send,
    delivery_key,
    fallback_after_failure,
    message_facts,
    quiet_hours_decision,
)
from domain.delivery_log import spaced_texts
from domain.filing import open_complaint
from domain.history import StepKind
from domain.messages import DeliveryChannel, Notification, NotificationKind, Recipient
from domain.outbox import take_outbox
from harness.samples import AGENT, CUSTOMER, sample_intake, with_policy

EMAIL, SMS, WEBHOOK = DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.WEBHOOK
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata
MINUTE = timedelta(minutes=1)
DESK = Recipient(role="grievance_desk", name="Desk", email="desk@example.in", phone="+919800000101")
QUIET = {"from": "17:00", "to": "09:00", "timezone": "Asia/Kolkata", "channels": ["email"]}


def complaint(**notifications: object) -> Complaint:
    policy = with_policy(notifications=notifications) if notifications else with_policy()
    return open_complaint("c1", sample_intake(), policy, T0)


def message(
    recipient: Recipient = DESK,
    channels: tuple[DeliveryChannel, ...] = (EMAIL,),
    kind: NotificationKind = NotificationKind.ASSIGNED,
    urgent: bool = False,
) -> Notification:
    return Notification(
        step=1, kind=kind, recipient=recipient, level=1, channels=channels, urgent=urgent
    )


def test_urgent_and_repeat_messages_choose_their_channels() -> None:
    assert channels_for(NotificationKind.SUPERVISOR_REQUESTED, "supervisor") == (WEBHOOK, EMAIL)
    assert channels_for(NotificationKind.STATUS_UPDATE, "third_level_manager") == (SMS,)
    assert channels_for(NotificationKind.REPEAT_CONTACT, "team_leader") == (EMAIL, SMS)
    assert channels_for(NotificationKind.REPEAT_CONTACT, "complaint_specialists") == (EMAIL,)
    assert channels_for(NotificationKind.ASSIGNED, "team_leader") == (EMAIL,)


def test_channels_without_an_address_are_skipped_and_the_fallback_stands_in() -> None:
    no_email = DESK.model_copy(update={"email": None})
    nobody = Recipient(role="x", name="Nobody", email=None)
    assert channels_to_send(complaint(), message()) == [EMAIL]
    assert channels_to_send(complaint(), message(no_email)) == [SMS]  # email falls back to SMS
    assert channels_to_send(complaint(), message(nobody)) == []
    assert channels_to_send(complaint(fallback={}), message(no_email)) == []


def test_after_a_permanent_failure_the_fallback_is_tried_once() -> None:
    c = complaint()
    assert fallback_after_failure(c, message(), EMAIL, frozenset({EMAIL})) is SMS
    assert fallback_after_failure(c, message(), EMAIL, frozenset({EMAIL, SMS})) is None
    assert fallback_after_failure(c, message(channels=(EMAIL, SMS)), EMAIL, frozenset()) is None
    no_phone = DESK.model_copy(update={"phone": None})
    assert fallback_after_failure(c, message(no_phone), EMAIL, frozenset({EMAIL})) is None


def test_quiet_hours_hold_until_they_end_unless_urgent() -> None:
    c = complaint(quiet_hours={"grievance_desk": QUIET})
    held = quiet_hours_decision(c, message(), EMAIL, T0)
    assert held.hold_until == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata
    assert quiet_hours_decision(c, message(urgent=True), EMAIL, T0).hold_until is None
    assert quiet_hours_decision(c, message(), SMS, T0).hold_until is None  # not a quiet channel
    daytime = T0 - timedelta(hours=6)
    assert quiet_hours_decision(c, message(), EMAIL, daytime).hold_until is None


def test_quiet_hours_may_hand_the_message_to_the_on_call() -> None:
    rule = {**QUIET, "then": "on_call", "on_call": {"email": "night@example.in"}}
    c = complaint(quiet_hours={"grievance_desk": rule})
    decision = quiet_hours_decision(c, message(), EMAIL, T0)
    assert decision.hold_until is None
    assert decision.notification.recipient.email == "night@example.in"
    assert decision.notification.recipient.name == "on call for Desk"


def test_a_message_is_signed_by_the_last_staff_member_before_it() -> None:
    c = complaint()
    AddNote(by=CUSTOMER, text="any news?").act(c, T0)
    AddNote(by=AGENT, text="called the centre").act(c, T0)
    first, later = take_outbox(c)[0], message().model_copy(update={"step": len(c.history)})
    assert message_facts(c, first).agent_name is None
    assert message_facts(c, later).agent_name == AGENT.name
    assert message_facts(c, first).complaint_id == "c1"


def test_the_idempotency_key_names_the_business_step_and_channel() -> None:
    assert delivery_key(complaint(), message(), SMS) == "c1/1/assigned/grievance_desk/sms"


def test_texts_to_a_staff_role_are_spaced_per_complaint() -> None:
    c = complaint()
    manager = Recipient(role="third_level_manager", name="M", email=None, phone="+919800000104")
    status = message(manager, channels=(SMS,), kind=NotificationKind.STATUS_UPDATE)
    assert spaced_texts(c, T0, status, [SMS]) == [SMS]
    assert spaced_texts(c, T0 + 5 * MINUTE, status, [SMS]) == []
    held = c.history[-1]
    assert held.kind is StepKind.NOTIFICATION_SKIPPED
    assert "the next text may go at 2026-11-23T12:15:00+00:00" in (held.text or "")
    repeat = message(manager.model_copy(update={"email": "m@example.in"}), channels=(EMAIL, SMS))
    assert spaced_texts(c, T0 + 6 * MINUTE, repeat, [EMAIL, SMS]) == [EMAIL]  # email still goes
    assert spaced_texts(c, T0 + 15 * MINUTE, status, [SMS]) == [SMS]


def test_the_customers_texts_and_older_complaints_are_not_spaced() -> None:
    c = complaint()
    to_customer = message(Recipient(role="customer", name="Asha", email=None, phone="+9198"))
    for _ in range(3):
        assert spaced_texts(c, T0, to_customer, [SMS]) == [SMS]
    older = open_complaint("c2", sample_intake(), with_policy(), T0, revision=4)
    for _ in range(3):
        assert spaced_texts(older, T0, message(DESK, channels=(SMS,)), [SMS]) == [SMS]
