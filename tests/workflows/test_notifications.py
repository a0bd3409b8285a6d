"""Messages on every channel: language, SMS and webhooks, fallback, quiet hours, once only."""

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from activities.notifications import NotificationActivities
from domain.commands import AddNote, RecordContact, RequestSupervisor
from domain.history import StepKind
from domain.intake import Channel as IntakeChannel
from domain.intake import ComplaintIntake, Customer
from domain.messages import DeliveryChannel, Recipient
from domain.policy import EscalationPolicy
from domain.policy_files import load_policy_file
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import (
    AGENT,
    CUSTOMER,
    CUSTOMER_EMAIL,
    POLICY_DIR,
    sample_delivery,
    sample_intake,
    with_policy,
)
from harness.waiting import eventually
from tests.support.actions import send
from tests.support.webhooks import WebhookReceiver
from tests.support.workflows import StartComplaint, settled, view_when
from worker import build_worker
from workflows.complaint import ComplaintWorkflow

DELONGHI = load_policy_file(POLICY_DIR / "delonghi-mx.yaml")
DESK = "grievance-desk@example.com"
PHONE = "+919812345678"


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
async def sms_worker(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    hooks: WebhookReceiver,
    task_queue: str,
    opened_workflows: set[str],
    sent_ledger: Path,
) -> AsyncIterator[Worker]:
    """A worker whose SMS gateway posts to the local webhook receiver at /sms."""
    from tests.conftest import close_workflows

    smtp = SmtpSettings(port=mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=hooks.url("/sms?:to={phone}"), sent_ledger=sent_ledger)
    async with build_worker(env.client, smtp, task_queue, channels) as running:
        yield running
        await close_workflows(env, opened_workflows)


def texts(view: ComplaintView, kind: StepKind) -> list[str]:
    return [step.text or "" for step in view.history if step.kind is kind]


def mexican_intake(email: str | None = "lucia@example.mx") -> ComplaintIntake:
    return ComplaintIntake(
        customer=Customer(name="Lucía Hernández", email=email, phone="+525512345678"),
        country="MX",
        brand="delonghi-mx",
        product="Dedica EC685",
        channel=IntakeChannel.PHONE,
        reason="Sin diagnóstico del centro de servicio",
        description="El centro de servicio no me ha dado diagnóstico en dos semanas.",
    )


