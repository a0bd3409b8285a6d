"""ComplaintWorkflow: one durable workflow per complaint, climbing the escalation ladder."""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notifications import Delivery, NotificationActivities, NotificationEmail
    from domain.calendar import BusinessCalendar
    from domain.cases import CaseNotValid
    from domain.commands import (
        AddNote,
        AnswerCase,
        ApproveReply,
        Assess,
        CustomerFeedback,
        Escalate,
        FlagCase,
        Pause,
        ProposeResolution,
        RecordCaseEvent,
        RecordContact,
        RefuseReply,
        Reopen,
        RequestSupervisor,
        Resume,
        SupervisorJoined,
    )
    from domain.complaint import Complaint, ComplaintView
    from domain.complaint_state import REVISION, Action, ActionNotAllowed, recipient_of
    from domain.history import Actor, ActorRole, StepKind
    from domain.intake import ComplaintIntake
    from domain.messages import DeliveryChannel, Notification
    from domain.policy import EscalationPolicy
    from domain.templates import DEFAULT_BRAND, UNNAMED_BRAND, MessageFacts
    from workflows.ids import matter_workflow_id
    from workflows.search_attributes import (
        SEARCH_ATTRIBUTES,
        SearchValue,
        complaint_search_values,
    )

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)
"""Outages delay messages, never drop them: retry until the channel takes the message."""


SETTLE_BEFORE_CONTINUING = timedelta(seconds=10)
"""How long a run about to continue as new lets deliveries in flight finish."""


class ComplaintStart(BaseModel):
    """Workflow input: a new complaint, or (after continue-as-new) the state it carries on with."""

    complaint_id: str
    intake: ComplaintIntake
    policy: EscalationPolicy
    calendar: BusinessCalendar | None = None
    """The complaint's country calendar with its holidays, resolved at intake."""
    carried_state: Complaint | None = None
    history_event_limit: int = Field(default=10_000, ge=20)
    """Continue as new beyond this many events, or earlier when the server suggests it."""
    matter_id: str | None = None
    """The matter (customer and product) whose workflow started this complaint, if any."""
    earlier_filings: int = Field(default=0, ge=0)
    """Filings about the same matter within the repeat window before this one."""
    customer_id: str | None = None
    """The customer's opaque id (`cus_…`), set by the API; a search attribute, never their name."""


def _revision() -> int:
    """Complaints whose history predates a revision replay with the behaviour they had."""
    if workflow.patched("complaint-revision-4"):
        return REVISION
    return 3 if workflow.patched("complaint-revision-3") else 2


class Filing(BaseModel):
    """A complaint as filed; `start.complaint_id` is the id it gets if it starts a new one."""

    start: ComplaintStart
    by: Actor


