"""ComplaintWorkflow on the time-skipping test server, with a real worker and real SMTP."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.history import StepKind
from domain.status import ComplaintStatus
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import CUSTOMER_EMAIL, SEED_MATRIX
from harness.waiting import eventually
from tests.support.actions import answer, propose
from tests.support.workflows import StartComplaint, settled, view_when
from workflows.complaint import ComplaintWorkflow

H = timedelta(hours=1)
DESK, HEAD, PRESIDENT = (level.contacts.email for level in SEED_MATRIX.levels)


def delivered(view: ComplaintView) -> int:
    return sum(step.kind is StepKind.NOTIFIED for step in view.history)


async def test_no_action_climbs_the_matrix_and_alerts_the_president_until_resolved(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint()
    await eventually(lambda: mailbox.to(CUSTOMER_EMAIL) and mailbox.to(DESK))
    await settled(env.client, handle.id)  # the opening's messages are all out, not only these two
    assert mailbox.to(HEAD) == []

    await env.sleep(48 * H)
    view = await view_when(handle, lambda v: v.level == 2)
    assert view.owner_role == "head_of_customer_service"
    await eventually(lambda: mailbox.to(HEAD))
    await settled(env.client, handle.id)  # every message of the escalation is out
    assert mailbox.to(PRESIDENT) == []

    await env.sleep(24 * H)
    await view_when(handle, lambda v: v.level == 3)
    await eventually(lambda: mailbox.to(PRESIDENT))

    await env.sleep(12 * H)  # L3 breach: alert
    await env.sleep(4 * H)  # first re-alert
    await env.sleep(4 * H)  # second re-alert
    view = await view_when(
        handle, lambda v: sum(s.kind is StepKind.REALERTED for s in v.history) == 2
    )
    await eventually(lambda: len(mailbox.to(PRESIDENT)) >= 4)
    president_mail = mailbox.to(PRESIDENT)
    reached_l3 = next(s for s in view.history if s.kind is StepKind.ESCALATED and s.level == 3)
    due = (reached_l3.at + 12 * H).astimezone(ZoneInfo("Asia/Kolkata"))  # the IN calendar's zone
    clock = f"{due.hour % 12 or 12}:{due:%M} {due:%p}"  # a subject is one line of plain spaces
    l3_deadline = f"{due:%A}, {due.day} {due:%B %Y}, {clock} (India Standard Time)"
    assert [m["Subject"].split("] ")[1] for m in president_mail] == [
        f"assigned to Office of the President: resolve by {l3_deadline}",
        "OVERDUE at Office of the President",
        "OVERDUE at Office of the President",
        "OVERDUE at Office of the President",
    ]

    opened = view.opened_at
    ladder = [(s.kind, s.level, s.at - opened) for s in view.history if s.kind in LADDER]
    assert ladder == [
        (StepKind.OPENED, 1, timedelta(0)),
        (StepKind.BREACHED, 1, 48 * H),
        (StepKind.ESCALATED, 2, 48 * H),
        (StepKind.BREACHED, 2, 72 * H),
        (StepKind.ESCALATED, 3, 72 * H),
        (StepKind.BREACHED, 3, 84 * H),
        (StepKind.REALERTED, 3, 88 * H),
        (StepKind.REALERTED, 3, 92 * H),
    ]
    assert view.breached and view.next_alert_at == opened + 96 * H

    # Resolution ends the alerts; the workflow closes after the reopen window.
    await propose(handle, "New phone")
    await answer(handle, "accept")
    final = await handle.result()
    assert final.status is ComplaintStatus.CLOSED
    alerts = sum(
        s.kind in (StepKind.BREACHED, StepKind.REALERTED) and s.level == 3 for s in final.history
    )
    assert alerts == 3

    ids = mailbox.message_ids()
    assert len(ids) == len(mailbox.messages), f"raw duplicates: {ids.most_common(3)}"
    assert delivered(final) == len(mailbox.messages)


LADDER = {StepKind.OPENED, StepKind.BREACHED, StepKind.ESCALATED, StepKind.REALERTED}


async def test_resolution_accepted_at_level_one_closes_without_any_escalation(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint()
    await env.sleep(10 * H)
    await propose(handle, "Reflash")
    await env.sleep(60 * H)  # well past the 48 h deadline: the clock is stopped meanwhile
    view = await handle.query(ComplaintWorkflow.view)
    assert (view.level, view.status) == (1, ComplaintStatus.AWAITING_CUSTOMER)
    proposed = next(s for s in view.history if s.kind is StepKind.RESOLUTION_PROPOSED)
    left = 48 * H - (proposed.at - view.opened_at)
    assert view.sla_paused_remaining_seconds == left.total_seconds()
    assert view.deadline is None

    await answer(handle, "accept")
    final = await handle.result()
    assert final.status is ComplaintStatus.CLOSED
    assert not any(s.kind in (StepKind.ESCALATED, StepKind.BREACHED) for s in final.history)
    assert mailbox.to(HEAD) == [] and mailbox.to(PRESIDENT) == []
    assert [m["Subject"] for m in mailbox.to(CUSTOMER_EMAIL)] == [
        f"We received your complaint ({view.id})",
        f"A resolution for your complaint ({view.id})",
        f"Your complaint is resolved ({view.id})",
    ]
    proposal_body = mailbox.to(CUSTOMER_EMAIL)[1].get_content().replace("\r\n", "\n")
    assert "we propose this resolution:\n\nReflash\n" in proposal_body


async def test_rejection_at_level_one_escalates_at_once_with_the_l2_window_from_then(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint()
    await env.sleep(5 * H)
    await propose(handle, "Reset it")
    await env.sleep(1 * H)
    view = await answer(handle, "reject", "Reset does not help")
    rejected = next(s for s in view.history if s.kind is StepKind.REJECTED)
    assert rejected.at - view.opened_at >= 6 * H
    assert (view.level, view.status) == (2, ComplaintStatus.OPEN)
    assert view.deadline == rejected.at + 24 * H
    await eventually(lambda: mailbox.to(HEAD))
    assert (
        "customer rejected the resolution: Reset does not help" in mailbox.to(HEAD)[0].get_content()
    )


async def test_a_long_lived_complaint_continues_as_new_without_losing_state_or_resending(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(history_event_limit=40)
    first_run = handle.first_execution_run_id or handle.result_run_id
    for hours in (48, 24, 12, 4, 4, 4, 4):
        await env.sleep(hours * H)
    # handle follows the chain of runs: the query goes to the latest one
    latest = env.client.get_workflow_handle_for(ComplaintWorkflow.run, handle.id)
    view = await view_when(
        latest, lambda v: sum(s.kind is StepKind.REALERTED for s in v.history) == 4
    )
    assert (await latest.describe()).run_id != first_run, "expected at least one continue-as-new"

    assert [s.seq for s in view.history] == list(range(1, len(view.history) + 1))
    opened = view.opened_at
    realerts = [s.at - opened for s in view.history if s.kind is StepKind.REALERTED]
    assert realerts == [88 * H, 92 * H, 96 * H, 100 * H]

    await eventually(lambda: len(mailbox.to(PRESIDENT)) == 6)  # assigned, breach, 4 re-alerts
    ids = mailbox.message_ids()
    assert len(ids) == len(mailbox.messages), f"raw duplicates across runs: {ids.most_common(3)}"
