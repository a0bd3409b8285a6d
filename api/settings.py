"""The API's settings: the engine's, plus what only an HTTP service needs."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from api.rate_limits import RateLimits
from workflows.settings import EngineSettings


class ApiSettings(EngineSettings):
    """COMPLAINTS_* variables of the API process; nested: COMPLAINTS_RATE_LIMITS__FILING."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", env_nested_delimiter="__")

    intake_confirmation_seconds: float = 10.0
    """How long the API waits for a new complaint's workflow to confirm its deadline."""
    cors_origins: list[str] = Field(default_factory=list)
    """Browser origins allowed to call the API, e.g. ["https://support.example.com"]."""
    max_body_bytes: int = 64 * 1024
    """Larger requests are refused with 413 before they are read."""
    rate_limits: RateLimits = RateLimits()
    """Per caller on filing and actions, per address on everything and on refused credentials."""
