"""Page cursors of `GET /complaints`: a genuine one pages on; a forged, truncated or borrowed
one is a 422 at once, and Temporal is never asked (it retries a garbage token for seconds,
then fails)."""

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.exceptions import RequestValidationError
from temporalio.client import Client, Interceptor, ListWorkflowsInput, OutboundInterceptor
from temporalio.client import WorkflowExecutionAsyncIterator as Listing
from temporalio.testing import WorkflowEnvironment

from api.credentials import Authenticator
from api.page_tokens import page_cursor, page_token
from harness.credentials import TEST_AUTH
from harness.samples import FORM
from harness.waiting import eventually

FILED = 3
REFUSED_WITHIN = 1.0
"""Seconds: a refusal needs no Temporal call (the old refusal of a bad token took 6-10 s)."""


class CountedLists(Interceptor):
    """Counts the list calls a client makes."""

    def __init__(self) -> None:
        self.calls = 0

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Counting(next, self)


class _Counting(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, counter: CountedLists) -> None:
        super().__init__(next)
        self._counter = counter

    def list_workflows(self, input: ListWorkflowsInput) -> Listing:
        self._counter.calls += 1
        return super().list_workflows(input)


@pytest.fixture(scope="module")
def lists() -> CountedLists:
    return CountedLists()


@pytest.fixture(scope="module")
def api_env(dev_env: WorkflowEnvironment, lists: CountedLists) -> WorkflowEnvironment:
    """The module's API reaches the dev server through a client counting its list calls."""
    config = dev_env.client.config()
    return WorkflowEnvironment.from_client(Client(**{**config, "interceptors": [lists]}))


@dataclass
class Cursors:
    first: str
    """The first page's `next_page_token` (pages of one, no filter)."""
    other_query: str
    """The same, of another query (level 1)."""


@pytest.fixture(scope="module")
async def cursors(module_api: httpx.AsyncClient) -> Cursors:
    for n in range(FILED):
        filed = await module_api.post("/complaints", json={**FORM, "product": f"Dedica {n}"})
        assert filed.status_code == 201, filed.text

    async def all_listed() -> bool:
        listed = await module_api.get("/complaints", params={"page_size": 100})
        return len(listed.json()["complaints"]) == FILED

    await eventually(all_listed, within=20)

    async def first_cursor(**filters: Any) -> str:
        page = await module_api.get("/complaints", params={"page_size": 1, **filters})
        assert page.status_code == 200, page.text
        return page.json()["next_page_token"]

    return Cursors(first=await first_cursor(), other_query=await first_cursor(level=1))


def _raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor)


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


FORGERIES: dict[str, Callable[[Cursors], str]] = {
    "its tag, another Temporal token": lambda c: _cursor(_raw(c.first)[:16] + b"garbage"),
    "its tag, the Temporal token altered": lambda c: _cursor(
        _raw(c.first)[:16] + b"garbage" + _raw(c.first)[16:]
    ),
    "its tag, the Temporal token cut short": lambda c: _cursor(_raw(c.first)[:-3]),
    "its tag alone": lambda c: _cursor(_raw(c.first)[:16]),
    "base64 cut mid-quantum": lambda c: c.first[:-3],
    "random bytes": lambda c: _cursor(bytes(range(7, 250, 3))),
    "another query's cursor": lambda c: c.other_query,
    "not base64": lambda c: "not a cursor!",
    "empty": lambda c: "",
}


async def test_a_genuine_cursor_pages_through_every_complaint(
    module_api: httpx.AsyncClient, cursors: Cursors
) -> None:
    seen: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"page_size": 1, **({"page_token": token} if token else {})}
        page = await module_api.get("/complaints", params=params)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["complaints"]]
        token = page.json()["next_page_token"]
        if token is None:
            break
    assert len(seen) == len(set(seen)) == FILED


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_a_forged_cursor_is_422_at_once_without_asking_temporal(
    module_api: httpx.AsyncClient, cursors: Cursors, lists: CountedLists, forgery: str
) -> None:
    before = lists.calls
    started = time.monotonic()
    answer = await module_api.get(
        "/complaints", params={"page_size": 1, "page_token": FORGERIES[forgery](cursors)}
    )
    took = time.monotonic() - started
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["query", "page_token"]
    assert error["msg"] == "not a next_page_token of this query"
    assert took < REFUSED_WITHIN
    assert lists.calls == before, "a refused cursor reached Temporal"


def test_every_byte_of_a_cursor_is_signed() -> None:
    auth = Authenticator.from_settings(TEST_AUTH)
    query = "WorkflowType = 'ComplaintWorkflow'"
    token = b'{"CloseTime":"0001-01-01T00:00:00Z","StartTime":"2026-12-01T10:00:00Z"}'
    cursor = page_cursor(auth, query, token)
    assert cursor is not None
    assert page_token(auth, query, cursor) == token
    raw = _raw(cursor)
    for at in range(len(raw)):
        flipped = raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :]
        with pytest.raises(RequestValidationError):
            page_token(auth, query, _cursor(flipped))
