"""One complaint from breach to rejection in chromium, through both sides' pages: the agent signs
in with a link, opens the complaint that breached L1, first in the queue, notes and proposes; the
customer follows the link of the acknowledgement in the SMTP sink and rejects with a reason; the
desk shows the escalation. Real worker, Temporal test server, SMTP sink and uvicorn."""

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect
from temporalio.testing import WorkflowEnvironment

from activities.journal_store import CaseJournal
from harness.browser import VIEWPORT
from harness.credentials import ADMIN
from harness.mailbox import Mailbox
from harness.waiting import eventually
from tests.desk.conftest import sign_in_token
from tests.track.conftest import INDIA, PUBLIC_URL, tracking_path

H = timedelta(hours=1)
NOTE = "Customer sounds litigious; the centre owes us the diagnosis since Monday."
PROPOSAL = "A new handset, delivered to your address within 5 days."
REASON = "I want my own phone repaired, not a refurbished one."
OTHER_CUSTOMER = {"name": "Meera Nair", "email": "meera@example.in", "phone": "+91 99001 23456"}
"""Another customer (Asha again would join her first complaint as a repeat)."""


@pytest.fixture
async def contexts(browser: Browser) -> AsyncIterator[list[BrowserContext]]:
    """Browser profiles of the test's (the agent's, the customer's), closed afterwards."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        await context.close()


async def test_a_breached_complaint_from_the_desk_to_the_customers_rejection(
    env: WorkflowEnvironment,
    guest_api: httpx.AsyncClient,
    mailbox: Mailbox,
    journal: CaseJournal,
    browser: Browser,
    contexts: list[BrowserContext],
) -> None:
    api = guest_api
    late = await _file(api, INDIA)
    # Past L1's 48 hours: breached and up to L2, where its 24 hours make it due before a
    # complaint filed now (the queue's `breached` flag is for the top level's breach alone).
    await env.sleep(48 * H + H)
    fresh = await _file(api, {**INDIA, "customer": OTHER_CUSTOMER})
    await eventually(lambda: _journaled(journal, late, fresh), within=20)

    agent = await _context(browser, contexts)
    desk = await agent.new_page()
    await desk.goto(f"{api.base_url}/desk/sign-in?token={sign_in_token('agent', 'priya', 'Priya')}")
    await expect(desk.get_by_text("Signed in as Priya (agent).")).to_be_visible()
    await desk.goto(f"{api.base_url}/desk")
    rows = desk.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(1)).to_contain_text(fresh)
    await expect(rows.first).to_contain_text("L2")
    await rows.first.get_by_role("link", name=late).click()
    await expect(desk.get_by_role("heading", level=1)).to_have_text(f"Complaint {late}")
    await expect(_fact(desk, "Level")).to_contain_text("L2")
    history = desk.locator("ol.history > li")
    await expect(history.filter(has_text="L1 window of 48h ran out")).to_have_count(1)

    await _send(desk, "add_note", {"Text": NOTE})
    await expect(desk.get_by_role("status")).to_contain_text("Priya added a note")
    await _send(desk, "propose_resolution", {"Resolution": PROPOSAL})
    await expect(desk.get_by_role("status")).to_contain_text("Status: awaiting customer")

    link = await tracking_path(mailbox, "asha@example.in")
    acknowledgement = mailbox.to("asha@example.in")[0].get_content()
    assert f"{PUBLIC_URL}{link}" in acknowledgement
    customer = await _context(browser, contexts)
    track = await customer.new_page()
    opened = await track.goto(f"{api.base_url}{link}")  # the public address, served here
    assert opened is not None and opened.status == 200
    await expect(track.locator("blockquote").first).to_have_text(PROPOSAL)
    assert NOTE not in await track.locator("body").inner_text()
    await track.get_by_label("Why do you reject it?").fill(REASON)
    await track.get_by_role("button", name="Reject the resolution").click()
    await expect(track.get_by_role("status")).to_have_text("Done. Thank you.")
    await expect(_fact(track, "Level")).to_have_text("3 · Office of the President")
    words = await track.locator("body").inner_text()
    assert REASON in words and "rejected the resolution" in words
    assert NOTE not in words and "Priya" not in words

    await desk.reload()
    await expect(_fact(desk, "Level")).to_contain_text("L3")
    escalation = history.filter(has=desk.locator(".what", has_text="escalated"))
    await expect(escalation.filter(has_text=REASON)).to_have_count(1)
    await expect(escalation.filter(has_text=REASON)).to_contain_text("at L3")
    await expect(history.filter(has_text="rejected").first).to_contain_text("customer")

    altered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    forged = await track.goto(f"{api.base_url}{altered}")
    assert forged is not None and forged.status == 404
    await expect(track.get_by_role("heading", level=1)).to_have_text("This link does not work")

    await desk.reload()
    assert await _post_without_token(desk, "#action-add_note form", "Text", "Forged.") == 403
    await expect(desk.get_by_role("alert")).to_contain_text("security token")
    await track.goto(f"{api.base_url}{link}")
    assert await _post_without_token(track, "form[action$='/message']", "Your message", "x") == 403
    await expect(track.get_by_role("alert")).to_contain_text("security token")
    view = (await api.get(f"/complaints/{late}", headers=ADMIN)).json()
    notes = [step.get("text") for step in view["history"]]
    assert "Forged." not in notes and "x" not in notes  # nothing changed


async def _file(api: httpx.AsyncClient, form: dict[str, object]) -> str:
    filed = await api.post("/complaints", json=form, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


def _journaled(journal: CaseJournal, late: str, fresh: str) -> bool:
    """The worker has journaled the escalation and the fresh complaint (the queue reads it)."""
    case = journal.case(late)
    return case is not None and case.row.level == 2 and journal.has(fresh)


async def _context(browser: Browser, contexts: list[BrowserContext]) -> BrowserContext:
    context = await browser.new_context(viewport=VIEWPORT)
    contexts.append(context)
    return context


def _fact(page: Page, term: str) -> Locator:
    """The value beside `term` under "Where it stands" (the case page, the tracking page)."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").first


async def _send(page: Page, key: str, fields: dict[str, str]) -> None:
    """Open the action's form on the case page, fill it in and send it."""
    action = page.locator(f"#action-{key}")
    await action.locator("summary").click()
    for label, value in fields.items():
        await action.get_by_label(label, exact=True).fill(value)
    await action.locator("button[type=submit]").click()


async def _post_without_token(page: Page, form: str, label: str, value: str) -> int:
    """Send `form` filled in, its CSRF token taken out first, as a forged page would; the status."""
    target = page.locator(form)
    await target.evaluate("form => form.closest('details')?.setAttribute('open', '')")
    await target.get_by_label(label, exact=True).fill(value)
    await target.evaluate("form => form.querySelector('input[name=csrf_token]').remove()")
    async with page.expect_navigation() as navigation:
        await target.locator("button[type=submit]").click()
    response = await navigation.value
    assert response is not None
    return response.status
