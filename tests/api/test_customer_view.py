"""Attack: a customer reading the desk's internal notes, addresses and staff phones (issue 13)."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN, bearer, customer_bearer
from harness.samples import FORM, SEED_MATRIX
from harness.waiting import eventually

LUCIA = customer_bearer("lucia@example.mx")
AGENT = bearer("agent", "priya", "Priya")
STAFF_ADDRESSES = [
    *(level.contacts.email for level in SEED_MATRIX.levels if level.contacts),
    *(contact.email for contact in SEED_MATRIX.roles.values()),
    *(contact.phone for contact in SEED_MATRIX.roles.values() if contact.phone),
]


@pytest.fixture
async def api(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(task_queue=task_queue)
    async with serve_api(env, settings, opened_workflows, headers={}) as client:
        yield client


def notes(view: dict[str, Any]) -> list[str]:
    return [step["text"] for step in view["history"] if step["kind"] == "note_added"]


async def test_a_customer_sees_public_history_only(api: httpx.AsyncClient) -> None:
    filed = await api.post("/complaints", json=FORM, headers=AGENT)  # taken by phone for Lucía
    complaint = f"/complaints/{filed.json()['id']}"
    await api.post(f"{complaint}/notes", json={"text": "Customer sounds angry"}, headers=AGENT)
    await api.post(
        f"{complaint}/notes", json={"text": "Label sent", "internal": False}, headers=AGENT
    )
    own = await api.post(f"{complaint}/notes", json={"text": "Thanks!"}, headers=LUCIA)
    assert notes(own.json()) == ["Label sent", "Thanks!"]

    async def delivered() -> dict[str, Any] | None:  # the desk's emails are out and recorded
        staff = (await api.get(complaint, headers=ADMIN)).json()
        return staff if any(s["kind"] == "notified" for s in staff["history"]) else None

    staff = await eventually(delivered)
    assert notes(staff) == ["Customer sounds angry", "Label sent", "Thanks!"]
    seen = (await api.get(complaint, headers=LUCIA)).json()
    assert notes(seen) == ["Label sent", "Thanks!"]
    assert {step["kind"] for step in seen["history"]} <= {"opened", "note_added"}
    text = json.dumps(seen)
    assert [address for address in STAFF_ADDRESSES if address in text] == []
