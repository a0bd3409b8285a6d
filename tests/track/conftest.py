"""The API and a worker on the test server, both with a tracking secret: acknowledgements carry
the customer's link, and `/track/<link>` serves their page."""

import re

import httpx
import pytest
from pydantic import SecretStr

from activities.tracking_links import TrackingSettings
from harness.credentials import ADMIN
from harness.mailbox import Mailbox
from harness.samples import FORM
from harness.waiting import eventually

PUBLIC_URL = "https://support.example.com"
TRACKING = TrackingSettings(
    tracking_secret=SecretStr("test-tracking-secret-0123456789abcdef0123"), public_url=PUBLIC_URL
)
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/track/[A-Za-z0-9_.\-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INDIA: dict[str, object] = {
    **FORM,
    "customer": {
        "name": "Asha Verma",
        "email": "asha@example.in",
        "phone": "+91 98123 45678",
        "address": "12 MG Road, Bengaluru",
    },
    "country": "in",
    "product": "Redmi Note 10 Pro",
    "reason": "Phone dead after update",
    "description": "The phone stopped booting after the last system update.",
}
"""A complaint from India: its page reads English."""


@pytest.fixture
def tracking() -> TrackingSettings:
    """The shared worker (tests/conftest.py) puts tracking links in acknowledgements."""
    return TRACKING


@pytest.fixture
def api(guest_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """The served app (tests/conftest.py `guest_api`, with tracking links); the client sends no
    credentials unless a request says whose (a customer's browser following their link)."""
    return guest_api


async def file_complaint(api: httpx.AsyncClient, form: dict[str, object]) -> str:
    filed = await api.post("/complaints", json=form, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


async def tracking_path(mailbox: Mailbox, email: str) -> str:
    """The path of the link in the customer's acknowledgement (`/track/...`)."""

    def link() -> str | None:
        for message in mailbox.to(email):
            found = LINK.search(message.get_content())
            if found:
                return found.group(1)
        return None

    return await eventually(link, within=20)


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def text_of(page: httpx.Response) -> str:
    """The page's words, tags and extra spaces left out."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
