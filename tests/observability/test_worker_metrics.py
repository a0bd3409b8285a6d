"""The worker's business metrics, scraped over HTTP after a ladder and a resolution, as
Prometheus scrapes `COMPLAINTS_METRICS_ADDRESS`."""

from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from domain.history import StepKind
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import with_policy
from harness.waiting import eventually
from tests.conftest import close_workflows
from tests.support.actions import answer, propose
from tests.support.metrics import scrape, total
from tests.support.workflows import StartComplaint, settled, view_when
from tests.workflows.test_notifications import quiet_now
from worker import build_worker
from workflows.complaint import ComplaintWorkflow

H = timedelta(hours=1)


def steps(views: list[ComplaintView], kind: StepKind) -> int:
    return sum(step.kind is kind for view in views for step in view.history)


async def test_a_ladder_and_a_resolution_are_counted_once_each_though_replayed(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    start_complaint: StartComplaint,
    opened_workflows: set[str],
    task_queue: str,
    sent_ledger: Path,
    metrics_url: str,
) -> None:
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=None, sent_ledger=sent_ledger)
    # No cache: each workflow task replays the whole history first, which records nothing.
    async with build_worker(env.client, smtp, task_queue, channels, max_cached_workflows=0):
        ladder = await start_complaint()
        await settled(env.client, ladder.id)
        await env.sleep(48 * H)  # L1 breach: L2
        await view_when(ladder, lambda v: v.level == 2)
        await settled(env.client, ladder.id)
        await env.sleep(24 * H)  # L2 breach: L3
        await view_when(ladder, lambda v: v.level == 3)
        await settled(env.client, ladder.id)
        await env.sleep(12 * H)  # L3 breach: the President is alerted
        await view_when(ladder, lambda v: v.breached)
        await settled(env.client, ladder.id)

        resolved = await start_complaint()
        await propose(resolved, "Reflash")
        await answer(resolved, "reject", "Still dead")  # up to L2 at once
        await propose(resolved, "New phone")
        await answer(resolved, "accept")
        await settled(env.client, resolved.id)

        views = [await handle.query(ComplaintWorkflow.view) for handle in (ladder, resolved)]
        page = await scrape(metrics_url)
        await close_workflows(env, opened_workflows)  # while the worker can still finish them

    samples = [s for s in page if s.labels.get("task_queue") == task_queue]
    evicted = total(samples, "temporal_sticky_cache_total_forced_eviction")
    assert evicted > 10  # so the tasks after those replayed their histories first

    assert total(samples, "complaints_filed", brand="default") == 2
    assert total(samples, "complaints_escalations", level="2", reason="breach") == 1
    assert total(samples, "complaints_escalations", level="3", reason="breach") == 1
    assert total(samples, "complaints_escalations", level="2", reason="customer_rejected") == 1
    assert total(samples, "complaints_escalations") == 3
    for level in ("1", "2", "3"):
        assert total(samples, "complaints_breaches", level=level) == 1
    assert total(samples, "complaints_breaches") == 3

    resolved_view = views[1]
    resolved_at = next(s.at for s in resolved_view.history if s.kind is StepKind.RESOLVED)
    took = (resolved_at - resolved_view.opened_at).total_seconds()
    histogram = "complaints_time_to_resolution_seconds"
    assert total(samples, f"{histogram}_count", brand="default") == 1
    assert total(samples, f"{histogram}_sum", brand="default") == took

    emails = len(mailbox.messages)
    assert emails == steps(views, StepKind.NOTIFIED) > 10
    assert total(samples, "complaints_notifications_sent", channel="email") == emails
    assert total(samples, "complaints_notifications_sent", kind="breach_alert") == 1
    assert total(samples, "complaints_notifications_sent", kind="escalated") == 3
    assert total(samples, "complaints_delivery_latency_seconds_count") == emails
    failed = steps(views, StepKind.NOTIFICATION_FAILED)
    assert total(samples, "complaints_notifications_failed") == failed
    assert total(samples, "complaints_notifications_held") == 0
    attempts = "complaints_notification_attempts"
    assert total(samples, attempts, channel="email", outcome="sent") == emails
    assert total(samples, attempts, outcome="refused") == failed


async def test_a_message_held_for_quiet_hours_is_late_from_their_end_not_from_its_step(
    env: WorkflowEnvironment,
    worker: Worker,
    mailbox: Mailbox,
    start_complaint: StartComplaint,
    task_queue: str,
    metrics_url: str,
) -> None:
    now = await env.get_current_time()
    quiet = {**quiet_now("UTC", now), "timezone": "UTC", "channels": ["email"]}
    policy = with_policy(notifications={"quiet_hours": {"grievance_desk": quiet}})
    handle = await start_complaint(policy=policy)
    await view_when(handle, lambda v: any(s.kind is StepKind.NOTIFICATION_HELD for s in v.history))
    await settled(env.client, handle.id)
    await env.sleep(timedelta(hours=2, minutes=1))  # the quiet hours end: the desk's email goes
    await eventually(lambda: len(mailbox.messages) == 2)
    await settled(env.client, handle.id)

    samples = [s for s in await scrape(metrics_url) if s.labels.get("task_queue") == task_queue]
    desk = {"channel": "email", "kind": "assigned"}
    assert total(samples, "complaints_notifications_held", **desk) == 1
    assert total(samples, "complaints_notifications_sent", **desk) == 1
    latency = "complaints_delivery_latency_seconds"
    assert total(samples, f"{latency}_count", **desk) == 1
    assert total(samples, f"{latency}_sum", **desk) < 120  # held 2 h, but owed only since


async def test_a_complaint_continued_as_new_is_not_counted_again(
    env: WorkflowEnvironment,
    worker: Worker,
    mailbox: Mailbox,
    start_complaint: StartComplaint,
    task_queue: str,
    metrics_url: str,
) -> None:
    handle = await start_complaint(history_event_limit=40)
    for hours in (48, 24, 12, 4, 4):
        await env.sleep(hours * H)
    latest = env.client.get_workflow_handle_for(ComplaintWorkflow.run, handle.id)
    await view_when(latest, lambda v: steps([v], StepKind.REALERTED) == 2)
    assert (await latest.describe()).run_id != handle.result_run_id, "no continue-as-new"
    await settled(env.client, handle.id)
    view = await latest.query(ComplaintWorkflow.view)  # the re-alert's messages sent since

    samples = [s for s in await scrape(metrics_url) if s.labels.get("task_queue") == task_queue]
    assert total(samples, "complaints_filed") == 1
    assert total(samples, "complaints_escalations") == 2
    assert total(samples, "complaints_breaches") == 3
    assert total(samples, "complaints_breach_realerts", level="3") == 2
    assert total(samples, "complaints_notifications_sent") == steps([view], StepKind.NOTIFIED)
