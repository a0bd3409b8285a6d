"""worker.py as deployed: a fresh process configured only by its environment."""

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.ledger_postgres import libpq_url
from activities.models import SEND_NOTIFICATION
from api.calendars import business_calendar_for
from domain.intake import Channel, ComplaintIntake, Customer
from domain.policy_files import load_policy_set
from harness.mailbox import Mailbox, free_port
from harness.samples import POLICY_DIR
from harness.temporal import CODEC_ENVIRONMENT
from harness.waiting import eventually
from tests.support.workflows import ComplaintHandle, StartComplaint, settled
from workflows.complaint import ComplaintWorkflow
from workflows.dispatch import DELIVERY_RETRY, SEND_HEARTBEAT_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]


async def start_worker_process(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    ledger: Path | str,
    journal: Path,
    sandbox: bool = False,
) -> asyncio.subprocess.Process:
    """`python worker.py`, configured only by its environment: `ledger` is its
    NOTIFY_SENT_LEDGER (a file or a PostgreSQL URL), `journal` its case journal's file,
    `sandbox` its COMPLAINTS_WORKFLOW_SANDBOX."""
    environment = {
        **os.environ,
        **CODEC_ENVIRONMENT,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "COMPLAINTS_TASK_QUEUE": task_queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "NOTIFY_SENT_LEDGER": str(ledger),
        "COMPLAINTS_JOURNAL_URL": f"sqlite:///{journal}",
        "COMPLAINTS_WORKFLOW_SANDBOX": str(sandbox).lower(),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "worker.py", cwd=ROOT, env=environment
    )


@pytest.fixture(params=[False, True], ids=["unsandboxed", "sandbox"])
async def worker_process(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The worker as production runs it by default (no sandbox) and with the sandbox on."""
    process = await start_worker_process(
        env,
        mailbox,
        task_queue,
        tmp_path / "sent.sqlite3",
        tmp_path / "journal.sqlite3",
        sandbox=request.param,
    )
    yield process
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_the_worker_process_runs_a_complaint_and_stops_cleanly_on_sigterm(
    env: WorkflowEnvironment,
    worker_process: asyncio.subprocess.Process,
    mailbox: Mailbox,
    start_complaint: StartComplaint,
) -> None:
    # A Mexican customer: the worker process has never loaded that phone region's metadata,
    # which it then does while decoding the input (inside the sandbox, when it is on).
    intake = ComplaintIntake(
        customer=Customer(name="Lucía", email="lucia@example.mx", phone="+52 55 1234 5678"),
        country="MX",
        product="Dedica EC685",
        channel=Channel.PHONE,
        reason="No diagnosis",
        description="Three weeks at the service centre without a diagnosis.",
    )
    # De'Longhi's policy counts business days in the Mexican calendar, holidays included: the
    # calendar (zoneinfo, tzdata) must also load in the fresh process (and its sandbox).
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await start_complaint(intake, policy=policy, calendar=calendar)
    await eventually(lambda: len(mailbox.messages) == 2)
    await settled(env.client, handle.id)  # nothing in flight at SIGTERM (the journal written)
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


def ledger_rows(ledger: Path | str) -> int:
    """Messages marked sent in a SQLite ledger file or a PostgreSQL ledger."""
    if isinstance(ledger, str):
        with psycopg.connect(libpq_url(ledger)) as connection:
            if connection.execute("SELECT to_regclass('sent_ledger')").fetchone() == (None,):
                return 0  # no worker has opened it yet
            row = connection.execute("SELECT count(*) FROM sent_ledger WHERE state = 'sent'")
            return row.fetchone()[0]  # pyright: ignore[reportOptionalSubscript]
    if not ledger.exists():
        return 0
    with contextlib.closing(sqlite3.connect(ledger)) as connection:
        return connection.execute("SELECT count(*) FROM sent WHERE state = 'sent'").fetchone()[0]


async def completed_send_attempts(handle: ComplaintHandle, sends: int) -> list[int] | None:
    """The attempts of the complaint's sends (not the case journal's writes), once `sends` of
    them completed. (The history, not a query: queries would go to a dead worker's sticky queue.)"""
    events = (await handle.fetch_history()).events
    scheduled = {
        event.event_id
        for event in events
        if event.activity_task_scheduled_event_attributes.activity_type.name == SEND_NOTIFICATION
    }
    attempts = [
        event.activity_task_started_event_attributes.attempt
        for event in events
        if event.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]
    done = [
        event
        for event in events
        if event.activity_task_completed_event_attributes.scheduled_event_id in scheduled
    ]
    return attempts if len(done) == sends else None


async def test_a_worker_killed_after_the_server_took_an_email_does_not_send_it_again(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    tmp_path: Path,
    start_complaint: StartComplaint,
) -> None:
    ledger = tmp_path / "sent.sqlite3"
    first = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "journal.db")
    try:
        mailbox.quit_answered.clear()  # both emails taken (250), their activities not complete
        # The policy's attempt timeout (send_timeout) stays at its default, 1 minute: the killed
        # worker's sends are retried once their heartbeats stop (SEND_HEARTBEAT_TIMEOUT, 5 s).
        handle = await start_complaint()
        await eventually(lambda: len(mailbox.messages) == 2 and ledger_rows(ledger) == 2)
        first.kill()  # SIGKILL: no activity completes
        await first.wait()
        killed_at = time.monotonic()
    finally:
        mailbox.quit_answered.set()
    second = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "journal.db")
    try:
        # No time skipping while an activity is outstanding: this waits in real time.
        attempts = await eventually(lambda: completed_send_attempts(handle, sends=2))
        recovered_in = time.monotonic() - killed_at
    finally:
        second.kill()
        await second.wait()
    print(f"attempts: {attempts}, raw messages: {len(mailbox.messages)}, {recovered_in:.1f} s")
    limit = SEND_HEARTBEAT_TIMEOUT.total_seconds() + DELIVERY_RETRY.initial_interval.total_seconds()
    assert recovered_in < limit + 8, "retried after the heartbeat timeout, not send_timeout (60 s)"
    assert min(attempts) >= 2, "the killed worker's activities ran again on the new worker"
    assert len(mailbox.messages) == 2, "the ledger kept the retries from sending again"
    assert len(mailbox.message_ids()) == 2


