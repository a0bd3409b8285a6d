"""Attack: telling by the answer's time whether someone else's complaint id exists (issue 13).

A foreign id and an unknown id must cost the same: the same calls to Temporal, and none to a
worker (a query waits on one). The time itself is measured in bench/id_probing.py.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from harness.credentials import ADMIN, customer_bearer
from harness.samples import FORM

MATEO = customer_bearer("mateo@example.mx")
CALLS = ("describe_workflow_execution", "query_workflow", "get_workflow_execution_history")


@pytest.fixture
def calls(env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the API's calls to the Temporal server, by RPC."""
    counted: Counter[str] = Counter()
    service = env.client.workflow_service
    for name in CALLS:
        monkeypatch.setattr(service, name, _counting(counted, name, getattr(service, name)))
    return counted


def _counting(counted: Counter[str], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    async def counting(*args: Any, **kwargs: Any) -> Any:
        counted[name] += 1
        return await call(*args, **kwargs)

    return counting


async def test_a_foreign_id_and_an_unknown_id_make_the_same_calls(
    guest_api: httpx.AsyncClient, calls: Counter[str]
) -> None:
    lucias = (await guest_api.post("/complaints", json=FORM, headers=ADMIN)).json()["id"]
    calls.clear()
    foreign = await guest_api.get(f"/complaints/{lucias}", headers=MATEO)
    by_foreign = dict(calls)
    calls.clear()
    unknown = await guest_api.get("/complaints/0000000000000000", headers=MATEO)
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json()["detail"].replace(lucias, "ID") == unknown.json()["detail"].replace(
        "0000000000000000", "ID"
    )
    assert by_foreign == dict(calls) == {"describe_workflow_execution": 1}
