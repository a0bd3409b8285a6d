"""The one entry point for every message: render the template, send on one channel, once."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime

from jinja2 import TemplateError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import models
from activities.channels import SMS_BY_EMAIL, ChannelSettings, send_by_apprise, sms_target
from activities.email import EmailSender, OutgoingMail, SmtpSettings, message_id_for
from activities.journal_store import CaseJournal
from activities.ledger import LedgerUnavailable, Mark, SentLedger, open_ledger
from activities.models import Delivery, JournalMessage, SentMessage
from activities.tracking_links import TrackingLinks, TrackingSettings
from domain.messages import DeliveryChannel, NotificationKind
from domain.templates import RenderedMessage, TemplateCatalog, TemplateProblem

ATTEMPTS_METRIC = "complaints_notification_attempts"
HIDDEN_LINK = "[the customer's tracking link]"
"""What the journal keeps of a tracking link: whoever holds the link acts as the customer."""
ATTEMPT_SHARE = 0.8
"""The share of an attempt's start-to-close timeout a send may take before it gives up."""
HEARTBEATS_PER_TIMEOUT = 4
"""Heartbeats per heartbeat timeout: one lost or late still leaves the attempt alive."""
UNEXPECTED_ATTEMPTS = 3
"""Attempts an unexpected error (a bug) gets before it fails for good and is recorded; outages
and the other transient failures are retried without a limit."""


