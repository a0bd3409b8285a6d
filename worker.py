"""Runs the complaint worker: the workflow and the activities it calls."""

import asyncio
import logging
import signal
from typing import Any

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.channels import ChannelSettings
from activities.crm_feed import CrmFeedConfigError, CrmFeedSettings, FeedDispatcher
from activities.email import SmtpSettings
from activities.journal import JournalActivities
from activities.journal_store import IN_MEMORY, CaseJournal
from activities.ledger import LedgerUnavailable, SentLedger, describe, open_ledger
from activities.notifications import NotificationActivities
from activities.tracking_links import TrackingConfigError, TrackingLinks, TrackingSettings
from domain.policy_files import SHIPPED_TEMPLATES, PolicyError, load_policy_set, load_templates
from domain.templates import TemplateCatalog
from workflows.codec import CodecKeyError
from workflows.complaint import ComplaintWorkflow
from workflows.connection import connect, runtime_with_metrics
from workflows.matter import MatterWorkflow
from workflows.settings import EngineSettings
from workflows.tracing import temporal_interceptors, tracer_provider

WORKER_SERVICE = "complaints-worker"
"""The worker's `service.name` in traces."""
CACHED_WORKFLOWS: int = EngineSettings.model_fields["max_cached_workflows"].default
SANDBOX = SandboxedWorkflowRunner(
    # Deterministic validators whose modules load lazily while pydantic validates workflow input
    # (phonenumbers loads each region's metadata on first use, behind a threading.Lock).
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "email_validator", "idna", "phonenumbers"
    )
)
"""The tests' runner, and production's with COMPLAINTS_WORKFLOW_SANDBOX=true."""


def build_worker(
    client: Client,
    smtp: SmtpSettings,
    task_queue: str,
    channels: ChannelSettings | None = None,
    templates: TemplateCatalog | None = None,
    journal: CaseJournal | None = None,
    tracking: TrackingSettings | None = None,
    ledger: SentLedger | None = None,
    runner: WorkflowRunner = SANDBOX,
    **options: Any,
) -> Worker:
    """A worker with every complaint workflow and activity registered.

    Without `channels`, text messages are off and the sent-ledger lives in memory; without
    `journal`, the case journal is an in-memory SQLite database (tests); without `tracking`,
    acknowledgements carry no tracking link; without `ledger`, the one `channels` names;
    without `runner`, the sandbox.
    `options` go to the `Worker` (its cache size: `COMPLAINTS_MAX_CACHED_WORKFLOWS`'s default
    unless given).
    """
    journal = journal or CaseJournal(IN_MEMORY)
    notifications = NotificationActivities(
        smtp,
        channels or ChannelSettings(sms_gateway=None, sent_ledger=None),
        templates or TemplateCatalog(SHIPPED_TEMPLATES),
        ledger=ledger,
        journal=journal,
        tracking=tracking,
    )
    journaling = JournalActivities(journal)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ComplaintWorkflow, MatterWorkflow],
        workflow_runner=runner,
        activities=[
            notifications.send_notification,
            notifications.send_notification_email,
            journaling.record_in_journal,
        ],
        **{"max_cached_workflows": CACHED_WORKFLOWS, **options},
    )


async def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = EngineSettings()
    try:
        policies = load_policy_set(settings.escalation_policy)
        templates = load_templates(settings.escalation_policy)
    except PolicyError as err:
        raise SystemExit(f"refusing to start, the escalation policy is wrong:\n{err}") from None
    logging.info("policies %s", {b: policies.for_brand(b).version for b in policies.brands})
    feed_settings = CrmFeedSettings()
    try:
        feeds = feed_settings.feeds()
        feeds.check_brands(policies.brands)
    except CrmFeedConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    channels = ChannelSettings()
    try:
        ledger = open_ledger(channels.sent_ledger)
    except LedgerUnavailable as err:
        raise SystemExit(f"refusing to start: {err}") from None
    logging.info("sent-ledger: %s", describe(channels.sent_ledger))
    logging.info("workflow sandbox: %s", "on" if settings.workflow_sandbox else "off")
    runtime = runtime_with_metrics(settings.metrics_address) if settings.metrics_address else None
    tracing = tracer_provider(settings.tracing, WORKER_SERVICE)
    try:
        client = await connect(runtime=runtime, interceptors=temporal_interceptors(tracing))
    except CodecKeyError as err:
        raise SystemExit(f"refusing to start, the payload keys are wrong: {err}") from None
    journal = CaseJournal(settings.journal_url, feeds=feeds)
    dispatcher = FeedDispatcher(
        journal, feeds, feed_settings, (runtime or Runtime.default()).metric_meter
    )
    tracking = TrackingSettings()
    try:
        TrackingLinks.from_settings(tracking)
    except TrackingConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    if tracking.tracking_secret is None:
        logging.warning("COMPLAINTS_TRACKING_SECRET is unset: acknowledgements carry no link")
    worker = build_worker(
        client,
        SmtpSettings(),
        settings.task_queue,
        channels,
        templates,
        journal,
        tracking,
        ledger=ledger,
        runner=SANDBOX if settings.workflow_sandbox else UnsandboxedWorkflowRunner(),
        max_cached_workflows=settings.max_cached_workflows,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with worker, dispatcher.running():
        logging.info("worker polling task queue %r", settings.task_queue)
        await stop.wait()
        logging.info("worker shutting down")
    if tracing is not None:
        tracing.shutdown()  # sends the spans still batched


if __name__ == "__main__":
    asyncio.run(main())
