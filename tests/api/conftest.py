"""The API served for tests: a module's on its dev server, with a worker (for tests that send
many requests to one set of complaints: hostile input, page cursors), and a guest's on the test
server (each request says whose credentials it sends)."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from api.settings import ApiSettings
from harness.api import serve_api
from harness.mailbox import Mailbox, free_port
from worker import build_worker


@pytest.fixture(scope="module")
def api_env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """The Temporal environment the module's API calls (a module may wrap its client)."""
    return dev_env


@pytest.fixture(scope="module")
async def module_api(
    dev_env: WorkflowEnvironment, api_env: WorkflowEnvironment
) -> AsyncIterator[httpx.AsyncClient]:
    """The API with the shipped policies and a worker on the module's dev server; an admin's
    client (pass `headers=` per request to call as someone else)."""
    task_queue = f"tq-{uuid.uuid4()}"
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    try:
        async with (
            build_worker(dev_env.client, smtp, task_queue),
            serve_api(api_env, ApiSettings(task_queue=task_queue), set()) as api,
        ):
            yield api
    finally:
        mailbox.stop()


CALLS = ("describe_workflow_execution", "query_workflow", "get_workflow_execution_history")
"""The calls that read a complaint (`calls` counts them): a describe, a query, its history."""


@pytest.fixture
def calls(env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the API's calls to the Temporal server, by RPC."""
    counted: Counter[str] = Counter()
    service = env.client.workflow_service
    for name in CALLS:
        monkeypatch.setattr(service, name, _counting(counted, name, getattr(service, name)))
    return counted


def _counting(counted: Counter[str], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    async def counting(*args: Any, **kwargs: Any) -> Any:
        counted[name] += 1
        return await call(*args, **kwargs)

    return counting