class NotificationActivities:
    """Renders and sends; remembers what was sent so a retry does not send it again."""

    def __init__(
        self,
        smtp: SmtpSettings,
        channels: ChannelSettings,
        templates: TemplateCatalog,
        ledger: SentLedger | None = None,
        journal: CaseJournal | None = None,
        tracking: TrackingSettings | None = None,
    ) -> None:
        """Without `tracking` (or its secret), acknowledgements carry no tracking link."""
        self._email = EmailSender(smtp)
        self._tracking = TrackingLinks.from_settings(tracking) if tracking else None
        self._smtp = smtp
        self._channels = channels
        self._templates = templates
        self._ledger = ledger or open_ledger(channels.sent_ledger)
        self._journal = journal

    @activity.defn(name=models.SEND_NOTIFICATION)
    async def send_notification(self, delivery: Delivery) -> SentMessage:
        """Send `delivery` unless its key was sent already; permanent failures are not retried.
        What was sent goes to the case journal too (once per key, retries included). Each
        attempt is counted by its outcome (`complaints_notification_attempts`)."""
        try:
            sent = await self._attempt(delivery)
        except ApplicationError as err:
            outcome = "refused" if err.non_retryable else "retrying"
            _count_attempt(delivery.channel, outcome, err.type or "")
            raise
        _count_attempt(delivery.channel, "sent", "")
        return sent

    async def _attempt(self, delivery: Delivery) -> SentMessage:
        async with _heartbeating():
            try:
                return await self._send_once(delivery)
            except ApplicationError:
                raise
            except LedgerUnavailable as err:  # an outage of the ledger's store: retried
                raise ApplicationError(str(err), type="LedgerUnavailable") from err
            except UnicodeError as err:  # an address or text no channel can carry
                raise ApplicationError(
                    f"cannot encode the message for {delivery.address}: {err}",
                    type="MessageEncoding",
                    non_retryable=True,
                ) from err
            except Exception as err:  # a bug: a few tries, then the complaint records it
                attempt = activity.info().attempt
                raise ApplicationError(
                    f"unexpected {type(err).__name__} (attempt {attempt} of"
                    f" {UNEXPECTED_ATTEMPTS}): {err}",
                    type="UnexpectedError",
                    non_retryable=attempt >= UNEXPECTED_ATTEMPTS,
                ) from err

    async def _send_once(self, delivery: Delivery) -> SentMessage:
        rendered = self._render(delivery)
        key = delivery.idempotency_key
        receipt = SentMessage(
            channel=delivery.channel,
            address=delivery.address,
            message_id=message_id_for(key, self._smtp.message_id_domain),
            template=rendered.template,
        )
        entry = self._ledger.find(key)
        if entry is not None and entry.mark is Mark.SENT:
            activity.logger.info("already sent %s: not sending again", key)
            sent = entry.sent
        else:
            if entry is not None:  # an attempt died between claiming it and its answer
                activity.logger.warning(
                    "%s may have been sent by an earlier attempt that did not finish: sending"
                    " it again (same Message-ID)",
                    key,
                )
            handover = LedgerHandover(self._ledger, key, receipt)
            with contextlib.suppress(AlreadySent):
                await self._within_attempt(self._send(delivery, rendered, handover))
            sent = handover.sent or receipt
        await self._journal_message(delivery, rendered, sent)
        return sent

    def _render(self, delivery: Delivery) -> RenderedMessage:
        try:
            return self._templates.render(
                delivery.brand,
                delivery.locale,
                delivery.notification,
                delivery.facts,
                delivery.zone,
                self._tracking_link(delivery),
            )
        except (TemplateProblem, TemplateError) as err:  # retrying would not mend it
            raise ApplicationError(
                f"cannot render {delivery.notification.kind} in {delivery.locale}: {err}",
                type="TemplateProblem",
                non_retryable=True,
            ) from err

    def _tracking_link(self, delivery: Delivery) -> str | None:
        """The customer's tracking page, in their acknowledgement only: made here, at render
        time, so the secret that signs it never enters the workflow."""
        notification = delivery.notification
        if (
            self._tracking is None
            or notification.kind is not NotificationKind.ACKNOWLEDGEMENT
            or notification.recipient.role != "customer"
        ):
            return None
        return self._tracking.link_for(delivery.facts.complaint_id)

    async def _journal_message(
        self, delivery: Delivery, rendered: RenderedMessage, sent: SentMessage
    ) -> None:
        if self._journal is None:
            return
        text = rendered.sms if delivery.channel is DeliveryChannel.SMS else rendered.body
        if link := self._tracking_link(delivery):  # the customer's key: staff never see it
            text = text.replace(link, HIDDEN_LINK)
        message = JournalMessage(
            complaint_id=delivery.facts.complaint_id,
            message_key=delivery.idempotency_key,
            message_id=sent.message_id,
            sent_at=datetime.now(UTC),
            channel=delivery.channel,
            recipient_role=delivery.notification.recipient.role,
            kind=delivery.notification.kind,
            template=rendered.template,
            subject=rendered.subject,
            text=text,
        )
        journal = self._journal
        await journal.run(lambda: journal.record_message(message))

    @activity.defn(name=models.SEND_NOTIFICATION_EMAIL)
    async def send_notification_email(
        self, request: models.NotificationEmail
    ) -> models.EmailReceipt:
        """The email-only entry point complaints of revision 3 and older still call.

        Their workflows pass no language or zone: they get the default templates in en-IN, with
        times in UTC, as their messages always were (English, UTC).
        """
        recipient = request.notification.recipient
        if recipient.email is None:
            raise ApplicationError(
                f"{recipient.role} has no email address", type="NoAddress", non_retryable=True
            )
        sent = await self.send_notification(
            Delivery(
                idempotency_key=request.idempotency_key,
                channel=DeliveryChannel.EMAIL,
                address=recipient.email,
                notification=request.notification,
                facts=request.facts,
                locale="en-IN",
                zone="UTC",
            )
        )
        return models.EmailReceipt(message_id=sent.message_id, recipient=sent.address)

    async def _within_attempt(self, sending: Awaitable[None]) -> None:
        """Give up before Temporal times the attempt out, so a retry never overlaps a send
        still in progress (both would miss the ledger and send)."""
        limit = activity.info().start_to_close_timeout
        if limit is None:
            await sending
            return
        budget = limit.total_seconds() * ATTEMPT_SHARE
        try:
            async with asyncio.timeout(budget):
                await sending
        except TimeoutError as err:
            raise ApplicationError(
                f"sending took longer than {budget:.0f} s; trying again",
                type="SendTimedOut",
            ) from err

    async def _send(
        self, delivery: Delivery, rendered: RenderedMessage, handover: "LedgerHandover"
    ) -> None:
        """Send on the delivery's channel, telling `handover` when it leaves and is taken."""
        key = delivery.idempotency_key
        headers = {"X-Complaint-Id": delivery.facts.complaint_id}
        name = delivery.notification.recipient.name
        match delivery.channel:
            case DeliveryChannel.EMAIL:
                mail = OutgoingMail(rendered, name, delivery.address, key, headers)
                await self._email.send(mail, handover)
                return
            case DeliveryChannel.SMS:
                gateway = self._channels.sms_gateway
                if gateway is None:
                    raise ApplicationError(
                        "no SMS gateway is configured (NOTIFY_SMS_GATEWAY)",
                        type="ChannelMisconfigured",
                        non_retryable=True,
                    )
                target = sms_target(gateway, delivery.address)
                if target.startswith(SMS_BY_EMAIL):
                    sms = rendered.model_copy(update={"body": rendered.sms + "\n"})
                    address = target.removeprefix(SMS_BY_EMAIL)
                    mail = OutgoingMail(sms, delivery.address, address, key, headers)
                    await self._email.send(mail, handover)
                    return
                title, body, url = rendered.subject, rendered.sms, target
            case DeliveryChannel.WEBHOOK:
                title, body, url = rendered.subject, rendered.body, delivery.address
        handover.leaving()
        try:
            await send_by_apprise(url, title, body, key)
        except ApplicationError:
            handover.refused()  # apprise answers only once the receiver has answered
            raise
        handover.taken()


