"""`python worker.py` as an operator runs it, configured by its environment only: Prometheus
metrics at COMPLAINTS_METRICS_ADDRESS, and spans posted over OTLP/HTTP to the collector
COMPLAINTS_TRACING__ENDPOINT names (here a small receiver of the test's own)."""

import asyncio
import signal
import sys
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from temporalio.testing import WorkflowEnvironment

from harness.mailbox import Mailbox, free_port
from harness.serving import serving
from harness.temporal import CODEC_ENVIRONMENT
from harness.waiting import eventually
from tests.support.metrics import scrape, total
from tests.support.processes import ROOT, without_complaints_settings
from tests.support.workflows import StartComplaint, settled


def collector(received: list[ExportTraceServiceRequest]) -> Starlette:
    """An OTLP/HTTP trace receiver keeping what it is sent."""

    async def traces(request: Request) -> Response:
        received.append(ExportTraceServiceRequest.FromString(await request.body()))
        return Response(b"", media_type="application/x-protobuf")

    return Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])


async def test_the_worker_serves_metrics_and_sends_spans_where_configured(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    tmp_path: Path,
    start_complaint: StartComplaint,
) -> None:
    received: list[ExportTraceServiceRequest] = []
    metrics = f"127.0.0.1:{free_port()}"
    async with serving(collector(received)) as port:
        environment = {
            **without_complaints_settings(),
            **CODEC_ENVIRONMENT,
            "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
            "COMPLAINTS_TASK_QUEUE": task_queue,
            "COMPLAINTS_JOURNAL_URL": f"sqlite:///{tmp_path / 'journal.sqlite3'}",
            "COMPLAINTS_METRICS_ADDRESS": metrics,
            "COMPLAINTS_TRACING__ENDPOINT": f"http://127.0.0.1:{port}",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mailbox.port),
            "NOTIFY_SENT_LEDGER": str(tmp_path / "sent.sqlite3"),
        }
        environment.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "worker.py", cwd=ROOT, env=environment
        )
        try:
            handle = await start_complaint()
            await eventually(lambda: len(mailbox.messages) == 2, within=60)
            await settled(env.client, handle.id)
            page = await scrape(f"http://{metrics}/metrics")
        finally:
            worker.send_signal(signal.SIGTERM)  # sends the spans still batched, then exits
            async with asyncio.timeout(30):
                assert await worker.wait() == 0

    assert total(page, "complaints_filed", task_queue=task_queue) == 1
    assert total(page, "complaints_notifications_sent", task_queue=task_queue) == 2
    pollers = {"poller_type": "workflow_task", "task_queue": task_queue}
    assert total(page, "temporal_num_pollers", **pollers) >= 1

    spans = [
        (resource.resource, span.name)
        for request in received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    sends = [name for _, name in spans if name == "RunActivity:send_notification"]
    assert len(sends) == 2
    services = {
        attribute.value.string_value
        for resource, _ in spans
        for attribute in resource.attributes
        if attribute.key == "service.name"
    }
    assert services == {"complaints-worker"}
