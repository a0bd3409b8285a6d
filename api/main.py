"""The FastAPI application: `uvicorn api.main:app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from api.routers import complaints, health
from domain.policy_files import load_policy_set
from workflows.client import EngineSettings, connect


def create_app(client: Client | None = None, settings: EngineSettings | None = None) -> FastAPI:
    """The app; pass a client to use it instead of connecting at start-up (tests do).

    A policy file with a mistake stops start-up with a message naming the file, key and line.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or EngineSettings()
        app.state.policies = load_policy_set(app.state.settings.escalation_policy)
        app.state.temporal_client = client or await connect()
        yield

    app = FastAPI(
        title="Complaint escalation engine",
        summary="Every complaint is a durable workflow climbing an escalation matrix.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(complaints.router)
    app.include_router(health.router)
    return app


app = create_app()
