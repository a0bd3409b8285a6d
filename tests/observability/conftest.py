"""A worker whose Temporal runtime serves Prometheus metrics on a free port of its own."""

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from harness.mailbox import free_port
from harness.temporal import start_test_server
from workflows.connection import runtime_with_metrics


@pytest.fixture
def metrics_url() -> str:
    """Where the test's runtime serves `/metrics`."""
    return f"http://127.0.0.1:{free_port()}/metrics"


@pytest.fixture
async def env(metrics_url: str) -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server, its client (and so the test's worker) on a runtime of the
    test's own with the worker's Prometheus configuration: the counts start at zero."""
    address = metrics_url.removeprefix("http://").removesuffix("/metrics")
    async with start_test_server(runtime=runtime_with_metrics(address)) as environment:
        yield environment
