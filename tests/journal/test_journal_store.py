"""The case journal on SQLite and on PostgreSQL: idempotent writes, the queue's order and
filters, a case with its whole history and its messages."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from activities.journal_store import CaseJournal, QueueQuery
from activities.models import JournalEntry, JournalMessage
from domain.filing import open_complaint
from domain.history import Assignee
from domain.messages import DeliveryChannel
from domain.status import ComplaintStatus
from domain.view import ComplaintView, view_of
from harness.samples import SEED_MATRIX, sample_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def journal(database: str) -> CaseJournal:
    return CaseJournal(database)


def filed(complaint_id: str, at: datetime = NOW, brand: str | None = None) -> ComplaintView:
    intake = sample_intake().model_copy(update={"brand": brand})
    return view_of(open_complaint(complaint_id, intake, SEED_MATRIX, at))


def entry(view: ComplaintView, since: int = 0, **changes: object) -> JournalEntry:
    changed = view.model_copy(update=changes)
    return JournalEntry(
        view=changed.model_copy(update={"history": changed.history[since:]}),
        steps=len(view.history),
        reason_category="other",
        warn_at=None,
        zone="Asia/Kolkata",
    )


def test_writes_are_idempotent_and_the_row_only_moves_forward(journal: CaseJournal) -> None:
    view = filed("c1")
    journal.record(entry(view))
    journal.record(entry(view))  # a retried activity
    later = entry(view, level=2, level_name="Head of Customer Service")
    journal.record(later.model_copy(update={"steps": len(view.history) + 1}))
    journal.record(entry(view, level=1))  # an older write arriving late changes nothing
    case = journal.case("c1")
    assert case is not None
    assert case.row.level == 2
    assert [s.seq for s in case.view.history] == [s.seq for s in view.history]


def test_the_queue_puts_breaches_first_then_the_nearest_deadline(journal: CaseJournal) -> None:
    deadlines = {"later": NOW + 20 * H, "sooner": NOW + 2 * H, "paused": None}
    for complaint_id, deadline in deadlines.items():
        journal.record(entry(filed(complaint_id), deadline=deadline))
    journal.record(entry(filed("late"), deadline=NOW - H, breached=True))
    journal.record(entry(filed("done"), status=ComplaintStatus.CLOSED))
    rows, total = journal.queue(QueueQuery())
    assert [row.id for row in rows] == ["late", "sooner", "later", "paused"]
    assert total == 4
    due, _ = journal.queue(QueueQuery(due_before=NOW + 3 * H))
    assert [row.id for row in due] == ["late", "sooner"]
    page, total = journal.queue(QueueQuery(page=1, page_size=3))
    assert ([row.id for row in page], total) == (["paused"], 4)


def test_a_brand_scoped_queue_shows_only_those_brands(journal: CaseJournal) -> None:
    journal.record(entry(filed("x", brand="xiaomi-in")))
    journal.record(entry(filed("d", brand="delonghi-mx")))
    rows, _ = journal.queue(QueueQuery(brands=["delonghi-mx"]))
    assert [row.id for row in rows] == ["d"]


def test_a_message_is_kept_once_as_it_was_sent(journal: CaseJournal) -> None:
    journal.record(entry(filed("c1")))
    message = JournalMessage(
        complaint_id="c1",
        message_key="c1/1/acknowledgement/customer/email",
        message_id="<c1.1@complaints.local>",
        sent_at=NOW,
        channel=DeliveryChannel.EMAIL,
        recipient_role="customer",
        kind="acknowledgement",
        template="acknowledgement",
        subject="We received your complaint",
        text="Dear Asha, …",
    )
    journal.record_message(message)
    journal.record_message(message.model_copy(update={"text": "a retry"}))
    case = journal.case("c1")
    assert case is not None and [m.text for m in case.messages] == ["Dear Asha, …"]
    assert journal.case("unknown") is None


def test_my_queue_is_what_i_hold(journal: CaseJournal) -> None:
    journal.record(entry(filed("mine"), assignee=Assignee(sub="priya", name="Priya")))
    journal.record(entry(filed("theirs"), assignee=Assignee(sub="ana", name="Ana")))
    journal.record(entry(filed("nobody")))
    rows, _ = journal.queue(QueueQuery(assignee_sub="priya"))
    assert [(row.id, row.assignee_name) for row in rows] == [("mine", "Priya")]


def test_a_journal_made_by_an_earlier_version_gets_the_queue_index(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    CaseJournal(f"sqlite:///{path}").record(entry(filed("c1")))
    with sqlite3.connect(path) as db:  # as versions before the queue's index made it
        db.execute("DROP INDEX ix_complaints_queue")
        db.execute("CREATE INDEX ix_complaints_status ON complaints (status)")
    journal = CaseJournal(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        indexes = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM complaints WHERE status IN "
                "('awaiting_approval', 'awaiting_customer', 'open', 'paused') "
                "ORDER BY breached DESC, deadline IS NULL, deadline, id LIMIT 50"
            )
        )
    assert "ix_complaints_queue" in indexes and "ix_complaints_status" not in indexes
    assert "ix_complaints_queue" in plan and "TEMP B-TREE" not in plan  # no sort of them all
    assert [row.id for row in journal.queue(QueueQuery())[0]] == ["c1"]