def _count_attempt(channel: DeliveryChannel, outcome: str, error: str) -> None:
    """One send attempt: `sent` (or sent before), `retrying` after a transient failure (an
    outage), `refused` for good; `error` is the failure's type (`MailServerUnreachable`)."""
    activity.metric_meter().create_counter(
        ATTEMPTS_METRIC, "Send attempts by channel and outcome"
    ).add(1, {"channel": str(channel), "outcome": outcome, "error": error})


class LedgerHandover:
    """Tells the sent-ledger what happens to one message: claimed as it leaves, marked sent the
    moment the channel takes it (on this thread, with nothing queued before it)."""

    def __init__(self, ledger: SentLedger, key: str, receipt: SentMessage) -> None:
        self._ledger, self._key, self._receipt = ledger, key, receipt
        self.sent: SentMessage | None = None
        """What another attempt recorded, if one marked it sent while this one was starting."""

    def leaving(self) -> None:
        entry = self._ledger.claim(self._key, self._receipt)
        if entry is not None and entry.mark is Mark.SENT:  # an overlapping attempt sent it
            self.sent = entry.sent
            raise AlreadySent(self._key)

    def taken(self) -> None:
        try:
            self._ledger.mark_sent(self._key)
        except LedgerUnavailable as err:
            # Failing the attempt now would resend for certain; completing it records the send
            # in Temporal, and the claim left `sending` only matters to an attempt that dies.
            activity.logger.warning("%s was sent but not marked in the ledger: %s", self._key, err)

    def refused(self) -> None:
        try:
            self._ledger.release(self._key)
        except LedgerUnavailable as err:  # the refusal is what the attempt reports
            activity.logger.warning("%s was refused; its claim stays: %s", self._key, err)


class AlreadySent(Exception):
    """Another attempt sent this key while this one was preparing it: nothing to send."""


@contextlib.asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeat while the body runs (when the workflow asked for heartbeats), so a worker that
    dies mid-send is noticed after the heartbeat timeout, not after the attempt's timeout.

    The first beat comes a quarter of the timeout in: the server counts the timeout from the
    attempt's start, and most sends finish well before, so they cost the server no heartbeat
    (each one is a write to the workflow's state)."""
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return

    async def beat() -> None:
        while True:
            await asyncio.sleep(timeout.total_seconds() / HEARTBEATS_PER_TIMEOUT)
            activity.heartbeat()

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
