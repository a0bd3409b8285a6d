"""How every process reaches Temporal: one place for the address, namespace, TLS and the
encrypting converter."""

import asyncio
import logging
from collections.abc import Sequence

from temporalio.client import Client, Interceptor
from temporalio.envconfig import ClientConfig
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError

from workflows.codec import configured_data_converter
from workflows.metrics import HISTOGRAM_BUCKETS

DEFAULT_ADDRESS = "localhost:7233"

log = logging.getLogger(__name__)


def runtime_with_metrics(address: str) -> Runtime:
    """A Temporal runtime serving Prometheus metrics at `address` (host:port), the business
    histograms in seconds (`workflows.metrics`)."""
    prometheus = PrometheusConfig(
        bind_address=address, histogram_bucket_overrides=HISTOGRAM_BUCKETS
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


async def connect(
    *,
    attempts: int = 30,
    delay_seconds: float = 1.0,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    """Connect with Temporal's envconfig (TEMPORAL_ADDRESS, profiles, TLS, API key).

    Retries while the server is still starting, so processes can start side by side. Payloads
    are encrypted with the keys of COMPLAINTS_CODEC_KEYS (`workflows.codec`). `interceptors`
    apply to the client and to the workers built on it (tracing, `workflows.tracing`).
    """
    data_converter = configured_data_converter()
    config = ClientConfig.load_client_connect_config()
    address = config.setdefault("target_host", DEFAULT_ADDRESS)
    namespace = config.get("namespace", "default")
    log.info("connecting to Temporal at %s, namespace %s", address, namespace)
    for attempt in range(1, attempts + 1):
        try:
            return await Client.connect(
                **config, data_converter=data_converter, runtime=runtime, interceptors=interceptors
            )
        except (RPCError, RuntimeError) as err:
            if attempt == attempts:
                raise
            log.warning("Temporal at %s not reachable yet (%s); retrying", address, err)
            await asyncio.sleep(delay_seconds)
    raise AssertionError("unreachable")
