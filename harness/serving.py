"""An ASGI app served by uvicorn in this process, on a free loopback port."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from harness.mailbox import free_port
from harness.waiting import eventually


@asynccontextmanager
async def serving(app: ASGIApp, port: int | None = None) -> AsyncIterator[int]:
    """Serve `app` on 127.0.0.1 (on `port`, or a free one) until the block ends; yields the
    port."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,  # a browser's open event stream must not hold the stop
    )
    server = uvicorn.Server(config)
    running = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    try:
        yield port
    finally:
        server.should_exit = True
        await running
