"""worker.py as deployed: a fresh process configured only by its environment."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.intake import Channel, ComplaintIntake, Customer
from tests.conftest import StartComplaint
from tests.mailbox import Mailbox
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def worker_process(
    env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    environment = {
        **os.environ,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "COMPLAINTS_TASK_QUEUE": task_queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "worker.py", cwd=ROOT, env=environment
    )
    yield process
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_the_worker_process_runs_a_complaint_and_stops_cleanly_on_sigterm(
    worker_process: asyncio.subprocess.Process, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    # A Mexican customer: the worker process has never loaded that phone region's metadata,
    # which it then does inside the workflow sandbox while decoding the input.
    intake = ComplaintIntake(
        customer=Customer(name="Lucía", email="lucia@example.mx", phone="+52 55 1234 5678"),
        country="MX",
        product="Dedica EC685",
        channel=Channel.PHONE,
        reason="No diagnosis",
        description="Three weeks at the service centre without a diagnosis.",
    )
    await start_complaint(intake)
    await eventually(lambda: mailbox.to("lucia@example.mx"))

    worker_process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        assert await worker_process.wait() == 0


async def test_the_worker_refuses_to_start_with_a_broken_policy(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text("levels:\n  - name: Desk\n    resolution_window: soon\n")
    environment = {**os.environ, "ESCALATION_POLICY": str(tmp_path)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "worker.py", cwd=ROOT, env=environment, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    assert process.returncode != 0
    message = stderr.decode()
    assert "refusing to start, the escalation policy is wrong" in message
    assert "default.yaml:3: levels.0.resolution_window: 'soon' is not a duration" in message
