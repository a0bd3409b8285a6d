"""Email notifications over real SMTP, idempotent per business step."""

import hashlib
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib
from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.history import Notification
from domain.messages import MessageFacts, render


class SmtpSettings(BaseSettings):
    """Where mail goes; read from SMTP_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="SMTP_")

    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "Complaints <complaints@example.com>"
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    timeout_seconds: float = 20.0
    message_id_domain: str = "complaints.local"


class NotificationEmail(BaseModel):
    """One notification to send by email, keyed by its business step."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    notification: Notification
    facts: MessageFacts


class EmailReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    recipient: str


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The same key always gives the same Message-ID, so a resend is recognisable as one."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


class EmailActivities:
    """Sends notification emails through one SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    @activity.defn
    async def send_notification_email(self, request: NotificationEmail) -> EmailReceipt:
        """Render and send one notification; permanent refusals are not retried."""
        recipient = request.notification.recipient
        if recipient.email is None:
            raise ApplicationError(
                f"{recipient.role} has no email address", type="NoAddress", non_retryable=True
            )
        rendered = render(request.notification, request.facts)
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = formataddr((recipient.name, recipient.email))
        message["Subject"] = rendered.subject
        message["Message-ID"] = message_id_for(
            request.idempotency_key, self._settings.message_id_domain
        )
        message["X-Complaint-Id"] = request.facts.complaint_id
        message["X-Idempotency-Key"] = request.idempotency_key
        message.set_content(rendered.body)
        await self._send(message, recipient.email)
        return EmailReceipt(message_id=str(message["Message-ID"]), recipient=recipient.email)

    async def _send(self, message: EmailMessage, recipient: str) -> None:
        settings = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                use_tls=settings.use_tls,
                start_tls=settings.start_tls,
                timeout=settings.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            answers = "; ".join(f"{refusal.code} {refusal.message}" for refusal in err.recipients)
            raise ApplicationError(
                f"the mail server refused {recipient}: {answers}",
                type="RecipientRefused",
                non_retryable=True,
            ) from err
        except aiosmtplib.SMTPResponseException as err:
            permanent = 500 <= err.code < 600
            raise ApplicationError(
                f"the mail server answered {err.code} {err.message} for {recipient}",
                type="MailRejected" if permanent else "MailDeferred",
                non_retryable=permanent,
            ) from err
        except (aiosmtplib.SMTPException, OSError) as err:
            raise ApplicationError(
                f"cannot reach the mail server at {settings.host}:{settings.port}: {err}",
                type="MailServerUnreachable",
            ) from err
