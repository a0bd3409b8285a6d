"""The complaint workflow keeps the case journal: its row, every step once, every message as
sent, through the ladder and across continue-as-new."""

import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from activities.journal_store import CaseJournal, JournalCase, QueueQuery
from activities.models import RECORD_IN_JOURNAL
from api.journal import rebuild
from domain.commands import AddNote
from domain.history import StepKind
from domain.policy_files import load_policy_set
from domain.view import Acknowledgement, ComplaintView
from harness.mailbox import Mailbox
from harness.samples import AGENT, CUSTOMER_EMAIL, POLICY_DIR, SEED_MATRIX
from harness.waiting import eventually
from tests.support.actions import file_with_matter, send
from tests.support.workflows import StartComplaint, settled
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.journaling import LOCAL_WITHIN

H = timedelta(hours=1)


@pytest.fixture
async def journal(
    env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str, tmp_path: Path
) -> AsyncIterator[CaseJournal]:
    """A worker writing to a SQLite journal file, as `make run`'s does."""
    journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    async with build_worker(env.client, smtp, task_queue, journal=journal):
        yield journal


async def test_the_journal_follows_the_complaint_up_the_ladder(
    env: WorkflowEnvironment,
    journal: CaseJournal,
    start_complaint: StartComplaint,
    opened_workflows: set[str],
) -> None:
    handle = await start_complaint(journal=True)
    await send(handle, AddNote(by=AGENT, text="Called the customer", internal=True))
    await env.sleep(48 * H + H)  # L1 breached: escalated to L2
    await settled(env.client, handle.id)
    view = await handle.query(ComplaintWorkflow.view)
    complaint_id = view.id

    async def caught_up() -> JournalCase | None:
        case = journal.case(complaint_id)
        return case if case and len(case.view.history) == len(view.history) else None

    case = await eventually(caught_up)
    assert case.row.level == 2 and case.row.owner_role == view.owner_role
    assert case.view.history == view.history
    assert case.view.model_dump(exclude={"history"}) == view.model_dump(exclude={"history"})
    texts = {(m.recipient_role, m.kind, m.channel) for m in case.messages}
    assert ("customer", "acknowledgement", "email") in texts
    acknowledgement = next(m for m in case.messages if m.kind == "acknowledgement")
    assert acknowledgement.text and acknowledgement.message_id.startswith("<")
    rows, _ = journal.queue(QueueQuery(level=2))
    assert [row.id for row in rows] == [complaint_id]
    notified = [s for s in view.history if s.kind is StepKind.NOTIFIED]
    assert len(case.messages) == len(notified)
    assert CUSTOMER_EMAIL not in acknowledgement.message_key


