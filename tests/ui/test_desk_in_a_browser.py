"""The case desk in Debian's chromium: an agent signs in and adds a note with the keyboard alone,
and axe-core finds no serious or critical accessibility violation on the case page or the
register page."""

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from activities.journal_store import CaseJournal
from harness.browser import VIEWPORT
from harness.credentials import ADMIN
from harness.samples import FORM
from tests.desk.conftest import sign_in_token
from tests.ui.pages import blocking_violations, tab_to


@pytest.fixture
def api(guest_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """The served app (tests/conftest.py `guest_api`): no credentials unless a request says."""
    return guest_api


@pytest.fixture
async def desk(browser: Browser, api: httpx.AsyncClient) -> AsyncIterator[BrowserContext]:
    """An agent's browser, signed in with a link; page scripts may be injected (axe-core)."""
    context = await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    page = await context.new_page()
    token = sign_in_token("agent", "priya", "Priya")
    await page.goto(f"{api.base_url}/desk/sign-in?token={token}")
    await expect(page.get_by_text("Signed in as Priya (agent).")).to_be_visible()
    await page.close()
    yield context
    await context.close()


async def _filed(api: httpx.AsyncClient) -> str:
    filed = await api.post("/complaints", json={**FORM, "brand": "delonghi-mx"}, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    complaint_id = filed.json()["id"]
    fields = {"service_centre": "SAT Norte", "service_order": "SO-4411"}
    flag = {"case_type": "no_diagnosis", "fields": fields}
    flagged = await api.post(f"/complaints/{complaint_id}/cases", json=flag, headers=ADMIN)
    assert flagged.is_success, flagged.text
    return complaint_id


async def test_an_agent_adds_a_note_with_the_keyboard_alone(
    desk: BrowserContext, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    complaint_id = await _filed(api)
    page = await desk.new_page()
    await page.goto(f"{api.base_url}/desk/complaints/{complaint_id}")

    await tab_to(page, "summary", "Add note")
    await page.keyboard.press("Enter")  # opens the form
    form = page.locator("#action-add_note")
    await page.keyboard.press("Tab")
    await expect(form.get_by_label("Text")).to_be_focused()
    await page.keyboard.type("Called the customer: the centre will call her on Wednesday.")
    await page.keyboard.press("Tab")
    await expect(form.get_by_label("Internal: staff only")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(form.get_by_role("button", name="Add note")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_have_text(
        "Done: agent Priya added a note. Status: open."
    )
    first_step = page.locator("ol.history > li").first
    await expect(first_step).to_contain_text("agent Priya")
    await expect(first_step).to_contain_text("Called the customer: the centre will call her")
    await page.screenshot(path=tmp_path / "desk-case.png", full_page=True)


async def test_the_queue_case_and_register_pages_pass_axe(
    desk: BrowserContext, api: httpx.AsyncClient, journal: CaseJournal, tmp_path: Path
) -> None:
    complaint_id = await _filed(api)
    page = await desk.new_page()
    for _ in range(100):  # the worker journals the complaint just after it opens
        if journal.has(complaint_id):
            break
        await asyncio.sleep(0.1)
    await page.goto(f"{api.base_url}/desk?breached=no")
    await page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    await expect(page.get_by_role("link", name=complaint_id)).to_be_visible()
    assert await blocking_violations(page) == []
    await page.screenshot(path=tmp_path / "desk-queue.png", full_page=True)

    await page.goto(f"{api.base_url}/desk/complaints/{complaint_id}")
    await page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert await blocking_violations(page) == []

    await page.goto(f"{api.base_url}/desk/complaints/new")
    assert await blocking_violations(page) == []
    await page.get_by_role("button", name="Register the complaint").click()  # everything empty
    await expect(page.get_by_text("The complaint was not filed")).to_be_visible()
    assert await blocking_violations(page) == []
    await page.screenshot(path=tmp_path / "desk-register-refused.png", full_page=True)


async def test_the_pages_scripts_run_under_their_own_content_security_policy(
    browser: Browser, api: httpx.AsyncClient
) -> None:
    complaint_id = await _filed(api)
    context = await browser.new_context(viewport=VIEWPORT)  # the CSP enforced, unlike above
    page = await context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{api.base_url}/desk/sign-in?token={sign_in_token('agent', 'priya', 'Priya')}")
    await page.goto(f"{api.base_url}/desk/complaints/{complaint_id}")
    await page.wait_for_function("() => window.htmx !== undefined")
    countdown = page.locator("[data-countdown]")
    await expect(countdown).to_have_text(re.compile(r"^\d+ d( \d+ h)? left$"))
    assert errors == []
    await context.close()