async def test_the_worker_refuses_crm_feeds_for_a_brand_no_policy_has(tmp_path: Path) -> None:
    feeds = tmp_path / "crm-feeds.yaml"
    secret = "a-signing-secret-of-at-least-32-characters"
    feeds.write_text(
        f"xiaomi:\n  - name: c4c\n    url: https://c4c.example.com/h\n    secret: {secret}\n"
    )
    environment = {**os.environ, "COMPLAINTS_CRM_FEEDS_FILE": str(feeds)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "worker.py", cwd=ROOT, env=environment, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    assert process.returncode != 0
    message = stderr.decode()
    assert "refusing to start: CRM feeds configured for unknown brands ['xiaomi']" in message
    assert "'default', 'delonghi-mx', 'xiaomi-in'" in message and secret not in message


async def test_a_worker_killed_before_the_servers_answer_resends_once_with_the_same_message_id(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    tmp_path: Path,
    start_complaint: StartComplaint,
) -> None:
    """The window no ledger can close: the server stored the message, its 250 never reached us."""
    ledger = tmp_path / "sent.sqlite3"
    first = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "journal.db")
    try:
        mailbox.data_answered.clear()  # both stored, neither answered
        handle = await start_complaint()
        await eventually(lambda: len(mailbox.messages) == 2)
        first.kill()
        await first.wait()
        killed_at = time.monotonic()
    finally:
        mailbox.data_answered.set()
    second = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "journal.db")
    try:
        await eventually(lambda: len(mailbox.messages) == 4 and ledger_rows(ledger) == 2)
        recovered_in = time.monotonic() - killed_at
        await settled(env.client, handle.id, within=30)
    finally:
        second.kill()
        await second.wait()
    assert sorted(mailbox.message_ids().values()) == [2, 2], "resent once each, same Message-ID"
    assert recovered_in < 20, "after the heartbeat timeout, not the 1-minute send_timeout"


async def test_a_worker_on_another_host_finds_what_a_killed_worker_sent_in_the_shared_ledger(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    tmp_path: Path,
    start_complaint: StartComplaint,
    postgres_ledger: str,
) -> None:
    """Two hosts' workers (a case journal each) share a PostgreSQL sent-ledger: the server took
    both emails, the first worker died before completing them, the second retries them, finds them
    sent, and sends nothing. With a SQLite file per host the second would have sent both again."""
    ledger = libpq_url(postgres_ledger)  # NOTIFY_SENT_LEDGER=postgresql://…
    first = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "a.sqlite3")
    try:
        mailbox.quit_answered.clear()  # both emails taken (250), their activities not complete
        handle = await start_complaint()
        # A process starting on a loaded machine: more than the default 30 s.
        await eventually(lambda: len(mailbox.messages) == 2 and ledger_rows(ledger) == 2, 60)
        first.kill()
        await first.wait()
    finally:
        mailbox.quit_answered.set()
    second = await start_worker_process(env, mailbox, task_queue, ledger, tmp_path / "b.sqlite3")
    try:
        attempts = await eventually(lambda: completed_send_attempts(handle, sends=2), 60)
    finally:
        second.kill()
        await second.wait()
    assert min(attempts) >= 2, "the killed worker's activities ran again on the other worker"
    assert len(mailbox.messages) == 2, "the shared ledger kept the other host from resending"
    assert sorted(mailbox.message_ids().values()) == [1, 1]


async def test_the_worker_refuses_to_start_without_its_postgresql_ledger() -> None:
    ledger = f"postgresql://ledger:s3cret@127.0.0.1:{free_port()}/complaints"  # nothing listens
    environment = {**os.environ, "NOTIFY_SENT_LEDGER": ledger}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "worker.py", cwd=ROOT, env=environment, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    assert process.returncode != 0
    message = stderr.decode()
    assert "refusing to start: the sent-ledger (PostgreSQL at 127.0.0.1:" in message
    assert "s3cret" not in message
