"""Traces from an API request through Temporal to the workflow and its activities.

OpenTelemetry, exported over OTLP/HTTP when an endpoint is configured: Temporal's tracing
interceptor on the client (the worker built on it takes it too) and, in the API, the FastAPI
instrumentation. Without an endpoint nothing is set up: no interceptor, no exporter, no cost.
Spans carry workflow ids and route templates, never a payload (they stay encrypted).

OpenTelemetry's modules load only when tracing is on (about 0.8 s of a process's start here).
"""

import os
from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio.client import Interceptor

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

STANDARD_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""OpenTelemetry's own variable; it turns tracing on too (with its OTEL_EXPORTER_OTLP_* kin)."""
TRACER = "complaints"


class TracingSettings(BaseModel):
    """COMPLAINTS_TRACING__ENDPOINT (worker and API)."""

    endpoint: str | None = None
    """An OTLP/HTTP collector (`http://otel-collector:4318`): spans go to `<endpoint>/v1/traces`.
    Unset (and no OTEL_EXPORTER_OTLP_ENDPOINT): tracing is off."""


def tracer_provider(settings: TracingSettings, service: str) -> "TracerProvider | None":
    """Spans of `service` batched to the configured collector; None when tracing is off."""
    if not (settings.endpoint or os.environ.get(STANDARD_ENDPOINT)):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if settings.endpoint:
        exporter = OTLPSpanExporter(endpoint=f"{settings.endpoint.rstrip('/')}/v1/traces")
    else:
        exporter = OTLPSpanExporter()  # reads the OTEL_EXPORTER_OTLP_* variables itself
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def temporal_interceptors(provider: "TracerProvider | None") -> list[Interceptor]:
    """The client's interceptors (its workers take them too): Temporal's tracing one when
    tracing is on, none otherwise."""
    if provider is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(provider.get_tracer(TRACER))]
