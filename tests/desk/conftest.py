"""The API served with a worker on the test server, reading the journal the worker writes, and the
desk as browsers reach it: each person a client of their own (cookies), signed in through a
sign-in link."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import httpx
import pytest

from api.credentials import PersonRole, mint_token
from harness.credentials import ADMIN, TEST_AUTH
from harness.samples import FORM

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def api(guest_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """The served app (tests/conftest.py `guest_api`): no credentials unless a request says."""
    return guest_api


@pytest.fixture
async def sign_in(api: httpx.AsyncClient) -> AsyncIterator[SignIn]:
    """A browser of someone's own, signed in with a 10-minute token as `make tokens` links do."""
    browsers: list[httpx.AsyncClient] = []

    async def signed_in(
        role: PersonRole = "agent", sub: str = "priya", name: str | None = "Priya"
    ) -> httpx.AsyncClient:
        browser = httpx.AsyncClient(base_url=api.base_url, timeout=30)
        browsers.append(browser)
        token = sign_in_token(role, sub, name)
        answer = await browser.get("/desk/sign-in", params={"token": token})
        assert answer.status_code == 303, answer.text
        return browser

    yield signed_in
    for browser in browsers:
        await browser.aclose()


def sign_in_token(role: PersonRole, sub: str, name: str | None = None) -> str:
    return mint_token(TEST_AUTH, sub, role, name, ttl=timedelta(minutes=10))


async def file_complaint(api: httpx.AsyncClient, **changes: object) -> str:
    """A complaint filed through the API (by an admin); its id."""
    filed = await api.post("/complaints", json={**FORM, **changes}, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
