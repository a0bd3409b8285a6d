"""Attack: floods of filings, actions and guessed credentials get 429 with `Retry-After`."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.rate_limits import RateLimits
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN, auth_settings, bearer, customer_bearer
from harness.samples import FORM

LUCIA = customer_bearer("lucia@example.mx")
OWN_FORM = {**FORM, "recorded_by": {"role": "customer"}}
LIMITS = RateLimits(
    filing="3/minute",
    actions="4/minute",
    staff="6/minute",
    per_address="40/minute",
    failed_auth="5/minute",
)


@pytest.fixture
async def api(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(task_queue=task_queue, rate_limits=LIMITS)
    async with serve_api(env, settings, opened_workflows, headers={}) as client:
        yield client


def assert_limited(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert "too many requests" in answer.json()["detail"]


async def test_filings_are_limited_per_caller(api: httpx.AsyncClient) -> None:
    answers = [
        await api.post("/complaints", json={**OWN_FORM, "product": f"P{n}"}, headers=LUCIA)
        for n in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    assert_limited(answers[3])
    # Another caller is not held up by Lucía's flood.
    assert (await api.post("/complaints", json=FORM, headers=ADMIN)).status_code == 201


async def test_actions_are_limited_per_caller(api: httpx.AsyncClient) -> None:
    filed = await api.post("/complaints", json=OWN_FORM, headers=LUCIA)
    contacts = f"/complaints/{filed.json()['id']}/contacts"
    answers = [await api.post(contacts, json={}, headers=LUCIA) for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert_limited(answers[4])
    assert (await api.post(contacts, json={}, headers=ADMIN)).status_code == 200


async def test_guessing_credentials_is_throttled_per_address(api: httpx.AsyncClient) -> None:
    forged = bearer("admin", "root", settings=auth_settings(jwt_secret=SecretStr("x" * 40)))
    answers = [await api.get("/complaints", headers=forged) for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    assert_limited(answers[5])
    # Past the limit even a good token from that address waits: no more guesses to test.
    assert_limited(await api.get("/complaints", headers=ADMIN))


async def test_any_request_counts_against_its_address(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> None:
    limits = RateLimits(per_address="3/minute")
    settings = ApiSettings(task_queue=task_queue, rate_limits=limits)
    async with serve_api(env, settings, opened_workflows) as api:
        answers = [await api.get("/complaints/0000000000000000") for _ in range(4)]
        assert [a.status_code for a in answers[:3]] == [404] * 3
        assert_limited(answers[3])
        assert (await api.get("/health")).status_code == 200  # probes are never limited


async def test_staff_and_systems_have_their_own_limit(api: httpx.AsyncClient) -> None:
    """A desk files for many customers: its limit is its own, wider than a customer's."""
    answers = [
        await api.post("/complaints", json={**FORM, "product": f"P{n}"}, headers=ADMIN)
        for n in range(7)
    ]
    assert [a.status_code for a in answers[:6]] == [201] * 6
    assert_limited(answers[6])
