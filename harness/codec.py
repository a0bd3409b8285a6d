"""The codec server served by uvicorn on a free loopback port, as the Web UI reaches it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from api.codec_server import CodecServerSettings, create_codec_app
from api.credentials import AuthSettings
from harness.credentials import TEST_AUTH
from harness.mailbox import free_port
from harness.temporal import TEST_KEYS
from harness.waiting import eventually
from workflows.codec import EncryptionCodec


@asynccontextmanager
async def serve_codec_server(
    settings: CodecServerSettings, auth: AuthSettings = TEST_AUTH
) -> AsyncIterator[str]:
    """The decode-only codec server with this process's keys; yields its base URL."""
    app = create_codec_app(EncryptionCodec(TEST_KEYS), settings, auth)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
