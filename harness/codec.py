"""The codec server served on a free loopback port, as the Web UI and the CLI reach it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.codec_server import CodecServerSettings, create_codec_app
from api.credentials import AuthSettings
from harness.credentials import TEST_AUTH
from harness.serving import serving
from harness.temporal import TEST_KEYS
from workflows.codec import EncryptionCodec


@asynccontextmanager
async def serve_codec_server(
    settings: CodecServerSettings, auth: AuthSettings = TEST_AUTH
) -> AsyncIterator[str]:
    """The decode-only codec server with this process's keys; yields its base URL."""
    async with serving(create_codec_app(EncryptionCodec(TEST_KEYS), settings, auth)) as port:
        yield f"http://127.0.0.1:{port}"
