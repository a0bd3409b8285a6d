"""Sends what a complaint owes: one task per message, one activity per channel.

What to send where is decided in `domain.delivery`; this only dispatches, waits out quiet hours,
and records the outcome on the complaint.
"""

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        SEND_NOTIFICATION,
        SEND_NOTIFICATION_EMAIL,
        Delivery,
        EmailReceipt,
        NotificationEmail,
        SentMessage,
    )
    from domain.behaviour import Switch
    from domain.complaint import Complaint
    from domain.delivery import (
        MessageKey,
        channels_to_send,
        delivery_key,
        email_key,
        fallback_after_failure,
        message_facts,
        message_key,
        quiet_hours_decision,
    )
    from domain.delivery_log import record_delivery, record_undelivered, spaced_texts
    from domain.engine_room import delivery_summary, quiet_hours_summary
    from domain.history import StepKind
    from domain.messages import DEFAULT_BRAND, DeliveryChannel, Notification
    from domain.outbox import owe_again, take_outbox
    from workflows import metrics

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
)
"""Outages delay messages, never drop them: retry until the channel takes the message (an
unexpected error gets a few attempts: the activity then fails it for good, and it is recorded).
At most 10 s between attempts, so a message goes out within 10 s of the channel's return (the
fault suite measured up to 55 s late with 10 minutes); the price is an attempt per message every
10 s while a channel is down. Like the heartbeat timeout, no switch: options are not replayed."""
SEND_HEARTBEAT_TIMEOUT = timedelta(seconds=5)
"""A send heartbeats while it runs: a worker that died mid-send is retried after this, not after
the attempt's whole `send_timeout`. Activity options are not part of replay's determinism
checks (only the activity's type and id are), so running complaints take it without a switch."""
SETTLE_BEFORE_CONTINUING = timedelta(seconds=10)
"""How long a run about to continue as new lets deliveries in flight finish."""


