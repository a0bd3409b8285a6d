"""worker.py as deployed: a fresh process configured only by its environment."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.holidays import business_calendar_for
from domain.intake import Channel, ComplaintIntake, Customer
from domain.policy_files import load_policy_set
from tests.conftest import StartComplaint
from tests.mailbox import Mailbox
from tests.samples import POLICY_DIR
from tests.waiting import eventually
from workflows.complaint import ComplaintWorkflow

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
    # De'Longhi's policy counts business days in the Mexican calendar, holidays included: the
    # calendar (zoneinfo, tzdata) must also load inside the fresh process's sandbox.
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await start_complaint(intake, policy=policy, calendar=calendar)
    await eventually(lambda: len(mailbox.messages) == 2)  # nothing in flight at SIGTERM
    view = await handle.query(ComplaintWorkflow.view)
    assert (view.policy_name, view.deadline) == (
        "delonghi-mexico",
        view.opened_at + timedelta(hours=72),
    )

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
