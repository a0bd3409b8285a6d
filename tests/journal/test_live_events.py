"""The desk's live events: made once, when the journal first writes a supervisor call's steps or
a breach, with who asked for the supervisor and who held the complaint."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.journal_store import CaseJournal
from activities.models import JournalEntry
from domain.assignment import Take
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import Actor, ActorRole
from domain.ladder import advance
from domain.live import LiveKind
from domain.supervisor_call import RequestSupervisor, SupervisorJoined, remind_hold
from domain.view import view_of
from harness.samples import SEED_MATRIX, sample_intake

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PRIYA = Actor(role=ActorRole.AGENT, name="Priya")
ASHA = Actor(role=ActorRole.SUPERVISOR, name="Asha")


def written(journal: CaseJournal, complaint: Complaint, since: int) -> int:
    """Journal the steps after `since`, as the workflow does; returns the steps written."""
    view = view_of(complaint)
    journal.record(
        JournalEntry(
            view=view.model_copy(update={"history": view.history[since:]}),
            steps=len(view.history),
            reason_category="other",
            warn_at=None,
            zone="Asia/Kolkata",
        )
    )
    return len(view.history)


def test_a_supervisor_call_tells_the_supervisors_and_reminds_the_agent_who_asked(
    tmp_path: Path,
) -> None:
    journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, NOW)
    done = written(journal, complaint, 0)
    assert journal.live_events_after(0) == []
    RequestSupervisor(by=PRIYA, reason="Wants a refund now.").act(complaint, NOW)
    done = written(journal, complaint, done)
    remind_hold(complaint, NOW + timedelta(minutes=2, seconds=30))
    done = written(journal, complaint, done)  # the request is in an earlier write
    written(journal, complaint, 0)  # a retried or replayed write: nothing new
    SupervisorJoined(by=ASHA).act(complaint, NOW + timedelta(minutes=3))
    written(journal, complaint, done)

    events = journal.live_events_after(0)
    assert [event.kind for _, event in events] == [
        LiveKind.SUPERVISOR_REQUESTED,
        LiveKind.HOLD_REMINDER,
        LiveKind.SUPERVISOR_JOINED,
    ]
    numbers = [number for number, _ in events]
    assert numbers == sorted(numbers)
    request, reminder, joined = (event for _, event in events)
    assert "Priya" in request.text and "Wants a refund now." in request.text
    assert reminder.requester == PRIYA and joined.requester == PRIYA
    assert reminder.text.startswith("Refresh the customer's hold")
    assert journal.live_events_after(numbers[0]) == events[1:]
    assert journal.last_live_event() == numbers[-1]


def test_a_breach_names_who_held_the_complaint_before_the_escalation_let_it_go(
    tmp_path: Path,
) -> None:
    journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    complaint = open_complaint("c2", sample_intake(), SEED_MATRIX, NOW)
    Take(by=PRIYA, by_sub="priya").act(complaint, NOW)
    done = written(journal, complaint, 0)
    deadline = view_of(complaint).deadline
    assert deadline is not None
    advance(complaint, deadline)
    assert complaint.assignee is None and complaint.level == 2
    written(journal, complaint, done)

    [(_, breach)] = journal.live_events_after(0)
    assert breach.kind is LiveKind.BREACHED
    assert breach.holder_sub == "priya"
    assert breach.level == 2
    assert breach.text.startswith("Breached its level 1 deadline; now at level 2")


def test_a_rebuilt_journal_makes_no_live_events(tmp_path: Path) -> None:
    journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    complaint = open_complaint("c3", sample_intake(), SEED_MATRIX, NOW)
    RequestSupervisor(by=PRIYA, reason="Wants a refund now.").act(complaint, NOW)
    view = view_of(complaint)
    entry = JournalEntry(
        view=view, steps=len(view.history), reason_category="o", warn_at=None, zone="UTC"
    )
    journal.record(entry, live=False)
    assert journal.live_events_after(0) == []
    assert journal.last_live_event() == 0