async def test_each_complaint_speaks_its_countrys_language(
    worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    mexican = await start_complaint(mexican_intake(), policy=DELONGHI)
    indian = await start_complaint()
    await eventually(lambda: len(mailbox.messages) == 4)
    lucia = mailbox.to("lucia@example.mx")[0]
    assert str(lucia["Subject"]) == f"Recibimos su queja ({mexican.id.removeprefix('complaint-')})"
    body = lucia.get_content()
    assert "Estimado(a) Lucía Hernández:" in body
    assert "le responderá a más tardar el " in body
    asha = mailbox.to(CUSTOMER_EMAIL)[0]
    assert str(asha["Subject"]).startswith("We received your complaint")
    assert "India Standard Time" in asha.get_content()
    view = await view_when(indian, lambda v: len(texts(v, StepKind.NOTIFIED)) == 2)
    sent = texts(view, StepKind.NOTIFIED)
    assert any("template default/en-IN/acknowledgement" in text for text in sent)


async def test_a_customer_without_email_gets_the_acknowledgement_by_sms(
    sms_worker: Worker, hooks: WebhookReceiver, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(sample_intake(email=None))
    await eventually(lambda: hooks.at("/sms"))
    [sms] = hooks.at("/sms")
    assert sms["to"] == PHONE
    assert sms["message"].startswith("Customer Care: we received your complaint")
    assert sms["idempotency_key"].endswith("/acknowledgement/customer/sms")
    view = await view_when(handle, lambda v: len(texts(v, StepKind.NOTIFIED)) == 2)
    assert any(
        text.startswith(f"sms to Asha Verma <{PHONE}>") for text in texts(view, StepKind.NOTIFIED)
    )


async def test_a_refused_email_falls_back_to_sms_and_is_recorded(
    sms_worker: Worker, mailbox: Mailbox, hooks: WebhookReceiver, start_complaint: StartComplaint
) -> None:
    mailbox.refuse_recipient = lambda address: address == CUSTOMER_EMAIL
    handle = await start_complaint()
    view = await view_when(handle, lambda v: len(texts(v, StepKind.NOTIFIED)) == 2)
    [failure] = texts(view, StepKind.NOTIFICATION_FAILED)
    assert failure.startswith(f"email: the mail server refused {CUSTOMER_EMAIL}: 550")
    assert [sms["to"] for sms in hooks.at("/sms")] == [PHONE]
    assert [str(m["To"]) for m in mailbox.messages] == [f"Grievance Desk <{DESK}>"]  # no notice


async def test_a_supervisor_request_reaches_the_chat_webhook_and_email_at_once(
    sms_worker: Worker, mailbox: Mailbox, hooks: WebhookReceiver, start_complaint: StartComplaint
) -> None:
    roles = {
        **{role: contact.model_dump() for role, contact in with_policy().roles.items()},
        "supervisor": {"email": "supervisor@example.com", "webhook": hooks.url("/chat")},
    }
    handle = await start_complaint(policy=with_policy(roles=roles))
    await send(
        handle,
        RequestSupervisor(by=AGENT, reason="wants a refund now"),
    )
    await eventually(lambda: hooks.at("/chat") and mailbox.to("supervisor@example.com"))
    [chat] = hooks.at("/chat")
    assert chat["title"].startswith("URGENT [complaint ")
    assert "asks for a supervisor: wants a refund now" in chat["message"]


def repeat_policy(hooks: WebhookReceiver, spaced: bool = False) -> EscalationPolicy:
    """Team leader and third level reachable by SMS; unless `spaced`, every customer contact
    counts and every text goes (the policy's intervals turned off)."""
    roles = {role: contact.model_dump() for role, contact in with_policy().roles.items()}
    roles["team_leader"] |= {"phone": "+919800000003"}
    roles["third_level_manager"] |= {"phone": "+919800000004"}
    if spaced:
        return with_policy(roles=roles)
    every: dict[str, int | None] = {"specialists": 2, "team_leader": 3, "third_level": 4}
    every["customer_contacts_count_once_per"] = None
    return with_policy(
        roles=roles,
        repeat_thresholds=every,
        notifications={"staff_texts_at_most_every": None},
    )


async def test_repeat_tiers_text_the_team_leader_and_the_third_level_on_every_change(
    sms_worker: Worker, hooks: WebhookReceiver, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(policy=repeat_policy(hooks))
    for _ in range(2):  # contacts 2 and 3: specialists, then the team leader
        await send(handle, RecordContact(by=CUSTOMER))
    await eventually(lambda: [s for s in hooks.at("/sms") if s["to"] == "+919800000003"])
    leader = [s for s in hooks.at("/sms") if s["to"] == "+919800000003"]
    assert len(leader) == 1 and "is now yours" in leader[0]["message"]
    await send(handle, RecordContact(by=CUSTOMER))
    await send(handle, AddNote(by=AGENT, text="Called back"))

    def manager() -> list[dict[str, Any]]:
        return [s for s in hooks.at("/sms") if s["to"] == "+919800000004"]

    await eventually(lambda: len(manager()) == 2)
    assert "is now yours" in manager()[0]["message"]  # the handover, by email and SMS
    assert manager()[1]["message"].endswith("note added: Called back")  # then every change
    assert len({s["idempotency_key"] for s in hooks.at("/sms")}) == len(hooks.at("/sms"))


async def test_texts_to_a_staff_role_are_spaced_by_the_policy(
    env: WorkflowEnvironment,
    sms_worker: Worker,
    hooks: WebhookReceiver,
    start_complaint: StartComplaint,
) -> None:
    handle = await start_complaint(policy=repeat_policy(hooks, spaced=True))
    for _ in range(3):  # staff record the calls: each counts; the third level takes it over
        await send(handle, RecordContact(by=AGENT))
    await send(handle, AddNote(by=AGENT, text="Called back"))
    view = await view_when(handle, lambda v: texts(v, StepKind.NOTIFICATION_SKIPPED))
    [held] = texts(view, StepKind.NOTIFICATION_SKIPPED)
    assert held.startswith("sms held back: third_level_manager was texted about this complaint")
    await settled(env.client, handle.id)
    manager = [s for s in hooks.at("/sms") if s["to"] == "+919800000004"]
    assert len(manager) == 1 and "is now yours" in manager[0]["message"]  # the note's waits


def quiet_now(zone: str, now: datetime) -> dict[str, str]:
    """A quiet-hours window around `now` in `zone`: it started an hour ago, ends in two."""
    local = now.astimezone(ZoneInfo(zone))
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    return {"from": start.strftime("%H:%M"), "to": end.strftime("%H:%M")}


async def test_quiet_hours_hold_an_email_until_they_end_but_never_the_acknowledgement(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    now = await env.get_current_time()
    window = quiet_now("Asia/Kolkata", now)
    rules = {
        "grievance_desk": {**window, "channels": ["email"], "timezone": "Asia/Kolkata"},
        "customer": {**window, "channels": ["email"]},
    }
    handle = await start_complaint(policy=with_policy(notifications={"quiet_hours": rules}))
    view = await view_when(handle, lambda v: texts(v, StepKind.NOTIFICATION_HELD))
    [held] = texts(view, StepKind.NOTIFICATION_HELD)
    assert held.startswith("email held for quiet hours until ")
    await eventually(lambda: mailbox.to(CUSTOMER_EMAIL))  # the acknowledgement went at once
    await settled(env.client, handle.id)  # nothing in flight: the desk's email waits on its timer
    assert mailbox.to(DESK) == []
    await env.sleep(timedelta(hours=2, minutes=1))
    await eventually(lambda: mailbox.to(DESK))
    released = await view_when(handle, lambda v: len(texts(v, StepKind.NOTIFIED)) == 2)
    sent_at = [s.at for s in released.history if s.kind is StepKind.NOTIFIED]
    assert max(sent_at) >= datetime.fromisoformat(held.rsplit(" ", 1)[1])


async def test_quiet_hours_can_hand_a_message_to_the_on_call_contact(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    now = await env.get_current_time()
    rule = {
        **quiet_now("UTC", now),
        "timezone": "UTC",
        "channels": ["email"],
        "then": "on_call",
        "on_call": {"email": "night-desk@example.com"},
    }
    policy = with_policy(notifications={"quiet_hours": {"grievance_desk": rule}})
    handle = await start_complaint(policy=policy)
    await eventually(lambda: mailbox.to("night-desk@example.com"))
    await settled(env.client, handle.id)  # every message of the opening is out
    assert mailbox.to(DESK) == []


# --- once per (complaint, step, recipient, channel) -------------------------------------------


def activities(mailbox: Mailbox, ledger: Path) -> NotificationActivities:
    """A worker's notification activities, as a fresh process would build them."""
    from domain.policy_files import load_templates

    return NotificationActivities(
        SmtpSettings(port=mailbox.port, timeout_seconds=5),
        ChannelSettings(sent_ledger=ledger),
        load_templates(POLICY_DIR),
    )


async def test_a_retried_or_restarted_activity_does_not_send_twice(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    ledger = tmp_path / "sent.sqlite3"
    first = await ActivityEnvironment().run(
        activities(mailbox, ledger).send_notification, sample_delivery()
    )
    retried = await ActivityEnvironment().run(
        activities(mailbox, ledger).send_notification, sample_delivery()
    )
    restarted = activities(mailbox, ledger)  # a new worker process on the same host
    again = await ActivityEnvironment().run(restarted.send_notification, sample_delivery())
    assert first == retried == again
    assert len(mailbox.messages) == 1
    other = await ActivityEnvironment().run(
        restarted.send_notification, sample_delivery("c1/2/x/y/email")
    )
    assert other.message_id != first.message_id and len(mailbox.messages) == 2


async def test_a_message_held_for_quiet_hours_does_not_hold_up_continue_as_new(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    now = await env.get_current_time()
    rule = {**quiet_now("UTC", now), "timezone": "UTC", "channels": ["email"]}
    policy = with_policy(notifications={"quiet_hours": {"grievance_desk": rule}})
    handle = await start_complaint(policy=policy, history_event_limit=20)
    # Only the held email in flight: the Java test server leaks its time-skipping lock for an
    # activity cancelled by continue-as-new (sdk-java #1138), which a real server does not.
    await view_when(
        handle,
        lambda v: texts(v, StepKind.NOTIFICATION_HELD) and texts(v, StepKind.NOTIFIED),
    )
    for number in range(6):  # the history outgrows its limit while the email is held
        note = AddNote(by=AGENT, text=f"note {number}")
        await send(handle, note)
    latest = env.client.get_workflow_handle_for(ComplaintWorkflow.run, handle.id)

    async def continued() -> bool:
        return (await latest.describe()).run_id != handle.result_run_id

    await eventually(continued)
    assert mailbox.to(DESK) == []
    await env.sleep(timedelta(hours=2, minutes=1))
    await eventually(lambda: mailbox.to(DESK))
    view = await view_when(latest, lambda v: len(texts(v, StepKind.NOTIFIED)) == 2)
    assert len(texts(view, StepKind.NOTIFICATION_HELD)) >= 2  # held again by each new run
    assert len(mailbox.to(DESK)) == 1


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (429, False), (503, False)])
async def test_a_webhook_refusal_is_permanent_and_an_outage_is_retried(
    hooks: WebhookReceiver, mailbox: Mailbox, tmp_path: Path, status: int, permanent: bool
) -> None:
    hooks.failing_status = status
    request = sample_delivery().model_copy(
        update={"channel": DeliveryChannel.WEBHOOK, "address": hooks.url("/chat/fail")}
    )
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            activities(mailbox, tmp_path / "sent.sqlite3").send_notification, request
        )
    assert raised.value.non_retryable is permanent
    assert f"error={status}" in raised.value.message
    assert raised.value.message.startswith(f"json://127.0.0.1:{hooks.port}/… refused the message")
    assert len(hooks.at("/chat/fail")) == 1


async def test_greylisting_is_retried_and_a_name_cannot_inject_headers(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    sender = activities(mailbox, tmp_path / "sent.sqlite3")
    mailbox.refuse_recipient = lambda _address: True
    mailbox.refusal = "450 4.2.0 <{address}>: greylisted, try again later"
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(sender.send_notification, sample_delivery())
    assert (raised.value.type, raised.value.non_retryable) == ("RecipientDeferred", False)

    mailbox.refuse_recipient = lambda _address: False
    sneaky = Recipient(role="customer", name="Asha\nBcc: all@example.com", email=CUSTOMER_EMAIL)
    request = sample_delivery("c1/2/resolved/customer/email")
    request = request.model_copy(
        update={"notification": request.notification.model_copy(update={"recipient": sneaky})}
    )
    await ActivityEnvironment().run(sender.send_notification, request)
    [sent] = mailbox.messages
    assert str(sent["To"]) == f'"Asha Bcc: all@example.com" <{CUSTOMER_EMAIL}>'
    assert sent["Bcc"] is None
