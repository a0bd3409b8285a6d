"""A dev server with its Web UI, reading payloads through a codec server, as `make run` has them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import quote

import httpx
from temporalio.testing import WorkflowEnvironment

from api.codec_server import CodecServerSettings
from api.ui_views import View
from harness.codec import serve_codec_server
from harness.mailbox import free_port
from harness.temporal import start_dev_server
from harness.waiting import eventually

Tab = Literal["history", "timeline", "user-metadata"]
"""Tabs of a workflow's page: the event history (under the input), the timeline (under the
input too), the summary and current details."""


@dataclass(frozen=True)
class WebUi:
    env: WorkflowEnvironment
    url: str
    """The UI's origin, e.g. http://127.0.0.1:40123."""
    codec_url: str

    @property
    def namespace(self) -> str:
        return self.env.client.namespace

    def view(self, view: View, now: datetime) -> str:
        """The workflow list filtered by a ready-made view."""
        return view.link(now, self.url, self.namespace)

    def workflow(self, workflow_id: str, run_id: str, tab: Tab = "history") -> str:
        """A tab of a workflow's page."""
        path = f"namespaces/{self.namespace}/workflows/{quote(workflow_id)}/{run_id}/{tab}"
        return f"{self.url}/{path}"


@asynccontextmanager
async def start_web_ui() -> AsyncIterator[WebUi]:
    """A dev server whose UI decrypts this process's payloads (`TEST_KEYS`) through a codec
    server (decode only, no token, CORS for the UI's origin), both on free loopback ports."""
    ui_port = free_port()
    ui = f"http://127.0.0.1:{ui_port}"
    codec_settings = CodecServerSettings(ui_origins=[ui], require_token=False)
    async with serve_codec_server(codec_settings) as codec_url:
        flags = ["--ui-codec-endpoint", codec_url]
        async with start_dev_server(extra_args=flags, ui_port=ui_port) as env:
            await eventually(lambda: _answers(ui))
            yield WebUi(env, ui, codec_url)


async def _answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False
