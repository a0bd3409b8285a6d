"""The case journal's activity: the complaint's latest state and new steps, written once."""

from temporalio import activity

from activities import models
from activities.journal_store import CaseJournal
from activities.models import JournalEntry


class JournalActivities:
    def __init__(self, journal: CaseJournal) -> None:
        self._journal = journal

    @activity.defn(name=models.RECORD_IN_JOURNAL)
    async def record_in_journal(self, entry: JournalEntry) -> None:
        """Idempotent: the row only moves forward, each step is written once."""
        await self._journal.run(lambda: self._journal.record(entry))
