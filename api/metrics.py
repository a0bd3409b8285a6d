"""The API's Prometheus metrics at `/metrics`: requests by route template, the process, and the
desk's open live streams.

Requests are counted by prometheus-fastapi-instrumentator under their route template
(`/complaints/{complaint_id}`), never the raw path: an unknown path counts as `none`. Each app
has a registry of its own, so several apps in one process (tests) never share counts. The page
answers anyone who reaches it, like `/health`: the proxy in front keeps it off the internet
(docs/operations.md).
"""

from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Gauge,
)
from prometheus_fastapi_instrumentator import Instrumentator

METRICS_PATH = "/metrics"
LIVE_STREAMS = "complaints_desk_live_streams"


def install_metrics(app: FastAPI) -> Callable[[Callable[[], float]], None]:
    """Count the app's requests and serve `/metrics` (itself not counted); returns how to give
    the live-streams gauge its source once the desk's feed exists (at start-up)."""
    registry = CollectorRegistry()
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=[f"^{METRICS_PATH}$"],
        registry=registry,
    ).instrument(app).expose(app, endpoint=METRICS_PATH, include_in_schema=False)
    streams = Gauge(
        LIVE_STREAMS, "Open live-notification streams of the case desk", registry=registry
    )
    return streams.set_function
