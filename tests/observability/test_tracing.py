"""Traces: one filing is one trace, from the HTTP request through Temporal to the activities
that send its messages; off unless configured."""

from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from activities.journal_store import IN_MEMORY, CaseJournal
from activities.tracking_links import TrackingSettings
from api.main import create_app
from api.rate_limits import RateLimits
from api.settings import ApiSettings
from harness.credentials import ADMIN, TEST_AUTH
from harness.mailbox import Mailbox
from harness.samples import FORM
from harness.serving import serving
from harness.waiting import eventually
from tests.conftest import close_workflows
from tests.support.workflows import settled
from worker import build_worker
from workflows.ids import workflow_id
from workflows.tracing import (
    STANDARD_ENDPOINT,
    TracingSettings,
    temporal_interceptors,
    tracer_provider,
)


def names(spans: list[ReadableSpan]) -> set[str]:
    return {span.name for span in spans}


async def test_a_filing_is_one_trace_from_the_request_to_the_activities(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    sent_ledger: Path,
    opened_workflows: set[str],
) -> None:
    spans = InMemorySpanExporter()
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(spans))
    client = Client(**{**env.client.config(), "interceptors": temporal_interceptors(tracing)})
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=None, sent_ledger=sent_ledger)
    settings = ApiSettings(task_queue=task_queue, rate_limits=RateLimits(enabled=False))
    app = create_app(
        client,
        settings,
        TEST_AUTH,
        CaseJournal(IN_MEMORY),
        TrackingSettings(tracking_secret=None),
        tracing=tracing,
    )
    async with (
        build_worker(client, smtp, task_queue, channels),  # the client's interceptor too
        serving(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as api,
    ):
        filed = await api.post("/complaints", json=FORM, headers=ADMIN)
        assert filed.status_code == 201, filed.text
        complaint = workflow_id(filed.json()["id"])
        opened_workflows.add(complaint)
        # The 201 comes before the complaint's first task: wait for what it sends, then settle.
        await eventually(lambda: len(mailbox.messages) >= 2)
        await settled(env.client, complaint)
        assert (await api.get("/health")).status_code == 200  # probes are not traced
        await close_workflows(env, opened_workflows)

    finished = list(spans.get_finished_spans())
    request = next(s for s in finished if s.name == "POST /complaints")
    assert request.kind is SpanKind.SERVER
    assert request.context is not None
    trace = [s for s in finished if s.context and s.context.trace_id == request.context.trace_id]
    assert request.parent is None
    assert {
        "SignalWithStartWorkflow:MatterWorkflow",
        "RunWorkflow:MatterWorkflow",
        "StartWorkflowUpdate:outcome",
        "StartChildWorkflow:ComplaintWorkflow",
        "RunWorkflow:ComplaintWorkflow",
        "RunActivity:send_notification",
        "RunActivity:record_in_journal",
    } <= names(trace)
    sends = [s for s in trace if s.name == "RunActivity:send_notification"]
    assert len(sends) == len(mailbox.messages) >= 2  # the acknowledgement and the L1 desk's
    assert len({s.context.trace_id for s in finished if s.context}) == 1
    assert not any("/health" in s.name for s in finished)
    customer = FORM["customer"]
    told = " ".join(str(value) for s in finished for value in (s.attributes or {}).values())
    assert customer["email"] not in told and customer["name"] not in told


def test_tracing_is_off_unless_an_endpoint_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STANDARD_ENDPOINT, raising=False)
    assert tracer_provider(TracingSettings(), "complaints-api") is None
    assert temporal_interceptors(None) == []
    monkeypatch.setenv(STANDARD_ENDPOINT, "http://127.0.0.1:4318")
    assert tracer_provider(TracingSettings(), "complaints-api") is not None
    monkeypatch.setenv("COMPLAINTS_TRACING__ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.delenv(STANDARD_ENDPOINT)
    assert ApiSettings().tracing.endpoint == "http://127.0.0.1:4318"
