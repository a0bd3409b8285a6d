"""The FastAPI application: `uvicorn api.main:app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client
from temporalio.service import RPCError

from activities.journal_store import CaseJournal
from activities.tracking_links import TrackingConfigError, TrackingLinks, TrackingSettings
from api.credentials import AuthConfigError, Authenticator, AuthSettings
from api.desk import pages as desk
from api.desk.live import LiveFeed
from api.desk.session import DeskKeys
from api.json_bodies import RefuseUnrepresentableJson, refusal_of_invalid_request
from api.limits import BodySizeLimit
from api.metrics import install_metrics
from api.openapi import complete_openapi
from api.rate_limits import RateLimiter
from api.routers import actions, complaints, health, search
from api.settings import ApiSettings
from api.temporal import temporal_unavailable
from api.track import pages as track
from domain.policy_files import PolicyError, load_policy_set
from workflows.codec import CodecKeyError
from workflows.connection import connect
from workflows.tracing import temporal_interceptors, tracer_provider

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

DOCS_ASSETS = "/docs-assets"
"""Where the API docs pages' scripts, styles and icon are served (fastapi-offline's copies)."""
API_SERVICE = "complaints-api"
"""The API's `service.name` in traces."""
UNTRACED = ",".join(
    ("/metrics", "/health", "/ready", DOCS_ASSETS, "/desk/static", "/desk/sign-in", "/track/")
)
"""Paths left out of traces (regular expressions searched in the URL): probes and assets, and
the ones carrying a key in their URL (a sign-in token, a customer's tracking link)."""

REFUSALS: dict[type[Exception], str] = {
    PolicyError: "refusing to start, the escalation policy is wrong:\n",
    AuthConfigError: "refusing to start: ",
    TrackingConfigError: "refusing to start: ",
    CodecKeyError: "refusing to start, the payload keys are wrong: ",
}
"""Start-up mistakes in what the operator configured, with what the worker says about them."""


class RefusalWithoutTraceback:
    """A start-up refusal reaches the server as its message alone, as the worker prints it.

    Starlette reports any failure at start-up with the formatted traceback, which buries a
    configuration mistake (`policy/default.yaml:15: ...`) under frames that say nothing to fix.
    Other failures keep their traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_startup_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_startup_failure)
        except tuple(REFUSALS) as refusal:
            said = next(words for kind, words in REFUSALS.items() if isinstance(refusal, kind))
            await send({"type": "lifespan.startup.failed", "message": f"{said}{refusal}"})
        except BaseException:
            for message in held:
                await send(message)
            raise
        else:
            for message in held:
                await send(message)


def create_app(
    client: Client | None = None,
    settings: ApiSettings | None = None,
    auth: AuthSettings | None = None,
    journal: CaseJournal | None = None,
    tracking: TrackingSettings | None = None,
    tracing: "TracerProvider | None" = None,
) -> FastAPI:
    """The app; pass a client (and a journal) to use instead of connecting at start-up (tests
    do). Requests are traced to `tracing`, else to the collector the settings name, if any.

    Start-up stops with a message saying what to fix when a policy file has a mistake or when
    no way to authenticate callers is configured: the API never runs open.
    """

    api_settings = settings or ApiSettings()
    tracing = tracing or tracer_provider(api_settings.tracing, API_SERVICE)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        auth_settings = auth or AuthSettings()
        app.state.authenticator = Authenticator.from_settings(auth_settings)
        app.state.settings = api_settings
        app.state.rate_limiter = RateLimiter.from_settings(api_settings.rate_limits)
        app.state.policies = load_policy_set(api_settings.escalation_policy)
        app.state.desk = DeskKeys.from_settings(auth_settings)
        app.state.tracking = TrackingLinks.from_settings(tracking or TrackingSettings())
        app.state.temporal_client = client or await connect(
            interceptors=temporal_interceptors(tracing)
        )
        app.state.journal = journal or CaseJournal(api_settings.journal_url)
        app.state.live = LiveFeed(app.state.journal)
        count_live_streams(lambda: app.state.live.open_streams)
        yield
        await app.state.live.close()
        if tracing is not None:
            tracing.force_flush()

    # /docs (Swagger UI) loads its script, style and icon from this app (under DOCS_ASSETS), never
    # from a CDN: it works on a closed network. No ReDoc: its page fetches Redocly's logo from
    # their CDN, which no setting turns off.
    app = FastAPIOffline(
        redoc_url=None,
        title="Complaint escalation engine",
        summary="Every complaint is a durable workflow climbing an escalation matrix.",
        version="0.1.0",
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
    )
    app.include_router(search.router)
    app.include_router(complaints.router)
    app.include_router(actions.router)
    app.include_router(health.router)
    desk.install(app)
    track.install(app)
    complete_openapi(app)
    app.add_exception_handler(RequestValidationError, refusal_of_invalid_request)
    app.add_exception_handler(RPCError, temporal_unavailable)
    app.add_middleware(RefuseUnrepresentableJson)  # inside the size limit: reads bodies it passed
    app.add_middleware(BodySizeLimit, max_bytes=api_settings.max_body_bytes)
    if api_settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api_settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key", "Authorization", "X-API-Key"],
            expose_headers=["Location"],
        )
    count_live_streams = install_metrics(app)  # counts every answer, a 413 or a CORS refusal too
    if tracing is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # only when on

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=tracing, excluded_urls=UNTRACED, exclude_spans=["receive", "send"]
        )
    app.add_middleware(RefusalWithoutTraceback)  # outermost: it sees start-up first
    return app


app = create_app()
