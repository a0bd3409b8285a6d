"""MatterWorkflow: one per customer and product, so a repeat filing finds the open complaint.

Filings about the same matter arrive as signals on one workflow (signal-with-start: durable the
moment the API has sent it, worker or not) and are routed one at a time, in order: two filings at
the same instant cannot both start a complaint. The first starts a ComplaintWorkflow as a child;
while it runs, later filings are repeat contacts on it; after it closes, a filing within the
policy's repeat window starts a new complaint that counts the earlier ones. The workflow ends once
no complaint is open and the window has passed.

A filing's outcome is known once the matter decides to start a complaint, before the child has
started: it is answered in that same workflow task (`EARLY_OUTCOME_PATCH`), with the instant the
complaint opens at, and the API builds the 201's receipt from it (issue 18: one workflow task
on the filing's path instead of three).
"""

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ChildWorkflowError, FailureError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.complaint import zone_name_for
    from domain.engine_room import complaint_static_details, complaint_summary, matter_details
    from domain.sla import due_after
    from domain.view import view_of
    from workflows.complaint import ComplaintWorkflow
    from workflows.ids import workflow_id
    from workflows.inputs import ComplaintStart, Filing, FilingOutcome, MatterStart
    from workflows.sealed import (
        accepted_signal,
        cancellation_refused,
        unsealed_refusal,
        value_of,
    )
    from workflows.search_attributes import complaint_search_values, typed

EARLY_OUTCOME_PATCH = "outcome-before-child-start"
"""Named behaviour switch: matters recorded before it answer a new complaint's outcome once its
child workflow has started (a workflow task later), without the instant it opened at."""
EARLY_OUTCOME_IMPLIED = 2
"""Matters started at this revision (`MatterStart.revision`) on answer early without asking
the patch: no marker, nor its `TemporalChangeVersion` upsert, in every new matter's history."""


