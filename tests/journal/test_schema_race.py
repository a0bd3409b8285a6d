"""The worker and the API open a new journal at the same instant (`make run` starts both)."""

from pathlib import Path

from tests.support.opening import failures_opening_at_once


def test_processes_starting_at_once_all_open_a_new_journal(tmp_path: Path) -> None:
    failures = failures_opening_at_once(
        tmp_path,
        "from activities.journal_store import CaseJournal",
        'CaseJournal(f"sqlite:///{path}")',
        processes=3,
        rounds=15,
        lead=3.0,
    )
    assert not failures, f"a process could not open a new journal: {failures}"