class Dispatcher:
    """The deliveries of one complaint's run."""

    def __init__(self, complaint: Complaint) -> None:
        self._complaint = complaint
        self._deliveries: dict[asyncio.Task[None], Notification] = {}
        self._outstanding: dict[MessageKey, set[DeliveryChannel]] = {}
        """Channels each message in flight still owes, by (step, kind, role)."""

    def dispatch(self) -> None:
        """Start delivering everything the complaint owes now."""
        self._deliveries = {t: n for t, n in self._deliveries.items() if not t.done()}
        for notification in take_outbox(self._complaint):
            self._deliveries[asyncio.create_task(self._deliver(notification))] = notification

    async def settle(self, continuing: bool = False) -> None:
        """Let deliveries in flight finish before the run ends.

        Before continuing as new, messages still in flight after a short wait (held for quiet
        hours, or retrying through an outage) are owed again on the channels they still owe, for
        the next run to send: waiting for them would stop the ladder. The sent-ledger keeps a
        message the cancelled attempt did send from going out twice.
        """
        if not continuing:
            while pending := [task for task in self._deliveries if not task.done()]:
                await asyncio.gather(*pending)
                self.dispatch()
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: all(task.done() for task in self._deliveries),
                timeout=SETTLE_BEFORE_CONTINUING,
                timeout_summary="deliveries in flight before continuing as new",
            )
        for task, notification in self._deliveries.items():
            if task.done():
                continue
            task.cancel()
            owed = self._outstanding.pop(message_key(notification), None)
            if owed is None:  # not started: it owes everything
                owe_again(self._complaint, notification)
            elif channels := tuple(c for c in DeliveryChannel if c in owed):
                owe_again(self._complaint, notification.model_copy(update={"channels": channels}))

    async def _deliver(self, notification: Notification) -> None:
        complaint = self._complaint
        if not complaint.follows(Switch.DELIVERY_CHANNELS):
            await self._deliver_by_email(notification)
            return
        try:
            await self._deliver_on_channels(notification)
        except Exception as err:  # a bug or a bad contact must not lose a message silently
            failure = StepKind.NOTIFICATION_FAILED
            record_delivery(complaint, workflow.now(), notification, failure, f"{err!r}")
            record_undelivered(complaint, workflow.now(), notification)
            metrics.notification_undelivered(notification)
        finally:
            self._outstanding.pop(message_key(notification), None)

    async def _deliver_on_channels(self, notification: Notification) -> None:
        complaint = self._complaint
        reachable = channels_to_send(complaint, notification)
        if not reachable:
            wanted = " or ".join(notification.channels)
            why = f"{notification.recipient.name} has no {wanted} address"
            skipped = StepKind.NOTIFICATION_SKIPPED
            record_delivery(complaint, workflow.now(), notification, skipped, why)
            return
        channels = spaced_texts(complaint, workflow.now(), notification, reachable)
        if not channels:  # only a text, held back (and recorded)
            return
        self._outstanding[message_key(notification)] = set(channels)
        sent = await asyncio.gather(*(self._send_on(notification, channel) for channel in channels))
        if not any(sent):
            record_undelivered(self._complaint, workflow.now(), notification)
            metrics.notification_undelivered(notification)

    async def _send_on(
        self,
        notification: Notification,
        channel: DeliveryChannel,
        tried: frozenset[DeliveryChannel] = frozenset(),
    ) -> bool:
        """Send on one channel (after quiet hours); a permanent failure tries the fallback."""
        complaint = self._complaint
        owed = self._outstanding.setdefault(message_key(notification), set())
        owed.add(channel)
        notification, due = await self._after_quiet_hours(notification, channel)
        recipient = notification.recipient
        address = recipient.address(channel)
        assert address is not None
        try:
            sent: SentMessage = await workflow.execute_activity(
                SEND_NOTIFICATION,
                Delivery(
                    idempotency_key=delivery_key(complaint, notification, channel),
                    channel=channel,
                    address=address,
                    notification=notification,
                    facts=message_facts(complaint, notification),
                    brand=complaint.intake.brand or DEFAULT_BRAND,
                    locale=recipient.locale or complaint.locale,
                    zone=recipient.timezone or complaint.zone_name,
                ),
                result_type=SentMessage,
                start_to_close_timeout=complaint.policy.notifications.send_timeout.length,
                heartbeat_timeout=SEND_HEARTBEAT_TIMEOUT,
                retry_policy=DELIVERY_RETRY,
                summary=delivery_summary(complaint, notification, channel),
            )
        except ActivityError as err:
            failure = f"{channel}: {_cause(err)}"
            failed = StepKind.NOTIFICATION_FAILED
            record_delivery(complaint, workflow.now(), notification, failed, failure)
            metrics.notification_failed(notification, channel)
            owed.discard(channel)
            tried = tried | {channel}
            fallback = fallback_after_failure(complaint, notification, channel, tried)
            if fallback is None:
                return False
            return await self._send_on(notification, fallback, tried)
        owed.discard(channel)
        what = (
            f"{channel} to {recipient.name} <{sent.address}>, template {sent.template}, "
            f"Message-ID {sent.message_id}"
        )
        record_delivery(complaint, workflow.now(), notification, StepKind.NOTIFIED, what)
        metrics.notification_sent(notification, channel, due)
        return True

    async def _after_quiet_hours(
        self, notification: Notification, channel: DeliveryChannel
    ) -> tuple[Notification, datetime]:
        """Hold the message until the recipient's quiet hours end, or hand it to the on-call;
        with when it is owed: its step's time, or the end of the quiet hours."""
        decision = quiet_hours_decision(self._complaint, notification, channel, workflow.now())
        if decision.hold_until is None:
            return decision.notification, _step_time(self._complaint, notification)
        held = f"{channel} held for quiet hours until {decision.hold_until.isoformat()}"
        record_delivery(
            self._complaint, workflow.now(), notification, StepKind.NOTIFICATION_HELD, held
        )
        metrics.notification_held(notification, channel)
        wait = max(decision.hold_until - workflow.now(), timedelta(0))
        summary = quiet_hours_summary(
            self._complaint, notification, channel, decision.hold_until, workflow.now()
        )
        await workflow.sleep(wait, summary=summary)
        return decision.notification, decision.hold_until

    async def _deliver_by_email(self, notification: Notification) -> None:
        """How complaints started before channels existed deliver: email only, as their
        histories have it."""
        complaint = self._complaint
        recipient = notification.recipient
        if recipient.email is None:
            why = f"{recipient.name} has no email address"
            skipped = StepKind.NOTIFICATION_SKIPPED
            record_delivery(complaint, workflow.now(), notification, skipped, why)
            return
        facts = message_facts(complaint, notification)
        try:
            receipt: EmailReceipt = await workflow.execute_activity(
                SEND_NOTIFICATION_EMAIL,
                NotificationEmail(
                    idempotency_key=email_key(complaint, notification),
                    notification=notification,
                    facts=facts,
                ),
                result_type=EmailReceipt,
                start_to_close_timeout=timedelta(minutes=1),
                heartbeat_timeout=SEND_HEARTBEAT_TIMEOUT,
                retry_policy=DELIVERY_RETRY,
                summary=delivery_summary(complaint, notification, DeliveryChannel.EMAIL),
            )
        except ActivityError as err:
            failed = StepKind.NOTIFICATION_FAILED
            record_delivery(complaint, workflow.now(), notification, failed, _cause(err))
            metrics.notification_failed(notification, DeliveryChannel.EMAIL)
            return
        sent = f"email to {receipt.recipient}, Message-ID {receipt.message_id}"
        record_delivery(complaint, workflow.now(), notification, StepKind.NOTIFIED, sent)
        metrics.notification_sent(
            notification, DeliveryChannel.EMAIL, _step_time(complaint, notification)
        )


def _step_time(complaint: Complaint, notification: Notification) -> datetime:
    """When the step that owes the message was taken (a breach: its deadline)."""
    return complaint.history[notification.step - 1].at


def _cause(err: ActivityError) -> str:
    return err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