async def test_a_continued_complaint_has_every_step_once_in_the_journal(
    env: WorkflowEnvironment, journal: CaseJournal, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(history_event_limit=60, journal=True)
    latest = env.client.get_workflow_handle_for(ComplaintWorkflow.run, handle.id)  # any run
    for number in range(30):  # updates only: a query racing the continue-as-new could hang
        note = AddNote(by=AGENT, text=f"note {number}")
        await latest.execute_update(note.update_name(), note, result_type=Acknowledgement)
    await settled(env.client, handle.id)
    view = await _view_after_continuing(latest)
    assert (await latest.describe()).run_id != handle.first_execution_run_id  # it continued

    async def caught_up() -> JournalCase | None:
        case = journal.case(view.id)
        return case if case and len(case.view.history) == len(view.history) else None

    case = await eventually(caught_up)
    assert [s.seq for s in case.view.history] == list(range(1, len(view.history) + 1))


async def _view_after_continuing(
    handle: WorkflowHandle[ComplaintWorkflow, ComplaintView],
) -> ComplaintView:
    """The latest run's view: on a loaded machine the test server may let a query to a run
    that has just continued as new time out once; ask again."""
    for _ in range(4):
        try:
            return await handle.query(ComplaintWorkflow.view, rpc_timeout=timedelta(seconds=10))
        except RPCError as err:
            if err.status is not RPCStatusCode.DEADLINE_EXCEEDED:
                raise
    return await handle.query(ComplaintWorkflow.view)


async def test_a_lost_journal_is_rebuilt_from_the_workflows(
    dev_env: WorkflowEnvironment, mailbox: Mailbox, tmp_path: Path
) -> None:
    """On the dev server: `complaints journal rebuild` lists the complaints (the Java test
    server cannot list)."""
    task_queue = f"tq-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    client = dev_env.client
    complaint_id = uuid.uuid4().hex[:16]
    async with build_worker(client, smtp, task_queue):
        warned = SEED_MATRIX.model_copy(
            update={"warnings": (Fraction(3, 4),)}
        )  # the queue's `warning` badge
        outcome = await file_with_matter(
            client, task_queue, f"m-{complaint_id}", complaint_id, warned
        )
        handle = client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))
        await send(handle, AddNote(by=AGENT, text="before the loss"))
        await settled(client, handle.id)
        view = await handle.query(ComplaintWorkflow.view)
        whole = await handle.query(ComplaintWorkflow.journal_entry)
        fresh = CaseJournal(f"sqlite:///{tmp_path / 'rebuilt.sqlite3'}")
        written = await rebuild(client, fresh, load_policy_set(POLICY_DIR))
    case = fresh.case(outcome.complaint_id)
    assert written >= 1 and case is not None and case.view.history == view.history
    assert (case.row.zone, case.row.reason_category) == ("Asia/Kolkata", "Phone dead after update")
    assert whole.view.history == view.history and whole.steps == len(view.history)
    assert case.row.warn_at is not None and case.row.warn_at == whole.warn_at


async def test_a_journal_that_cannot_write_delays_the_complaint_by_seconds_only(
    env: WorkflowEnvironment,
    journal: CaseJournal,
    mailbox: Mailbox,
    start_complaint: StartComplaint,
    tmp_path: Path,
) -> None:
    """Journal writes are local activities; one the database does not take within
    `LOCAL_WITHIN` is handed to an ordinary activity, which writes once the database is back."""
    blocker = sqlite3.connect(tmp_path / "journal.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the journal's database takes no write
    try:
        handle = await start_complaint(journal=True)

        async def scheduled() -> set[str]:
            history = await handle.fetch_history()
            return {
                e.activity_task_scheduled_event_attributes.activity_type.name
                for e in history.events
                if e.HasField("activity_task_scheduled_event_attributes")
            }

        # The complaint's messages go out (their own activities; they wait for the journal,
        # which records each as sent) and the write is handed to an ordinary activity.
        names = await eventually(
            lambda: _both(scheduled(), {"send_notification", RECORD_IN_JOURNAL}),
            within=LOCAL_WITHIN.total_seconds() * 5,
        )
        assert names >= {"send_notification", RECORD_IN_JOURNAL}
        assert journal.case(handle.id.removeprefix("complaint-")) is None
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    view = await handle.query(ComplaintWorkflow.view)

    async def caught_up() -> JournalCase | None:
        case = journal.case(view.id)
        return case if case and len(case.view.history) >= len(view.history) else None

    case = await eventually(caught_up, within=30)
    assert [s.seq for s in case.view.history] == list(range(1, len(case.view.history) + 1))


async def test_journal_writes_leave_only_markers_in_the_history(
    env: WorkflowEnvironment, journal: CaseJournal, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(journal=True)
    await env.sleep(48 * H + H)
    await settled(env.client, handle.id)
    history = await handle.fetch_history()
    scheduled = {
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    }
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert RECORD_IN_JOURNAL not in scheduled and len(markers) > 2
    view = await handle.query(ComplaintWorkflow.view)
    case = await eventually(lambda: journal.case(view.id))
    assert case.view.history == view.history


async def _both(names: Awaitable[set[str]], wanted: set[str]) -> set[str] | None:
    found = await names
    return found if found >= wanted else None
