"""Keeps the case journal (`activities.journal_store`) up to date with the complaint.

One journal write at a time, each with the complaint as it stands and the steps the journal has
not had yet: changes that come while a write is in flight go in the next one. Writes are
idempotent, so a retried activity or a replayed workflow changes nothing twice.

A write is a local activity (`LOCAL_JOURNAL_PATCH`): it runs in the worker that runs the
workflow task, a millisecond's database write, and the history keeps only its marker, not the
complaint it carried (issue 18: about half of a ladder's payload bytes were journal writes).
A local activity holds its workflow task, and the commands made with it, until it ends; when
the journal's database does not take the write within `LOCAL_WITHIN`, the write becomes an
ordinary activity, retried until it does. A database outage so delays a complaint's change by
`LOCAL_WITHIN` at most, never for the outage's length.
"""

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.models import RECORD_IN_JOURNAL, JournalEntry
    from domain.complaint import Complaint
    from domain.view import view_of
    from workflows.switches import switched_on

JOURNAL_PATCH = "case-journal"
"""Named behaviour switch: complaints started before the journal do not write to it (the
journal's `rebuild` takes them from their workflows)."""
JOURNAL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
"""A database outage delays the journal, never the complaint: retry until it takes the write."""
JOURNAL_TIMEOUT = timedelta(seconds=10)
LOCAL_JOURNAL_PATCH = "journal-local-activity"
"""Named behaviour switch: journal writes are local activities (complaints started before it
write with ordinary ones)."""
LOCAL_WITHIN = timedelta(seconds=2)
"""How long a local write may try before the write is handed to an ordinary activity (a local
activity holds its workflow task open while it retries).

It is the write's only timeout, schedule-to-close: the SDK core (temporalio 1.35) loses a
schedule-to-close that elapses at the instant an attempt's start-to-close does, or while the
write backs off between attempts, and then retries for ever."""
LOCAL_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=1),
    maximum_attempts=4,
)
"""Attempts that fail at once: a bound of their own, since a lost `LOCAL_WITHIN` would not end
them."""


class Journaler:
    """The journal writes of one complaint's run."""

    def __init__(
        self, complaint: Complaint, reason_category: str, journaled: int, wanted: bool
    ) -> None:
        self._complaint = complaint
        self._reason_category = reason_category
        self._journaled = journaled
        """Steps the journal has (carried across continue-as-new)."""
        self._writing: asyncio.Task[None] | None = None
        self._on: bool | None = None if wanted else False
        self._stopped = False

    @property
    def journaled(self) -> int:
        return self._journaled

    def catch_up(self) -> None:
        """Start a write if the journal lacks steps and none is in flight."""
        if self._on is None:
            self._on = switched_on(self._complaint, JOURNAL_PATCH)
        if not self._on or self._stopped:
            return
        if self._writing is not None and not self._writing.done():
            return
        if len(self._complaint.history) > self._journaled:
            self._writing = asyncio.create_task(self._write_until_caught_up())

    async def settle(self) -> None:
        """Wait for the journal to have every step (before the run ends)."""
        while self._writing is not None and not self._writing.done():
            await self._writing
            self.catch_up()

    async def stop(self) -> None:
        """Let the write in flight finish and start no other: before continuing as new, whose
        run writes what the journal still lacks (waiting for it to catch up with updates still
        coming in could postpone the continue-as-new for ever)."""
        self._stopped = True
        if self._writing is not None:
            await self._writing

    async def _write_until_caught_up(self) -> None:
        complaint = self._complaint
        while not self._stopped and len(complaint.history) > self._journaled:
            through = len(complaint.history)
            entry = journal_entry(complaint, self._reason_category, since=self._journaled)
            local = switched_on(complaint, LOCAL_JOURNAL_PATCH)
            if not local or not await _written_locally(entry):
                await workflow.execute_activity(
                    RECORD_IN_JOURNAL,
                    entry,
                    start_to_close_timeout=JOURNAL_TIMEOUT,
                    retry_policy=JOURNAL_RETRY,
                    summary="case journal",
                )
            self._journaled = through


async def _written_locally(entry: JournalEntry) -> bool:
    """Whether a local activity wrote `entry` within `LOCAL_WITHIN`."""
    try:
        await workflow.execute_local_activity(
            RECORD_IN_JOURNAL,
            entry,
            schedule_to_close_timeout=LOCAL_WITHIN,
            retry_policy=LOCAL_RETRY,
            summary="case journal",
        )
    except ActivityError as err:
        workflow.logger.warning("the case journal did not take a write locally: %s", err.cause)
        return False
    return True


def journal_entry(complaint: Complaint, reason_category: str, since: int = 0) -> JournalEntry:
    """The complaint as the journal takes it, with the steps after the first `since`."""
    view = view_of(complaint)
    return JournalEntry(
        view=view.model_copy(update={"history": view.history[since:]}),
        steps=len(view.history),
        reason_category=reason_category,
        warn_at=_first_warning(complaint),
        zone=complaint.zone_name,
    )


def _first_warning(complaint: Complaint) -> datetime | None:
    """When the current level's first warning falls (due or past): the queue's `warning`."""
    if not complaint.policy.warnings or complaint.holding is not None:
        return None  # a case's promise holding the level sends no warnings of its window
    return complaint.clock.moment_used(complaint.clock.window * min(complaint.policy.warnings))
