"""The API while Temporal, the worker or a complaint's workflow fails (issue 17): every route
answers 503 with Retry-After, never 500, within a bounded time; `/ready` tells a dead worker."""

import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import HTTPException
from pydantic import SecretStr
from temporalio import workflow
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.journal_store import IN_MEMORY, CaseJournal
from activities.tracking_links import TrackingLinks, TrackingSettings
from api.main import create_app
from api.settings import ApiSettings
from api.temporal import ACT_WITHIN, engine_answering
from harness.credentials import ADMIN, TEST_AUTH, bearer
from harness.mailbox import free_port
from harness.samples import FORM
from harness.serving import serving
from harness.temporal import DATA_CONVERTER
from workflows.ids import workflow_id

BOUNDED = 25.0
"""Seconds any answer may take while something is down (the API's own limits are 10 s for a read
and 20 s for an action)."""
AGENT = bearer("agent", "priya", "Priya")
TRACKING = TrackingSettings(tracking_secret=SecretStr("t" * 48))


@pytest.fixture
async def nowhere() -> AsyncIterator[httpx.AsyncClient]:
    """The API with a Temporal client whose server is not there."""
    client = await Client.connect(
        f"127.0.0.1:{free_port()}", lazy=True, data_converter=DATA_CONVERTER
    )
    app = create_app(client, ApiSettings(), TEST_AUTH, CaseJournal(IN_MEMORY), TRACKING)
    async with (
        serving(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
    ):
        yield http


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("GET", "/complaints/3f9c2a7be41d0c55", None, ADMIN),
        ("POST", "/complaints/3f9c2a7be41d0c55/notes", {"text": "Called."}, AGENT),
        ("POST", "/complaints", FORM, ADMIN),
        ("GET", "/complaints", None, ADMIN),
        ("GET", "/analytics/complaints", None, ADMIN),
    ],
)
async def test_every_route_answers_503_with_retry_after_while_temporal_is_down(
    nowhere: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, object] | None,
    headers: dict[str, str],
) -> None:
    started = time.monotonic()
    answer = await nowhere.request(method, path, json=body, headers=headers)
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"].isdigit()
    assert "try again" in answer.json()["detail"] or "now" in answer.json()["detail"]
    assert time.monotonic() - started < BOUNDED
    again = await nowhere.get("/health")  # the same kept-alive connection still works
    assert again.status_code == 200


async def test_the_desk_says_503_too_while_temporal_is_down(nowhere: httpx.AsyncClient) -> None:
    page = await nowhere.get(
        "/desk/complaints/3f9c2a7be41d0c55", headers={"Authorization": AGENT["Authorization"]}
    )
    assert page.status_code == 503
    assert "text/html" in page.headers["content-type"]
    assert page.headers["retry-after"].isdigit()
    assert "Not available right now" in page.text and "Temporal is un" in page.text


async def test_the_tracking_page_asks_the_customer_to_come_back(
    nowhere: httpx.AsyncClient,
) -> None:
    links = TrackingLinks.from_settings(TRACKING)
    assert links is not None
    page = await nowhere.get(f"/track/{links.token_for('3f9c2a7be41d0c55')}")
    assert page.status_code == 503  # not 404: the link is good, the engine is away
    assert page.headers["retry-after"].isdigit()
    assert "Please try again in a few minutes" in page.text
    assert "Intente de nuevo en unos minutos" in page.text


@workflow.defn(name="ComplaintWorkflow", sandboxed=False)
class BrokenDeploy:
    """A release whose complaint workflow raises on every task (a bug shipped)."""

    @workflow.run
    async def run(self, _start: object) -> None:
        raise RuntimeError("a bug in the new release")


async def test_a_complaint_whose_workflow_task_fails_answers_503_saying_so(
    dev_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    task_queue = f"broken-{uuid.uuid4()}"
    complaint_id = uuid.uuid4().hex[:16]
    client = dev_env.client
    app = create_app(client, ApiSettings(task_queue=task_queue), TEST_AUTH, CaseJournal(IN_MEMORY))
    async with (
        Worker(client, task_queue=task_queue, workflows=[BrokenDeploy]),
        serving(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
    ):
        handle = await client.start_workflow(
            "ComplaintWorkflow", None, id=workflow_id(complaint_id), task_queue=task_queue
        )
        try:
            for _ in range(100):  # the first task failed: Temporal now retries it
                if (await handle.describe()).raw_description.pending_workflow_task.attempt > 1:
                    break
                await dev_env.sleep(0.2)
            read = await http.get(f"/complaints/{complaint_id}", headers=ADMIN)
            noted = await http.post(
                f"/complaints/{complaint_id}/notes", json={"text": "Called."}, headers=AGENT
            )
        finally:
            await handle.terminate("test over")
    for answer in (read, noted):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"].isdigit()
        assert "the engine fails on it and the operators are alerted" in answer.json()["detail"]
    assert "nothing was changed" in read.json()["detail"]
    assert "read the complaint before sending it again" in noted.json()["detail"]
    assert any("workflow task is failing" in r.getMessage() for r in caplog.records)


async def test_an_update_whose_outcome_the_server_stopped_waiting_for_is_a_503(
    dev_env: WorkflowEnvironment,
) -> None:
    """The server's wait for an update's outcome can run out before the API's own limit: still
    503 (the update may yet apply), never a 500. The fault suite's bad deploy met it."""
    with pytest.raises(HTTPException) as refused:
        async with engine_answering(dev_env.client, "3f9c2a7be41d0c55", True, ACT_WITHIN):
            raise WorkflowUpdateRPCTimeoutOrCancelledError()
    assert refused.value.status_code == 503
    assert (refused.value.headers or {})["Retry-After"].isdigit()
    assert "read the complaint before sending it again" in refused.value.detail


async def test_ready_tells_whether_a_worker_polls_the_task_queue(
    dev_env: WorkflowEnvironment,
) -> None:
    task_queue = f"ready-{uuid.uuid4()}"
    app = create_app(
        dev_env.client, ApiSettings(task_queue=task_queue), TEST_AUTH, CaseJournal(IN_MEMORY)
    )
    async with (
        serving(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        alone = await http.get("/ready")
        assert alone.status_code == 503
        assert (alone.json()["temporal"], alone.json()["worker"]) == ("reachable", "none polling")
        async with Worker(dev_env.client, task_queue=task_queue, workflows=[BrokenDeploy]):
            polled = await http.get("/ready")
            for _ in range(50):
                if polled.status_code == 200:
                    break
                await dev_env.sleep(timedelta(milliseconds=200))
                polled = await http.get("/ready")
            assert polled.status_code == 200, polled.text
            assert polled.json()["worker"] == "polling"
