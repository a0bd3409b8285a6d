"""The API served by uvicorn on a free loopback port, as clients reach it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.journal_store import IN_MEMORY, CaseJournal
from activities.tracking_links import TrackingSettings
from api.credentials import AuthSettings
from api.main import create_app
from api.rate_limits import RateLimits
from api.settings import ApiSettings
from harness.credentials import ADMIN, TEST_AUTH
from harness.serving import serving
from workflows.ids import workflow_id


@asynccontextmanager
async def serve_api(
    env: WorkflowEnvironment,
    settings: ApiSettings,
    opened_workflows: set[str],
    auth: AuthSettings = TEST_AUTH,
    headers: dict[str, str] = ADMIN,
    journal: CaseJournal | None = None,
    tracking: TrackingSettings | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app served by uvicorn on a free loopback port, and a client sending `headers`.

    The ids of complaints filed through the client are added to `opened_workflows`. Without
    `journal` (the worker's, to read what it writes), the app's case journal is in memory;
    without `tracking`, no tracking secret (the pages answer 404), whatever the environment says.
    """

    async def remember_filed(response: httpx.Response) -> None:
        if response.request.method == "POST" and response.status_code in (201, 202):
            await response.aread()
            opened_workflows.add(workflow_id(response.json()["id"]))

    if "rate_limits" not in settings.model_fields_set:  # tests that count set their own
        settings = settings.model_copy(update={"rate_limits": RateLimits(enabled=False)})
    app = create_app(
        env.client,
        settings,
        auth,
        journal or CaseJournal(IN_MEMORY),
        tracking or TrackingSettings(tracking_secret=None),
    )
    async with (
        serving(app) as port,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            headers=headers,
            event_hooks={"response": [remember_filed]},
        ) as client,
    ):
        yield client
