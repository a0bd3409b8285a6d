"""The case journal as the API reads it, and how an operator fills it again from Temporal."""

import functools
import logging

from fastapi import Request
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError

from activities.journal_store import CaseJournal
from activities.models import JournalEntry
from api.calendars import business_calendar_for
from domain.complaint import zone_name_for
from domain.policy_files import PolicySet
from domain.view import ComplaintView
from workflows.complaint import ComplaintWorkflow

log = logging.getLogger(__name__)


def case_journal(request: Request) -> CaseJournal:
    """The journal opened at start-up."""
    return request.app.state.journal


async def rebuild(client: Client, journal: CaseJournal, policies: PolicySet) -> int:
    """Write every complaint Temporal holds (open or closed, within retention) to the journal,
    as its workflow gives it: for complaints started before the journal, or a journal lost.
    Idempotent like every journal write. Returns how many complaints were written."""
    written = 0
    query = "WorkflowType = 'ComplaintWorkflow' AND ExecutionStatus != 'ContinuedAsNew'"
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle_for(ComplaintWorkflow.run, execution.id)
        entry = await _entry_of(handle, policies)
        await journal.run(functools.partial(journal.record, entry, live=False))
        written += 1
        log.info("journal: %s (%d steps)", entry.view.id, entry.steps)
    return written


async def _entry_of(
    handle: WorkflowHandle[ComplaintWorkflow, ComplaintView], policies: PolicySet
) -> JournalEntry:
    """The complaint as its workflow gives it to the journal (`journal_entry`); from its `view`
    while the worker is older than that query (no first warning then: no `warning` badge)."""
    try:
        return await handle.query(ComplaintWorkflow.journal_entry)
    except WorkflowQueryFailedError:
        view = await handle.query(ComplaintWorkflow.view)
    policy = policies.for_brand(view.intake.brand)
    calendar = business_calendar_for(policy, view.intake.country, view.opened_at.date())
    return JournalEntry(
        view=view,
        steps=len(view.history),
        reason_category=policy.reason_category(view.intake.reason),
        warn_at=None,
        zone=zone_name_for(policy, view.intake.country, calendar),
    )
