"""Text messages and webhooks through apprise URLs; failures mapped to retryable or not."""

import asyncio
import io
import re
from pathlib import Path
from urllib.parse import quote

import apprise
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.exceptions import ApplicationError

from activities.ledger import ledger_location

SMS_BY_EMAIL = "mailto:"
"""An SMS gateway of the form `mailto:{phone}@sms.example.com` (an email-to-SMS gateway)."""

_HTTP_STATUS = re.compile(r"error=(\d{3})")
_RETRYABLE_STATUS = {408, 425, 429}
_PAYLOAD_SCHEMES = ("json", "jsons", "form", "forms")
_ONE_AT_A_TIME = asyncio.Lock()
"""apprise reports only success; why a send failed is read from its log, shared by all sends."""


class ChannelSettings(BaseSettings):
    """Channels beyond email; NOTIFY_* environment variables. Secrets stay here, not in policy."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_")

    sms_gateway: str | None = None
    """Apprise URL with a `{phone}` slot (`twilio://SID:TOKEN@+15550100/{phone}`,
    `json://host/sms?:to={phone}`), or `mailto:{phone}@gateway` for an email-to-SMS gateway.
    Unset: a text message fails at once, recorded on the complaint (no retry)."""
    sent_ledger: Path | str | None = Path(".data/sent-notifications.sqlite3")
    """Where sent messages are remembered across retries and restarts: a SQLite file (one per
    worker host), a `postgresql://…` URL (shared by workers on several hosts), or None (in
    memory)."""

    @field_validator("sent_ledger", mode="before")
    @classmethod
    def _file_or_url(cls, value: str | Path | None) -> str | Path | None:
        return ledger_location(value)


def sms_target(gateway: str, phone: str) -> str:
    """The gateway address for one phone number."""
    if "{phone}" not in gateway:
        raise ApplicationError(
            "NOTIFY_SMS_GATEWAY needs a {phone} slot, e.g. json://host/sms?:to={phone}",
            type="ChannelMisconfigured",
            non_retryable=True,
        )
    slot = phone if gateway.startswith(SMS_BY_EMAIL) else quote(phone, safe="")
    return gateway.replace("{phone}", slot)


async def send_by_apprise(url: str, title: str, body: str, idempotency_key: str) -> None:
    """Notify one apprise URL; 4xx answers (but 408/425/429) and bad URLs are permanent."""
    scheme = url.partition("://")[0].lower()
    if scheme in _PAYLOAD_SCHEMES:  # receivers of raw payloads can deduplicate on the key
        separator = "&" if "?" in url else "?"
        url = f"{url}{separator}:idempotency_key={quote(idempotency_key, safe='')}"
    channel = apprise.Apprise()
    if not channel.add(url):
        raise ApplicationError(
            f"not a channel URL apprise knows: {_redacted(url)}",
            type="ChannelMisconfigured",
            non_retryable=True,
        )
    async with _ONE_AT_A_TIME:  # apprise logs to one shared logger: keep each send's lines apart
        with apprise.LogCapture(level=apprise.logging.WARNING) as log:
            delivered = await channel.async_notify(body=body, title=title)
    if delivered:
        return
    problems = (log.getvalue() if isinstance(log, io.StringIO) else "").strip() or "no reason"
    statuses = [int(status) for status in _HTTP_STATUS.findall(problems)]
    permanent = any(400 <= status < 500 and status not in _RETRYABLE_STATUS for status in statuses)
    raise ApplicationError(
        f"{_redacted(url)} refused the message: {problems.splitlines()[-1]}",
        type="ChannelRejected" if permanent else "ChannelUnavailable",
        non_retryable=permanent,
    )


def _redacted(url: str) -> str:
    """The URL without credentials or tokens, for histories and logs."""
    scheme, _, rest = url.partition("://")
    if scheme.lower().rstrip("s") in ("json", "form", "xml"):
        return f"{scheme}://{rest.split('@', 1)[-1].split('/', 1)[0]}/…"
    return f"{scheme}://…"
