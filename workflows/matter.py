"""MatterWorkflow: one per customer and product, so a repeat filing finds the open complaint.

Filings about the same matter arrive as updates on one workflow (update-with-start), which
serialises them: two filings at the same instant cannot both start a complaint. The first starts
a ComplaintWorkflow as a child; while it runs, later filings are repeat contacts on it; after it
closes, a filing within the policy's repeat window starts a new complaint that counts the earlier
ones. The workflow ends once no complaint is open and the window has passed.
"""

import asyncio
import contextlib
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.sla import due_after
    from workflows.client import workflow_id
    from workflows.complaint import ComplaintWorkflow, Filing


class FilingOutcome(BaseModel):
    complaint_id: str
    repeat: bool = Field(description="Routed to a complaint already open about the same matter")


class MatterStart(BaseModel):
    matter_id: str


@workflow.defn
class MatterWorkflow:
    """Routes each filing about one matter: a new complaint, or a repeat contact on the open one."""

    @workflow.init
    def __init__(self, start: MatterStart) -> None:
        self._matter_id = start.matter_id
        self._open: str | None = None
        self._filed_at: list[datetime] = []
        self._window_ends_at: datetime | None = None
        self._outcomes: dict[str, FilingOutcome] = {}
        """By the id a filing proposed: a retried filing gets the same answer."""
        self._bounced: list[Filing] = []
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: MatterStart) -> list[str]:
        while True:
            await workflow.wait_condition(lambda: self._open is None)
            if self._bounced:
                filing = self._bounced.pop(0)
                async with self._lock:
                    outcome = await self._start_complaint(filing)
                self._outcomes[filing.start.complaint_id] = outcome
                continue
            if self._window_over():
                break
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._open is not None or bool(self._bounced),
                    timeout=self._time_left(),
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return sorted({outcome.complaint_id for outcome in self._outcomes.values()})

    @workflow.update
    async def file(self, filing: Filing) -> FilingOutcome:
        """Start a complaint, or add a repeat contact to the one open about this matter."""
        proposed = filing.start.complaint_id
        async with self._lock:
            if proposed in self._outcomes:
                return self._outcomes[proposed]
            outcome = await self._route(filing)
            self._outcomes[proposed] = outcome
            return outcome

    @workflow.signal
    def bounce(self, filing: Filing) -> None:
        """A filing reached a complaint just as it closed: it starts the next complaint."""
        self._bounced.append(filing)

    @workflow.query
    def open_complaint(self) -> str | None:
        return self._open

    async def _route(self, filing: Filing) -> FilingOutcome:
        self._note_filing(filing)
        if self._open is None:
            return await self._start_complaint(filing)
        complaint = workflow.get_external_workflow_handle(workflow_id(self._open))
        await complaint.signal(ComplaintWorkflow.filed_again, filing)
        return FilingOutcome(complaint_id=self._open, repeat=True)

    async def _start_complaint(self, filing: Filing) -> FilingOutcome:
        complaint_id = filing.start.complaint_id
        earlier = len(self._filed_at) - 1
        start = filing.start.model_copy(
            update={"earlier_filings": earlier, "matter_id": self._matter_id}
        )
        handle = await workflow.start_child_workflow(
            ComplaintWorkflow.run,
            start,
            id=workflow_id(complaint_id),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            static_summary=f"{start.intake.reason} ({start.intake.product})",
        )
        self._open = complaint_id
        workflow.upsert_memo({"open_complaint": complaint_id})

        async def watch() -> None:
            await handle
            if self._open == complaint_id:
                self._open = None

        asyncio.create_task(watch())  # noqa: RUF006 - the workflow outlives the complaint
        return FilingOutcome(complaint_id=complaint_id, repeat=False)

    def _note_filing(self, filing: Filing) -> None:
        now = workflow.now()
        window = filing.start.policy.repeat_window
        self._filed_at = [at for at in self._filed_at if self._within(at, now, filing)] + [now]
        self._window_ends_at = due_after(now, window, filing.start.calendar)

    @staticmethod
    def _within(earlier: datetime, now: datetime, filing: Filing) -> bool:
        return due_after(earlier, filing.start.policy.repeat_window, filing.start.calendar) > now

    def _window_over(self) -> bool:
        return self._window_ends_at is None or workflow.now() >= self._window_ends_at

    def _time_left(self) -> timedelta | None:
        if self._window_ends_at is None:
            return None
        return max(self._window_ends_at - workflow.now(), timedelta(0))
