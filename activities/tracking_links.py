"""The customer's tracking link: `/track/<token>`, the token the complaint's id signed with
COMPLAINTS_TRACKING_SECRET (itsdangerous), so a link names one complaint and cannot be forged.

The notification activity writes it into the acknowledgement; the API's tracking page reads it.
The secret never enters a workflow: the link is made when the message is rendered.
"""

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_BYTES = 32
TRACK_PATH = "/track"


class TrackingConfigError(ValueError):
    """The tracking settings cannot sign links safely; the message says what to set."""


class TrackingSettings(BaseSettings):
    """COMPLAINTS_TRACKING_SECRET and COMPLAINTS_PUBLIC_URL, read by the worker and the API."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    tracking_secret: SecretStr | None = None
    """Key (32+ bytes) signing customers' tracking links; unset: no links, no tracking pages."""
    public_url: str = "http://127.0.0.1:8000"
    """Where customers reach the API: tracking links are absolute under it."""


class TrackingLinks:
    """Signs and reads tracking links; the CSRF token of a link's forms is an HMAC of it."""

    def __init__(self, settings: TrackingSettings) -> None:
        if settings.tracking_secret is None:
            raise TrackingConfigError("set COMPLAINTS_TRACKING_SECRET (32+ random bytes)")
        secret = settings.tracking_secret.get_secret_value().encode()
        if len(secret) < MIN_SECRET_BYTES:
            raise TrackingConfigError(
                f"COMPLAINTS_TRACKING_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            )
        self._tokens = URLSafeSerializer(secret, salt="complaint-tracking")
        self._csrf_key = hmac.new(secret, b"tracking-csrf", hashlib.sha256).digest()
        self._base = settings.public_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: TrackingSettings) -> "TrackingLinks | None":
        """None when no secret is set: messages carry no link, the pages answer 404."""
        return None if settings.tracking_secret is None else cls(settings)

    def token_for(self, complaint_id: str) -> str:
        return str(self._tokens.dumps(complaint_id))

    def link_for(self, complaint_id: str) -> str:
        """The absolute link the customer opens."""
        return f"{self._base}{TRACK_PATH}/{self.token_for(complaint_id)}"

    def complaint_of(self, token: str) -> str | None:
        """The complaint a token names; None when it is forged, altered or unreadable."""
        try:
            complaint_id = self._tokens.loads(token)
        except BadSignature:
            return None
        return complaint_id if isinstance(complaint_id, str) else None

    def csrf_for(self, token: str) -> str:
        return hmac.new(self._csrf_key, token.encode(), hashlib.sha256).hexdigest()

    def csrf_matches(self, token: str, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(self.csrf_for(token), sent)
