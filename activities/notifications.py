"""The one entry point for every message: render the template, send on one channel, once."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from jinja2 import TemplateError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import models
from activities.channels import SMS_BY_EMAIL, ChannelSettings, send_by_apprise, sms_target
from activities.email import EmailSender, OutgoingMail, SmtpSettings, message_id_for
from activities.journal_store import CaseJournal
from activities.ledger import SentLedger
from activities.models import Delivery, JournalMessage, SentMessage
from activities.tracking_links import TrackingLinks, TrackingSettings
from domain.messages import DeliveryChannel, NotificationKind
from domain.templates import RenderedMessage, TemplateCatalog, TemplateProblem

HIDDEN_LINK = "[the customer's tracking link]"
"""What the journal keeps of a tracking link: whoever holds the link acts as the customer."""
ATTEMPT_SHARE = 0.8
"""The share of an attempt's start-to-close timeout a send may take before it gives up."""


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
        self._ledger = ledger or SentLedger(channels.sent_ledger)
        self._journal = journal

    @activity.defn(name=models.SEND_NOTIFICATION)
    async def send_notification(self, delivery: Delivery) -> SentMessage:
        """Send `delivery` unless its key was sent already; permanent failures are not retried.
        What was sent goes to the case journal too (once per key, retries included)."""
        rendered = self._render(delivery)
        sent = await self._ledger.find(delivery.idempotency_key)
        if sent is not None:
            activity.logger.info("already sent %s: not sending again", delivery.idempotency_key)
        else:

            def receipt(message_id: str) -> SentMessage:
                return SentMessage(
                    channel=delivery.channel,
                    address=delivery.address,
                    message_id=message_id,
                    template=rendered.template,
                )

            async def record(message_id: str) -> None:
                await self._ledger.record(delivery.idempotency_key, receipt(message_id))

            sent = receipt(await self._within_attempt(self._send(delivery, rendered, record)))
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

    async def _within_attempt(self, sending: Awaitable[str]) -> str:
        """Give up before Temporal times the attempt out, so a retry never overlaps a send
        still in progress (both would miss the ledger and send)."""
        limit = activity.info().start_to_close_timeout
        if limit is None:
            return await sending
        budget = limit.total_seconds() * ATTEMPT_SHARE
        try:
            async with asyncio.timeout(budget):
                return await sending
        except TimeoutError as err:
            raise ApplicationError(
                f"sending took longer than {budget:.0f} s; trying again",
                type="SendTimedOut",
            ) from err

    async def _send(
        self,
        delivery: Delivery,
        rendered: RenderedMessage,
        record: Callable[[str], Awaitable[None]],
    ) -> str:
        """Send on the delivery's channel; `record` notes it as sent the moment it is taken."""
        key = delivery.idempotency_key
        headers = {"X-Complaint-Id": delivery.facts.complaint_id}
        name = delivery.notification.recipient.name
        match delivery.channel:
            case DeliveryChannel.EMAIL:
                mail = OutgoingMail(rendered, name, delivery.address, key, headers)
                return await self._email.send(mail, record)
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
                    return await self._email.send(mail, record)
                await send_by_apprise(target, rendered.subject, rendered.sms, key)
            case DeliveryChannel.WEBHOOK:
                await send_by_apprise(delivery.address, rendered.subject, rendered.body, key)
        message_id = message_id_for(key, self._smtp.message_id_domain)
        await record(message_id)
        return message_id
