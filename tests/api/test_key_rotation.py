"""A key rotation done out of order: the API encrypts with a key the worker lacks. Nothing is
changed, and the caller is told to try again (503), not shown a server error."""

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.settings import ApiSettings
from harness.api import serve_api
from harness.samples import FORM
from harness.temporal import TEST_KEYS
from workflows.codec import CodecKey, encrypted_data_converter

NEW_KEY = CodecKey.generate("not-on-the-worker-yet")


async def test_an_action_under_a_key_the_worker_lacks_is_a_503_and_changes_nothing(
    api: httpx.AsyncClient,
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    opened_workflows: set[str],
) -> None:
    filed = (await api.post("/complaints", json=FORM)).json()
    ahead = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=encrypted_data_converter([NEW_KEY, *TEST_KEYS]),
    )
    settings = ApiSettings(task_queue=task_queue)
    async with serve_api(
        WorkflowEnvironment.from_client(ahead), settings, opened_workflows
    ) as early:
        noted = await early.post(f"/complaints/{filed['id']}/notes", json={"text": "too early"})
    assert noted.status_code == 503, noted.text
    assert "nothing was changed" in noted.json()["detail"]
    after = (await api.get(f"/complaints/{filed['id']}")).json()
    assert all(step.get("text") != "too early" for step in after["history"])
