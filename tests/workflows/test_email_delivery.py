"""Notification emails: one Message-ID per business step, outages delay but never lose."""

from collections import Counter

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import SmtpSettings
from domain.history import StepKind
from domain.view import ComplaintView
from harness.mailbox import Mailbox, free_port
from harness.samples import CUSTOMER_EMAIL, SEED_MATRIX, sample_intake
from harness.waiting import eventually
from tests.support.workflows import StartComplaint, view_when
from worker import build_worker
from workflows.complaint import ComplaintWorkflow

DESK = SEED_MATRIX.level(1).contacts.email


def steps(view: ComplaintView, kind: StepKind) -> list[str]:
    return [step.text or "" for step in view.history if step.kind is kind]


async def test_a_lost_acknowledgement_from_the_server_resends_with_the_same_message_id(
    worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    # The server stores each of the first two messages but answers 451, as if the ack was lost.
    mailbox.data_faults = 2
    handle = await start_complaint()
    view = await view_when(handle, lambda v: len(steps(v, StepKind.NOTIFIED)) == 2)

    per_id = mailbox.message_ids()
    print(f"raw messages: {len(mailbox.messages)}, distinct Message-IDs: {len(per_id)}")
    assert len(per_id) == 2, "one Message-ID per (complaint, step, recipient, channel)"
    assert sorted(per_id.values()) == [2, 2], "each injected fault gives exactly one raw duplicate"
    recorded = [text.split("Message-ID ")[1] for text in steps(view, StepKind.NOTIFIED)]
    assert sorted(recorded) == sorted(per_id)
    keys = Counter(str(m["X-Idempotency-Key"]).strip() for m in mailbox.messages)
    assert all(key.startswith(f"{view.id}/1/") for key in keys), keys


async def test_an_smtp_outage_delays_the_email_and_never_loses_it(
    env: WorkflowEnvironment, task_queue: str, start_complaint: StartComplaint
) -> None:
    mailbox = Mailbox(port=free_port())  # nothing listens there yet
    smtp = SmtpSettings(port=mailbox.port, timeout_seconds=5)
    async with build_worker(env.client, smtp, task_queue=task_queue):
        handle = await start_complaint()

        async def retrying() -> bool:
            pending = (await handle.describe()).raw_description.pending_activities
            failures = [
                str(await env.client.data_converter.decode_failure(activity.last_failure))
                for activity in pending
                if activity.attempt >= 2 and activity.HasField("last_failure")
            ]
            return any("cannot reach the mail server" in failure for failure in failures)

        await eventually(retrying)
        during = await handle.query(ComplaintWorkflow.view)
        assert steps(during, StepKind.NOTIFIED) == []
        assert steps(during, StepKind.NOTIFICATION_FAILED) == []

        mailbox.start()
        try:
            await eventually(lambda: len(mailbox.messages) == 2)
            after = await view_when(handle, lambda v: len(steps(v, StepKind.NOTIFIED)) == 2)
        finally:
            mailbox.stop()
    assert {str(m["To"]) for m in mailbox.messages} == {
        f"Asha Verma <{CUSTOMER_EMAIL}>",
        f"Grievance Desk <{DESK}>",
    }
    assert steps(after, StepKind.NOTIFICATION_FAILED) == []


async def test_a_refused_address_is_not_retried_and_the_owner_is_told(
    worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    mailbox.refuse_recipient = lambda address: address == CUSTOMER_EMAIL
    handle = await start_complaint()
    view = await view_when(handle, lambda v: steps(v, StepKind.NOTIFICATION_FAILED))
    refusal = (
        f"the mail server refused {CUSTOMER_EMAIL}: 550 5.1.1 <{CUSTOMER_EMAIL}>: no such mailbox"
    )
    # The fallback (SMS) has no gateway on this worker: both reasons are on record.
    view = await view_when(handle, lambda v: len(steps(v, StepKind.NOTIFICATION_FAILED)) == 2)
    assert steps(view, StepKind.NOTIFICATION_FAILED) == [
        f"email: {refusal}",
        "sms: no SMS gateway is configured (NOTIFY_SMS_GATEWAY)",
    ]
    await eventually(lambda: len(mailbox.to(DESK)) == 2)
    assert mailbox.refused == [CUSTOMER_EMAIL]
    told = [str(m["Subject"]) for m in mailbox.to(DESK)]
    assert f"[complaint {view.id}] a message could not be delivered" in told
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING


async def test_a_customer_without_email_and_no_sms_gateway_is_not_reached_and_the_owner_knows(
    worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(sample_intake(email=None))
    view = await view_when(handle, lambda v: steps(v, StepKind.NOTIFICATION_FAILED))
    assert steps(view, StepKind.NOTIFICATION_FAILED) == [
        "sms: no SMS gateway is configured (NOTIFY_SMS_GATEWAY)"
    ]
    await eventually(lambda: len(mailbox.to(DESK)) == 2)
    notice = next(m for m in mailbox.to(DESK) if "could not be delivered" in str(m["Subject"]))
    assert "acknowledgement to Asha Verma could not be delivered" in notice.get_content()