@workflow.defn
class MatterWorkflow:
    """Routes each filing about one matter: a new complaint, or a repeat contact on the open one."""

    @workflow.init
    def __init__(self, start: MatterStart) -> None:
        self._matter_id = start.matter_id
        self._revision = start.revision
        self._open: str | None = None
        self._filed_at: list[datetime] = []
        self._window_ends_at: datetime | None = None
        self._zone_name = "UTC"
        """The latest filing's zone, for the repeat window's end in the Web UI."""
        self._pending: list[Filing] = []
        self._bounced: list[Filing] = []
        self._outcomes: dict[str, FilingOutcome] = {}
        """By the id a filing proposed: a retried filing gets the same answer and counts once."""
        self._proposals: dict[str, int] = {}
        """Filings that proposed each id: a retried one gets no `opened_at` (its receipt is the
        complaint as it stands, not as it opened)."""
        self._watchers: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self, start: MatterStart) -> list[str]:
        if refusal := start.start_refusal("the matter's start"):
            raise refusal
        while True:
            self._show_details()
            try:
                await self._wait_for_work()
            except asyncio.CancelledError:
                if not cancellation_refused():
                    raise
                continue
            if self._pending:
                filing = self._pending.pop(0)
                if filing.start.complaint_id not in self._outcomes:
                    await self._route(filing)
            elif self._open is None and self._bounced:
                await self._start_complaint(self._bounced.pop(0))
            elif self._open is None and self._window_over():
                break
        self._show_details()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return sorted({outcome.complaint_id for outcome in self._outcomes.values()})

    async def _wait_for_work(self) -> None:
        if self._open is not None:  # until a filing arrives or the complaint closes
            await workflow.wait_condition(lambda: bool(self._pending) or self._open is None)
        else:  # until a filing arrives, or the repeat window is over
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: bool(self._pending or self._bounced), timeout=self._time_left()
                )

    # Input arrives raw: what was not encrypted with the complaints key is refused
    # (workflows.sealed).

    @workflow.signal(name="file")
    def file(self, filing: RawValue) -> None:
        """A complaint as filed (a `Filing`); routed in the order filings arrive."""
        if accepted_signal(filing, "file"):
            filed = value_of(filing, Filing)
            proposed = filed.start.complaint_id
            self._proposals[proposed] = self._proposals.get(proposed, 0) + 1
            self._pending.append(filed)

    @workflow.signal(name="bounce")
    def bounce(self, filing: RawValue) -> None:
        """A filing (`Filing`) reached a complaint just as it closed: it starts the next one."""
        if accepted_signal(filing, "bounce"):
            self._bounced.append(value_of(filing, Filing))

    @workflow.update(name="outcome")
    async def outcome(self, complaint_id: RawValue) -> FilingOutcome:
        """Where the filing that proposed `complaint_id` (a string) went, once it is routed."""
        proposed = value_of(complaint_id, str)
        await workflow.wait_condition(lambda: proposed in self._outcomes)
        outcome = self._outcomes[proposed]
        if self._proposals.get(proposed, 0) > 1:
            return outcome.model_copy(update={"opened_at": None})
        return outcome

    @outcome.validator
    def _sealed_outcome(self, complaint_id: RawValue) -> None:
        if refusal := unsealed_refusal(complaint_id, "outcome"):
            raise refusal

    async def _route(self, filing: Filing) -> None:
        self._note_filing(filing)
        if self._open is None:
            await self._start_complaint(filing)
            return
        open_id = self._open
        complaint = workflow.get_external_workflow_handle(workflow_id(open_id))
        try:
            await complaint.signal("filed_again", filing)
        except FailureError as err:  # it ended without closing (terminated): a new complaint
            workflow.logger.warning("complaint %s cannot take a filing: %s", open_id, err)
            self._forget(open_id)
            await self._start_complaint(filing)
            return
        self._outcomes[filing.start.complaint_id] = FilingOutcome(complaint_id=open_id, repeat=True)

    async def _start_complaint(self, filing: Filing) -> None:
        proposed = filing.start.complaint_id
        start = filing.start.model_copy(
            update={"earlier_filings": len(self._filed_at) - 1, "matter_id": self._matter_id}
        )
        indexed = TypedSearchAttributes.empty
        if self._revision >= EARLY_OUTCOME_IMPLIED or workflow.patched(EARLY_OUTCOME_PATCH):
            opened_at = workflow.now()
            start = start.model_copy(update={"opened_at": opened_at})
            self._outcomes[proposed] = FilingOutcome(
                complaint_id=proposed,
                repeat=False,
                opened_at=opened_at,
                earlier_filings=start.earlier_filings,
            )
            indexed = _search_attributes_at_opening(start, opened_at)
        try:
            complaint = await workflow.start_child_workflow(
                ComplaintWorkflow.run,
                start,
                search_attributes=indexed,
                id=workflow_id(proposed),
                # An id names one complaint forever: a retry after it closed must not file anew.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                static_summary=complaint_summary(proposed, start.intake, start.policy),
                static_details=complaint_static_details(start.intake, start.policy),
            )
        except WorkflowAlreadyStartedError:  # a filing retried after its matter ended
            self._outcomes[proposed] = FilingOutcome(complaint_id=proposed, repeat=False)
            return
        self._open = proposed
        self._outcomes.setdefault(proposed, FilingOutcome(complaint_id=proposed, repeat=False))
        workflow.upsert_memo({"open_complaint": proposed})
        self._watch(complaint, proposed)

    def _watch(self, complaint: workflow.ChildWorkflowHandle[Any, Any], complaint_id: str) -> None:
        """Forget the open complaint once its workflow has finished (closed)."""

        async def closed() -> None:
            try:
                await complaint
            except ChildWorkflowError as err:  # terminated or failed: it is not open either
                workflow.logger.warning("complaint %s ended without closing: %s", complaint_id, err)
            self._forget(complaint_id)

        self._watchers.append(asyncio.create_task(closed()))

    def _forget(self, complaint_id: str) -> None:
        if self._open == complaint_id:
            self._open = None

    def _note_filing(self, filing: Filing) -> None:
        now = workflow.now()
        policy, calendar = filing.start.policy, filing.start.calendar

        def window_end(at: datetime) -> datetime:
            # The rule matters have always run with: moving running matters' windows to
            # `Switch.BUSINESS_DAYS_FROM_WORKING_TIME` would need a patch of their own.
            return due_after(at, policy.repeat_window, calendar, from_last_working_moment=False)

        self._filed_at = [at for at in self._filed_at if window_end(at) > now] + [now]
        self._window_ends_at = window_end(now)
        self._zone_name = zone_name_for(policy, filing.start.intake.country, calendar)

    def _show_details(self) -> None:
        """The Web UI's current details: filings, the open complaint, the repeat window."""
        started = dict.fromkeys(o.complaint_id for o in self._outcomes.values() if not o.repeat)
        workflow.set_current_details(
            matter_details(
                filings=len(self._outcomes),
                open_complaint=self._open,
                complaints=list(started),
                window_ends_at=self._window_ends_at,
                zone_name=self._zone_name,
                now=workflow.now(),
            )
        )

    def _window_over(self) -> bool:
        return self._window_ends_at is None or workflow.now() >= self._window_ends_at

    def _time_left(self) -> timedelta | None:
        if self._window_ends_at is None:
            return None
        return max(self._window_ends_at - workflow.now(), timedelta(0))


def _search_attributes_at_opening(
    start: ComplaintStart, opened_at: datetime
) -> TypedSearchAttributes:
    """The complaint's search attributes as it opens: it is listed, and its brand and customer
    known to the API, from the moment it exists (the API answers before its first task)."""
    opened = start.opening(opened_at)
    category = start.policy.reason_category(start.intake.reason)
    values = complaint_search_values(view_of(opened), start.customer_id, start.matter_id, category)
    return typed(values)
