"""How every process reaches Temporal: one place for the address, namespace, TLS and converter."""

import asyncio
import logging
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError

DEFAULT_ADDRESS = "localhost:7233"

log = logging.getLogger(__name__)


class EngineSettings(BaseSettings):
    """Settings every process shares; COMPLAINTS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    task_queue: str = "complaints"
    escalation_policy: Path = Field(
        default=Path("policy"),
        validation_alias="ESCALATION_POLICY",
        description="File or directory",
    )
    intake_confirmation_seconds: float = 10.0
    """How long the API waits for a new complaint's workflow to confirm its deadline."""
    cors_origins: list[str] = []
    """Browser origins allowed to call the API, e.g. ["https://support.example.com"]."""
    max_body_bytes: int = 64 * 1024
    """Larger requests are refused with 413 before they are read."""


def workflow_id(complaint_id: str) -> str:
    """The workflow id of a complaint: one workflow per complaint, forever."""
    return f"complaint-{complaint_id}"


def matter_workflow_id(matter_id: str) -> str:
    """The workflow that routes one customer's filings about one product."""
    return f"matter-{matter_id}"


async def connect(*, attempts: int = 30, delay_seconds: float = 1.0) -> Client:
    """Connect with Temporal's envconfig (TEMPORAL_ADDRESS, profiles, TLS, API key).

    Retries while the server is still starting, so processes can start side by side.
    """
    config = ClientConfig.load_client_connect_config()
    address = config.setdefault("target_host", DEFAULT_ADDRESS)
    for attempt in range(1, attempts + 1):
        try:
            return await Client.connect(**config, data_converter=pydantic_data_converter)
        except (RPCError, RuntimeError) as err:
            if attempt == attempts:
                raise
            log.warning("Temporal at %s not reachable yet (%s); retrying", address, err)
            await asyncio.sleep(delay_seconds)
    raise AssertionError("unreachable")
