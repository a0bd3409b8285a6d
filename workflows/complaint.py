"""ComplaintWorkflow: one durable workflow per complaint, climbing the escalation ladder.

The complaint's logic is the domain's (`domain.ladder` for time passing, `domain.commands` for
what people do); this workflow waits for the next due moment or a command, dispatches what the
complaint owes (`workflows.dispatch`) and shows operators where it stands.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, SearchAttributeKey, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.models import JournalEntry
    from domain.behaviour import RELEASES
    from domain.cases import CaseNotValid
    from domain.command import REFUSALS, Command
    from domain.commands import COMMANDS
    from domain.engine_room import complaint_details, due_summary
    from domain.filing import file_again
    from domain.ladder import advance, next_due
    from domain.staff_actions import refuse_cancellation
    from domain.view import Acknowledgement, ComplaintView, acknowledgement_of, view_of
    from workflows.dispatch import Dispatcher
    from workflows.ids import matter_workflow_id
    from workflows.inputs import ComplaintStart, Filing
    from workflows.journaling import Journaler, journal_entry
    from workflows.metrics import StepMetrics
    from workflows.sealed import (
        accepted_signal,
        cancellation_refused,
        unsealed_refusal,
        value_of,
    )
    from workflows.search_attributes import (
        SEARCH_ATTRIBUTES,
        SearchValue,
        complaint_search_values,
        values_of,
    )
    from workflows.switches import switched_on

SEARCH_ATTRIBUTES_PATCH = "search-attributes"
"""Complaints started before search attributes replay without the upserts."""
HISTORY_SIZE_PATCH = "continue-as-new-on-history-size"
"""Runs recorded before the size check replay without continuing where it would have."""
HISTORY_BYTES_LIMIT = 512 * 1024
"""A run continues as new once its history grew this much, whatever the server suggests (the
growth, not the size: a run starts with the carried complaint, which may itself be large)."""


def _release_revision() -> int:
    """The release a new complaint starts on: the newest whose patch its history has (or, the
    first time, gets); complaints recorded before a release replay with the behaviour they had."""
    for release in reversed(RELEASES):
        if release.patch_id is None or workflow.patched(release.patch_id):
            return release.revision
    raise AssertionError("the first release has no patch id")


@workflow.defn
class ComplaintWorkflow:
    """Waits on the complaint's next due moment, woken early by people acting on it."""

    @workflow.init
    def __init__(self, start: ComplaintStart) -> None:
        self._complaint = start.carried_state or start.opening(
            start.opened_at or workflow.now(), revision=_release_revision()
        )
        self._dispatcher = Dispatcher(self._complaint)
        self._metrics = StepMetrics(self._complaint, carried=start.carried_state is not None)
        category = self._complaint.policy.reason_category(self._complaint.intake.reason)
        self._journaler = Journaler(
            self._complaint, category, start.journaled_steps, wanted=start.journal
        )
        self._matter_id = start.matter_id
        self._customer_id = start.customer_id
        self._size_at_start: int | None = None
        """The history's size when this run first looked, carried complaint included."""
        self._indexed: dict[str, SearchValue] | None = None
        """The search attribute values last upserted, so only changes are sent."""
        for command in COMMANDS:
            workflow.set_update_handler(
                command.update_name(),
                self._update_handler(command),
                validator=self._update_validator(command),
            )

    @workflow.run
    async def run(self, start: ComplaintStart) -> ComplaintView:
        if refusal := start.start_refusal("the complaint's start"):
            raise refusal  # before it sends anything
        complaint = self._complaint
        while not complaint.closed:
            self._dispatcher.dispatch()
            self._show_details()
            self._journaler.catch_up()
            self._metrics.catch_up()
            if self._history_too_long(start.history_event_limit):
                await self._finish_handlers_and_deliveries(continuing=True)
                carried = {"carried_state": complaint, "journaled_steps": self._journaler.journaled}
                workflow.continue_as_new(start.model_copy(update=carried))
            try:
                await self._wait_for_change_or_due_time()
            except asyncio.CancelledError:
                if not self._refused_cancellation():
                    raise
            advance(complaint, workflow.now())
        self._dispatcher.dispatch()
        self._show_details()
        self._journaler.catch_up()
        await self._finish_handlers_and_deliveries(continuing=False)
        return view_of(complaint)

    async def _finish_handlers_and_deliveries(self, continuing: bool) -> None:
        """Let updates in progress and deliveries in flight finish before the run ends."""
        while True:
            try:
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._dispatcher.settle(continuing=continuing)
                self._metrics.catch_up()  # the deliveries' own steps, before the run ends
                if continuing:  # the next run writes what the journal still lacks
                    await self._journaler.stop()
                else:
                    self._journaler.catch_up()  # the deliveries' own steps
                    await self._journaler.settle()
                return
            except asyncio.CancelledError:
                if not self._refused_cancellation():
                    raise

    def _refused_cancellation(self) -> bool:
        """A cancellation request (Temporal UI or CLI) is recorded in the history and refused:
        a complaint ends only through the API. False when replaying a history from before the
        refusal, which was cancelled then.

        The request interrupts a wait, which starts again; a delivery in flight while the
        complaint closes is cancelled with it (docs/runbook.md)."""
        if not cancellation_refused():
            return False
        refuse_cancellation(self._complaint, workflow.now())
        self._show_details()
        return True

    async def _wait_for_change_or_due_time(self) -> None:
        complaint = self._complaint
        due = next_due(complaint)
        steps_seen = len(complaint.history)
        timeout = None if due is None else max(due.at - workflow.now(), timedelta(0))
        if timeout == timedelta(0):
            return
        summary = due_summary(complaint, due, workflow.now()) if due else None
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: len(complaint.history) != steps_seen,
                timeout=timeout,
                timeout_summary=summary,
            )

    def _history_too_long(self, limit: int) -> bool:
        info = workflow.info()
        if info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit:
            return True
        size = info.get_current_history_size()
        if self._size_at_start is None:
            self._size_at_start = size
        grown = size - self._size_at_start
        return grown >= HISTORY_BYTES_LIMIT and switched_on(self._complaint, HISTORY_SIZE_PATCH)

    # --- what people do: one update per command of the registry ----------------------------------

    # The argument arrives raw (the SDK passes a `RawValue` by the annotation): the validator
    # refuses what was not encrypted with the complaints key (a write from the Temporal UI or
    # CLI), then decodes it; validators do not run on replay, where old plain input is taken.

    def _update_handler(self, command_type: type[Command]) -> Callable[..., Acknowledgement]:
        def act(raw: RawValue) -> Acknowledgement:
            command = value_of(raw, command_type)
            self._refuse_unless_fits(command)
            command.apply(self._complaint, workflow.now())
            return acknowledgement_of(self._complaint)

        act.__annotations__ = {"raw": RawValue, "return": Acknowledgement}
        return act

    def _update_validator(self, command_type: type[Command]) -> Callable[..., None]:
        def validate(raw: RawValue) -> None:
            if refusal := unsealed_refusal(raw, command_type.update_name()):
                raise refusal
            try:
                command = value_of(raw, command_type)
            except Exception as err:  # the SDK would have refused it undecoded likewise
                raise ApplicationError(f"{command_type.update_name()}: {err}") from err
            self._refuse_unless_fits(command)

        validate.__annotations__ = {"raw": RawValue, "return": None}
        return validate

    def _refuse_unless_fits(self, command: Command) -> None:
        """The command's own check, as an update failure the API maps to 409 (not allowed now)
        or 422 (a case its playbook cannot take, `details[0]` naming the field)."""
        try:
            command.check(self._complaint)
        except REFUSALS as err:
            details = [err.field] if isinstance(err, CaseNotValid) else []
            raise ApplicationError(str(err), *details, type=type(err).__name__) from err

    @workflow.signal(name="filed_again")
    async def filed_again(self, raw: RawValue) -> None:
        """The matter's workflow routes a new filing (`Filing`) here: a repeat contact (or a
        reopening); an unsealed one is refused.

        If the complaint closed in the meantime, the filing goes back to the matter's workflow,
        which starts the next complaint with it: a filing is never dropped.
        """
        if not accepted_signal(raw, "filed_again"):
            return
        filing = value_of(raw, Filing)
        intake = filing.start.intake
        note, case = intake.description, intake.case
        if file_again(self._complaint, workflow.now(), filing.by, note, case):
            return
        if self._matter_id is not None:
            matter = workflow.get_external_workflow_handle(matter_workflow_id(self._matter_id))
            await matter.signal("bounce", filing)

    @workflow.query
    def view(self) -> ComplaintView:
        """The live state: level, status, owner, deadline and full history."""
        return view_of(self._complaint)

    @workflow.query
    def journal_entry(self) -> JournalEntry:
        """The complaint as the case journal takes it, whole (`complaints journal rebuild`)."""
        complaint = self._complaint
        return journal_entry(complaint, complaint.policy.reason_category(complaint.intake.reason))

    @workflow.update
    def receipt(self) -> ComplaintView:
        """The state right after intake: how the API confirmed a filing until it asked the
        `view` query instead (which costs the history nothing); kept for the complaints whose
        histories hold a receipt, which replay through it."""
        return view_of(self._complaint)

    # --- what operators see in the Temporal UI ----------------------------------------------------

    def _show_details(self) -> None:
        view = view_of(self._complaint)
        if switched_on(self._complaint, SEARCH_ATTRIBUTES_PATCH):
            self._index(view)
        workflow.set_current_details(complaint_details(self._complaint, workflow.now()))

    def _index(self, view: ComplaintView) -> None:
        """Upsert the search attributes whose values changed since the last upsert."""
        if self._indexed is None:  # a first run starts with its matter's (complaints
            # started before had none); a continued run upserts them all again, as it always has
            info = workflow.info()
            first = info.continued_run_id is None
            self._indexed = values_of(info.typed_search_attributes) if first else {}
        indexed = self._indexed
        category = self._complaint.policy.reason_category(view.intake.reason)
        values = complaint_search_values(view, self._customer_id, self._matter_id, category)
        changed = [key for key in SEARCH_ATTRIBUTES if values[key.name] != indexed.get(key.name)]
        if not changed:
            return
        workflow.upsert_search_attributes([_update(key, values[key.name]) for key in changed])
        self._indexed = values


def _update(key: SearchAttributeKey[Any], value: SearchValue) -> SearchAttributeUpdate[Any]:
    return key.value_unset() if value is None else key.value_set(value)
