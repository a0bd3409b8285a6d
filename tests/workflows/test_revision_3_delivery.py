"""Complaints started before revision 4 still deliver as their histories say: email only, through
the `send_notification_email` activity, keyed by the recipient's address.

A complaint continued as new carries its state, revision included: starting the workflow with a
revision-3 `carried_state` is how such a complaint looks to the code running it today.
"""

import uuid
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import SmtpSettings, message_id_for
from activities.models import RECORD_IN_JOURNAL
from domain.filing import open_complaint
from domain.history import StepKind
from domain.messages import NotificationKind
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import CUSTOMER_EMAIL, SEED_MATRIX, sample_intake
from tests.support.workflows import ComplaintHandle, view_when
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart

H = timedelta(hours=1)
DESK, HEAD, _ = (level.contacts.email for level in SEED_MATRIX.levels)


def notified(view: ComplaintView) -> list[str]:
    return [step.text or "" for step in view.history if step.kind is StepKind.NOTIFIED]


async def start_at_revision_3(
    env: WorkflowEnvironment, task_queue: str, opened_workflows: set[str]
) -> ComplaintHandle:
    complaint_id = uuid.uuid4().hex[:16]
    opened = await env.get_current_time()
    carried = open_complaint(complaint_id, sample_intake(), SEED_MATRIX, opened, revision=3)
    opened_workflows.add(workflow_id(complaint_id))
    return await env.client.start_workflow(
        ComplaintWorkflow.run,
        ComplaintStart(
            complaint_id=complaint_id,
            intake=carried.intake,
            policy=SEED_MATRIX,
            carried_state=carried,
        ),
        id=workflow_id(complaint_id),
        task_queue=task_queue,
    )


async def test_a_revision_3_complaint_emails_through_the_email_only_activity(
    env: WorkflowEnvironment,
    worker: Worker,
    mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
) -> None:
    handle = await start_at_revision_3(env, task_queue, opened_workflows)
    complaint_id = handle.id.removeprefix(workflow_id(""))
    domain = SmtpSettings().message_id_domain

    def message_id(step: int, kind: NotificationKind, address: str) -> str:
        """Revision 3 keys a message by the recipient's address, not by role and channel."""
        return message_id_for(f"{complaint_id}/{step}/{kind}/{address}/email", domain)

    opened = await view_when(handle, lambda v: len(notified(v)) == 2)
    assert opened.history[0].kind is StepKind.OPENED
    expected = {
        CUSTOMER_EMAIL: message_id(1, NotificationKind.ACKNOWLEDGEMENT, CUSTOMER_EMAIL),
        DESK: message_id(1, NotificationKind.ASSIGNED, DESK),
    }
    assert sorted(notified(opened)) == sorted(
        f"email to {address}, Message-ID {mid}" for address, mid in expected.items()
    )
    for address, mid in expected.items():
        [email] = mailbox.to(address)
        assert email["Message-ID"] == mid
    assert len(mailbox.messages) == 2, "email only: nothing else, no text message"

    await env.sleep(48 * H)  # the breach: the head of customer service is told the same way
    escalated = await view_when(handle, lambda v: len(notified(v)) == 3)
    reached_l2 = next(s for s in escalated.history if s.kind is StepKind.ESCALATED)
    head_mid = message_id(reached_l2.seq, NotificationKind.ASSIGNED, HEAD)
    assert notified(escalated)[-1] == f"email to {HEAD}, Message-ID {head_mid}"
    [head_email] = mailbox.to(HEAD)
    assert head_email["Message-ID"] == head_mid

    history = await handle.fetch_history()
    activities = {
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    }
    assert activities - {RECORD_IN_JOURNAL} == {"send_notification_email"}
