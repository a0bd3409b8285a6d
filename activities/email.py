"""Email over real SMTP; a refused address or message is permanent, the rest is retried."""

import email.policy
import hashlib
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.exceptions import ApplicationError

from domain.templates import RenderedMessage


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


HEADERS_UNFOLDED = email.policy.SMTP.clone(max_line_length=998)
"""Long non-ASCII subjects stay one encoded word: CPython's folding can lose a space between two."""


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The same key always gives the same Message-ID, so a resend is recognisable as one."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _one_line(text: str) -> str:
    """A display name without line breaks or control characters (no header injection)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


class EmailSender:
    """Sends one rendered message to one address through the configured SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(
        self,
        rendered: RenderedMessage,
        name: str,
        address: str,
        idempotency_key: str,
        headers: dict[str, str],
        accepted: Callable[[str], Awaitable[None]],
    ) -> str:
        """Send, call `accepted(message_id)` as soon as the server took it (before hanging up),
        and return the Message-ID; raises ApplicationError (non-retryable if permanent)."""
        message = EmailMessage(policy=HEADERS_UNFOLDED)
        message["From"] = self._settings.sender
        message["To"] = formataddr((_one_line(name), address))
        message["Subject"] = rendered.subject
        message["Message-ID"] = message_id_for(idempotency_key, self._settings.message_id_domain)
        message["X-Idempotency-Key"] = idempotency_key
        for header, value in headers.items():
            message[header] = value
        message.set_content(rendered.body)
        await self._deliver(message, address, accepted)
        return str(message["Message-ID"])

    async def _deliver(
        self, message: EmailMessage, recipient: str, accepted: Callable[[str], Awaitable[None]]
    ) -> None:
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=settings.password.get_secret_value() if settings.password else None,
            use_tls=settings.use_tls,
            start_tls=settings.start_tls,
            timeout=settings.timeout_seconds,
        )
        try:
            async with client:
                await client.send_message(message)
                # Recorded before QUIT: a crash from here on cannot resend this message.
                await accepted(str(message["Message-ID"]))
        except aiosmtplib.SMTPRecipientsRefused as err:
            answers = "; ".join(f"{refusal.code} {refusal.message}" for refusal in err.recipients)
            permanent = all(500 <= refusal.code < 600 for refusal in err.recipients)
            raise ApplicationError(  # 4xx at RCPT is greylisting or a full mailbox: retry
                f"the mail server refused {recipient}: {answers}",
                type="RecipientRefused" if permanent else "RecipientDeferred",
                non_retryable=permanent,
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
