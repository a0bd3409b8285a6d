"""Live notifications in Debian's chromium: a supervisor with the queue open sees and hears an
agent's supervisor request the moment it is made, without reloading, and axe-core finds no
serious or critical violation with the alert showing."""

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from harness.browser import VIEWPORT
from harness.credentials import ADMIN, bearer
from harness.samples import FORM
from tests.desk.conftest import sign_in_token
from tests.ui.pages import blocking_violations


@pytest.fixture
def api(guest_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return guest_api


@pytest.fixture
async def supervisor(browser: Browser, api: httpx.AsyncClient) -> AsyncIterator[BrowserContext]:
    """A supervisor's browser (its content security policy enforced), signed in with a link."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto(
        f"{api.base_url}/desk/sign-in?token={sign_in_token('supervisor', 'asha', 'Asha')}"
    )
    await expect(page.get_by_text("Signed in as Asha (supervisor).")).to_be_visible()
    await page.close()
    yield context
    await context.close()


async def test_a_supervisor_request_reaches_the_open_queue_seen_and_heard(
    supervisor: BrowserContext, api: httpx.AsyncClient
) -> None:
    filed = await api.post("/complaints", json=FORM, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    complaint_id = filed.json()["id"]
    page = await supervisor.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{api.base_url}/desk")
    await expect(page.locator("#live-state")).to_have_text("Live updates: on")
    sound = page.get_by_role("button", name="Turn sound on")
    if await sound.is_visible():
        await sound.click()  # a click lets the page play sound
    await expect(sound).to_be_hidden()

    asked = await api.post(
        f"/complaints/{complaint_id}/supervisor-request",
        json={"reason": "Wants a refund now."},
        headers=bearer("agent", "priya", "Priya"),
    )
    assert asked.status_code == 200, asked.text

    alert = page.get_by_role("alert").filter(has_text=complaint_id)
    await expect(alert).to_contain_text("Priya has a customer on the line asking for a supervisor")
    await expect(alert.get_by_role("link", name=f"Complaint {complaint_id}")).to_have_attribute(
        "href", f"/desk/complaints/{complaint_id}"
    )
    await expect(page.locator("#live")).to_have_attribute("data-chimes", "1")
    assert errors == []

    await alert.get_by_role("button").click()  # Dismiss
    await expect(alert).to_have_count(0)


async def test_the_live_region_passes_axe_with_an_alert_showing(
    browser: Browser, supervisor: BrowserContext, api: httpx.AsyncClient
) -> None:
    filed = await api.post("/complaints", json=FORM, headers=ADMIN)
    complaint_id = filed.json()["id"]
    context = await browser.new_context(
        viewport=VIEWPORT, bypass_csp=True, storage_state=await supervisor.storage_state()
    )
    page = await context.new_page()
    await page.goto(f"{api.base_url}/desk/complaints/{complaint_id}")
    await expect(page.locator("#live-state")).to_have_text("Live updates: on")
    await api.post(
        f"/complaints/{complaint_id}/supervisor-request",
        json={"reason": "Wants a refund now."},
        headers=bearer("agent", "priya", "Priya"),
    )
    await expect(page.get_by_role("alert").filter(has_text=complaint_id)).to_be_visible()
    assert await blocking_violations(page) == []
    await context.close()