@workflow.defn
class ComplaintWorkflow:
    """Waits on the current level's deadline, woken early by people acting on the complaint."""

    @workflow.init
    def __init__(self, start: ComplaintStart) -> None:
        self._complaint = start.carried_state or Complaint.open(
            start.complaint_id,
            start.intake,
            start.policy,
            workflow.now(),
            start.calendar,
            revision=_revision(),
            earlier_filings=start.earlier_filings,
        )
        self._matter_id = start.matter_id
        self._customer_id = start.customer_id
        self._deliveries: dict[asyncio.Task[None], Notification] = {}
        self._outstanding: dict[tuple[int, str, str], set[DeliveryChannel]] = {}
        """Channels each message in flight still owes, by (step, kind, role)."""
        self._indexed: dict[str, SearchValue] = {}
        """The search attribute values last upserted, so only changes are sent."""

    @workflow.run
    async def run(self, start: ComplaintStart) -> ComplaintView:
        complaint = self._complaint
        while not complaint.closed:
            self._dispatch_notifications()
            self._show_details()
            if self._history_too_long(start.history_event_limit):
                await self._settle(continuing=True)
                workflow.continue_as_new(start.model_copy(update={"carried_state": complaint}))
            await self._wait_for_change_or_due_time()
            complaint.advance(workflow.now())
        self._dispatch_notifications()
        self._show_details()
        await self._settle()
        return complaint.view()

    async def _wait_for_change_or_due_time(self) -> None:
        complaint = self._complaint
        due = complaint.next_due_at()
        steps_seen = len(complaint.history)
        timeout = None if due is None else max(due - workflow.now(), timedelta(0))
        if timeout == timedelta(0):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: len(complaint.history) != steps_seen,
                timeout=timeout,
                timeout_summary=f"{complaint.current_level.code} {complaint.status} until {due}",
            )

    def _history_too_long(self, limit: int) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    async def _settle(self, continuing: bool = False) -> None:
        """Let update handlers and notifications in flight finish before the run ends.

        Before continuing as new, messages still in flight after a short wait (held for quiet
        hours, or retrying through an outage) are owed again on the channels they still owe, for
        the next run to send: waiting for them would stop the ladder. The sent-ledger keeps a
        message the cancelled attempt did send from going out twice.
        """
        await workflow.wait_condition(workflow.all_handlers_finished)
        if continuing:
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: all(task.done() for task in self._deliveries),
                    timeout=SETTLE_BEFORE_CONTINUING,
                    timeout_summary="deliveries in flight before continuing as new",
                )
            for task, notification in self._deliveries.items():
                if not task.done():
                    task.cancel()
                    owed = self._outstanding.pop(_message_key(notification), None)
                    if owed is None:  # not started: it owes everything
                        self._complaint.owe_again(notification)
                    elif channels := tuple(c for c in DeliveryChannel if c in owed):
                        owing = notification.model_copy(update={"channels": channels})
                        self._complaint.owe_again(owing)
            return
        while pending := [task for task in self._deliveries if not task.done()]:
            await asyncio.gather(*pending)
            self._dispatch_notifications()

    # --- notifications ----------------------------------------------------------------------------

    def _dispatch_notifications(self) -> None:
        self._deliveries = {t: n for t, n in self._deliveries.items() if not t.done()}
        for notification in self._complaint.take_outbox():
            self._deliveries[asyncio.create_task(self._deliver(notification))] = notification

    async def _deliver(self, notification: Notification) -> None:
        if self._complaint.revision < 4:
            await self._deliver_by_email(notification)
            return
        key = _message_key(notification)
        try:
            await self._deliver_on_channels(notification)
        except Exception as err:  # a bug or a bad contact must not lose a message silently
            self._complaint.record_delivery(
                workflow.now(), notification, StepKind.NOTIFICATION_FAILED, f"{err!r}"
            )
            self._complaint.undelivered(workflow.now(), notification)
        finally:
            self._outstanding.pop(key, None)

    async def _deliver_on_channels(self, notification: Notification) -> None:
        recipient = notification.recipient
        channels = [channel for channel in notification.channels if recipient.address(channel)]
        fallback = self._complaint.policy.notifications.fallback.get(notification.channels[0])
        if not channels and fallback and recipient.address(fallback):
            channels = [fallback]
        if not channels:
            wanted = " or ".join(notification.channels)
            self._complaint.record_delivery(
                workflow.now(),
                notification,
                StepKind.NOTIFICATION_SKIPPED,
                f"{recipient.name} has no {wanted} address",
            )
            return
        self._outstanding[_message_key(notification)] = set(channels)
        sent = await asyncio.gather(*(self._send_on(notification, channel) for channel in channels))
        if not any(sent):
            self._complaint.undelivered(workflow.now(), notification)

    async def _send_on(
        self,
        notification: Notification,
        channel: DeliveryChannel,
        tried: frozenset[DeliveryChannel] = frozenset(),
    ) -> bool:
        """Send on one channel (after quiet hours); a permanent failure tries the fallback."""
        complaint = self._complaint
        owed = self._outstanding.setdefault(_message_key(notification), set())
        owed.add(channel)
        notification = await self._after_quiet_hours(notification, channel)
        recipient = notification.recipient
        address = recipient.address(channel)
        assert address is not None
        try:
            sent = await workflow.execute_activity_method(
                NotificationActivities.send_notification,
                Delivery(
                    idempotency_key=f"{complaint.id}/{notification.step}/{notification.kind}/"
                    f"{recipient.role}/{channel}",
                    channel=channel,
                    address=address,
                    notification=notification,
                    facts=self._facts(notification),
                    brand=complaint.intake.brand or DEFAULT_BRAND,
                    locale=recipient.locale or complaint.locale,
                    zone=recipient.timezone or complaint.zone_name,
                ),
                start_to_close_timeout=complaint.policy.notifications.send_timeout.length,
                retry_policy=DELIVERY_RETRY,
                summary=f"{channel} {notification.kind} to {recipient.name}",
            )
        except ActivityError as err:
            cause = err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
            complaint.record_delivery(
                workflow.now(), notification, StepKind.NOTIFICATION_FAILED, f"{channel}: {cause}"
            )
            owed.discard(channel)
            tried = tried | {channel}
            fallback = complaint.policy.notifications.fallback.get(channel)
            if fallback is None or fallback in tried or fallback in notification.channels:
                return False
            if recipient.address(fallback) is None:
                return False
            return await self._send_on(notification, fallback, tried)
        owed.discard(channel)
        complaint.record_delivery(
            workflow.now(),
            notification,
            StepKind.NOTIFIED,
            f"{channel} to {recipient.name} <{sent.address}>, template {sent.template}, "
            f"Message-ID {sent.message_id}",
        )
        return True

    async def _after_quiet_hours(
        self, notification: Notification, channel: DeliveryChannel
    ) -> Notification:
        """Hold the message until the recipient's quiet hours end, or hand it to the on-call."""
        complaint = self._complaint
        rule = complaint.policy.notifications.quiet_hours.get(notification.recipient.role)
        if rule is None or channel not in rule.channels or notification.urgent:
            return notification
        zone = notification.recipient.timezone or complaint.zone_name
        release = rule.release_at(workflow.now(), zone)
        if release is None:
            return notification
        if rule.then == "on_call" and rule.on_call is not None:
            original = notification.recipient
            on_call = recipient_of(original.role, f"on call for {original.name}", rule.on_call)
            recipient = on_call.model_copy(  # its own language and zone, else the original's
                update={
                    "locale": on_call.locale or original.locale,
                    "timezone": on_call.timezone or original.timezone,
                }
            )
            return notification.model_copy(update={"recipient": recipient})
        complaint.record_delivery(
            workflow.now(),
            notification,
            StepKind.NOTIFICATION_HELD,
            f"{channel} held for quiet hours until {release.isoformat()}",
        )
        wait = max(release - workflow.now(), timedelta(0))
        await workflow.sleep(wait, summary=f"quiet hours: {channel}")
        return notification

    def _facts(self, notification: Notification) -> MessageFacts:
        complaint = self._complaint
        staff = [
            step.actor.name
            for step in complaint.history[: notification.step]
            if step.actor.role not in (ActorRole.SYSTEM, ActorRole.CUSTOMER)
        ]
        return MessageFacts(
            complaint_id=complaint.id,
            customer_name=complaint.intake.customer.name,
            product=complaint.intake.product,
            reason=complaint.intake.reason,
            level_name=complaint.policy.level(notification.level).name,
            brand=complaint.policy.brand_name or UNNAMED_BRAND,
            agent_name=staff[-1] if staff else None,
        )

    async def _deliver_by_email(self, notification: Notification) -> None:
        """How complaints of revision 3 and older deliver: email only, as their history has it."""
        complaint = self._complaint
        recipient = notification.recipient
        if recipient.email is None:
            complaint.record_delivery(
                workflow.now(),
                notification,
                StepKind.NOTIFICATION_SKIPPED,
                f"{recipient.name} has no email address",
            )
            return
        key = f"{complaint.id}/{notification.step}/{notification.kind}/{recipient.email}/email"
        try:
            receipt = await workflow.execute_activity_method(
                NotificationActivities.send_notification_email,
                NotificationEmail(
                    idempotency_key=key, notification=notification, facts=self._facts(notification)
                ),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=DELIVERY_RETRY,
                summary=f"email {notification.kind} to {recipient.name}",
            )
        except ActivityError as err:
            cause = err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
            complaint.record_delivery(
                workflow.now(), notification, StepKind.NOTIFICATION_FAILED, cause
            )
            return
        complaint.record_delivery(
            workflow.now(),
            notification,
            StepKind.NOTIFIED,
            f"email to {receipt.recipient}, Message-ID {receipt.message_id}",
        )

    # --- what operators see in the Temporal UI ----------------------------------------------------

    def _show_details(self) -> None:
        view = self._complaint.view()
        # Complaints started before search attributes replay without the upserts.
        if workflow.patched("search-attributes"):
            self._index(view)
        deadline = view.deadline.isoformat() if view.deadline else "stopped"
        workflow.set_current_details(
            f"**{view.status}** at **L{view.level} {view.level_name}** ({view.owner_role})\n\n"
            f"- deadline: {deadline}\n"
            f"- breached: {'yes' if view.breached else 'no'}\n"
            f"- last step: {view.history[-1].kind} at {view.history[-1].at.isoformat()}"
        )

    def _index(self, view: ComplaintView) -> None:
        """Upsert the search attributes whose values changed since the last upsert."""
        category = self._complaint.policy.reason_category(view.intake.reason)
        values = complaint_search_values(view, self._customer_id, self._matter_id, category)
        changed = [
            key for key in SEARCH_ATTRIBUTES if values[key.name] != self._indexed.get(key.name)
        ]
        if not changed:
            return
        workflow.upsert_search_attributes([_update(key, values[key.name]) for key in changed])
        self._indexed = values

    # --- queries and updates ----------------------------------------------------------------------

    def _ensure_allowed(self, action: Action) -> None:
        """Reject an update the complaint's state does not allow, with the reason for the caller."""
        self._reject_unless(lambda: self._complaint.ensure_allowed(action))

    def _reject_unless(self, check: Callable[[], object]) -> None:
        """Turn the state machine's refusal into an update rejection: the API maps a refused
        action to 409 and an invalid case to 422."""
        try:
            check()
        except ActionNotAllowed as err:
            raise ApplicationError(str(err), type=ActionNotAllowed.__name__) from err
        except CaseNotValid as err:
            raise ApplicationError(str(err), err.field, type=CaseNotValid.__name__) from err

    @workflow.signal
    async def filed_again(self, filing: Filing) -> None:
        """The matter's workflow routes a new filing here: a repeat contact (or a reopening).

        If the complaint closed in the meantime, the filing goes back to the matter's workflow,
        which starts the next complaint with it: a filing is never dropped.
        """
        intake = filing.start.intake
        if self._complaint.file_again(workflow.now(), filing.by, intake.description, intake.case):
            return
        if self._matter_id is not None:
            matter = workflow.get_external_workflow_handle(matter_workflow_id(self._matter_id))
            await matter.signal("bounce", filing)

    @workflow.query
    def view(self) -> ComplaintView:
        """The live state: level, status, owner, deadline and full history."""
        return self._complaint.view()

    @workflow.update
    def receipt(self) -> ComplaintView:
        """The state right after intake; sent with the start so the caller gets its deadline."""
        return self._complaint.view()

    @workflow.update
    def propose_resolution(self, command: ProposeResolution) -> ComplaintView:
        self._complaint.propose_resolution(workflow.now(), command.by, command.resolution)
        return self._complaint.view()

    @propose_resolution.validator
    def _check_propose_resolution(self, command: ProposeResolution) -> None:
        self._ensure_allowed(Action.PROPOSE_RESOLUTION)

    @workflow.update
    def customer_feedback(self, command: CustomerFeedback) -> ComplaintView:
        if command.decision == "accept":
            self._complaint.accept(workflow.now(), command.by, command.reason)
        else:
            self._complaint.reject(workflow.now(), command.by, command.reason or "")
        return self._complaint.view()

    @customer_feedback.validator
    def _check_customer_feedback(self, command: CustomerFeedback) -> None:
        self._ensure_allowed(Action.ACCEPT if command.decision == "accept" else Action.REJECT)

    @workflow.update
    def add_note(self, command: AddNote) -> ComplaintView:
        self._complaint.add_note(workflow.now(), command.by, command.text, command.case_type)
        return self._complaint.view()

    @add_note.validator
    def _check_add_note(self, command: AddNote) -> None:
        self._reject_unless(lambda: self._complaint.check_note(command.case_type))

    @workflow.update
    def reopen(self, command: Reopen) -> ComplaintView:
        self._complaint.reopen(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @reopen.validator
    def _check_reopen(self, command: Reopen) -> None:
        self._ensure_allowed(Action.REOPEN)

    @workflow.update
    def pause(self, command: Pause) -> ComplaintView:
        self._complaint.pause(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @pause.validator
    def _check_pause(self, command: Pause) -> None:
        self._ensure_allowed(Action.PAUSE)

    @workflow.update
    def resume(self, command: Resume) -> ComplaintView:
        self._complaint.resume(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @resume.validator
    def _check_resume(self, command: Resume) -> None:
        self._ensure_allowed(Action.RESUME)

    @workflow.update
    def record_contact(self, command: RecordContact) -> ComplaintView:
        self._complaint.record_contact(workflow.now(), command.by, command.note)
        return self._complaint.view()

    @record_contact.validator
    def _check_record_contact(self, command: RecordContact) -> None:
        self._ensure_allowed(Action.RECORD_CONTACT)

    @workflow.update
    def request_supervisor(self, command: RequestSupervisor) -> ComplaintView:
        self._complaint.request_supervisor(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @request_supervisor.validator
    def _check_request_supervisor(self, command: RequestSupervisor) -> None:
        self._ensure_allowed(Action.REQUEST_SUPERVISOR)
        self._reject_unless(lambda: self._complaint.ensure_no_supervisor_awaited())

    @workflow.update
    def supervisor_joined(self, command: SupervisorJoined) -> ComplaintView:
        self._complaint.supervisor_joined(workflow.now(), command.by)
        return self._complaint.view()

    @supervisor_joined.validator
    def _check_supervisor_joined(self, command: SupervisorJoined) -> None:
        self._reject_unless(self._complaint.ensure_supervisor_awaited)

    @workflow.update
    def flag_case(self, command: FlagCase) -> ComplaintView:
        self._complaint.flag_case(workflow.now(), command.by, command.flag)
        return self._complaint.view()

    @flag_case.validator
    def _check_flag_case(self, command: FlagCase) -> None:
        self._reject_unless(lambda: self._complaint.check_case_flag(command.flag))

    @workflow.update
    def answer_case(self, command: AnswerCase) -> ComplaintView:
        self._complaint.answer_case(
            workflow.now(), command.by, command.case_type, command.answer, command.outcome
        )
        return self._complaint.view()

    @answer_case.validator
    def _check_answer_case(self, command: AnswerCase) -> None:
        self._reject_unless(
            lambda: self._complaint.check_case_answer(command.case_type, command.outcome)
        )

    @workflow.update
    def record_case_event(self, command: RecordCaseEvent) -> ComplaintView:
        self._complaint.record_case_event(
            workflow.now(), command.by, command.case_type, command.event, command.note
        )
        return self._complaint.view()

    @record_case_event.validator
    def _check_record_case_event(self, command: RecordCaseEvent) -> None:
        self._reject_unless(
            lambda: self._complaint.check_case_event(command.case_type, command.event)
        )

    @workflow.update
    def approve_reply(self, command: ApproveReply) -> ComplaintView:
        self._complaint.approve_reply(workflow.now(), command.by, command.comment)
        return self._complaint.view()

    @approve_reply.validator
    def _check_approve_reply(self, command: ApproveReply) -> None:
        self._ensure_allowed(Action.APPROVE_REPLY)

    @workflow.update
    def refuse_reply(self, command: RefuseReply) -> ComplaintView:
        self._complaint.refuse_reply(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @refuse_reply.validator
    def _check_refuse_reply(self, command: RefuseReply) -> None:
        self._ensure_allowed(Action.REFUSE_REPLY)

    @workflow.update
    def assess(self, command: Assess) -> ComplaintView:
        self._complaint.assess(workflow.now(), command.by, command.assessment)
        return self._complaint.view()

    @assess.validator
    def _check_assess(self, command: Assess) -> None:
        self._reject_unless(self._complaint.ensure_third_level)

    @workflow.update
    def escalate(self, command: Escalate) -> ComplaintView:
        self._complaint.escalate(workflow.now(), command.by, command.reason)
        return self._complaint.view()

    @escalate.validator
    def _check_escalate(self, command: Escalate) -> None:
        self._reject_unless(self._complaint.ensure_can_escalate)


def _message_key(notification: Notification) -> tuple[int, str, str]:
    return notification.step, notification.kind, notification.recipient.role


def _update(key: SearchAttributeKey[Any], value: SearchValue) -> SearchAttributeUpdate[Any]:
    return key.value_unset() if value is None else key.value_set(value)
