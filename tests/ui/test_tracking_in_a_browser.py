"""The customer's tracking page in Debian's chromium, with a proposal awaiting the customer, in
both languages: axe-core finds no serious or critical violation, Tab reaches the accept and
reject controls and the message form with a visible outline, and every field has a label."""

import httpx
import pytest
from playwright.async_api import Browser, Page

from harness.browser import VIEWPORT
from harness.credentials import bearer
from harness.mailbox import Mailbox
from harness.samples import FORM
from tests.track.conftest import INDIA, file_complaint, tracking_path
from tests.ui.pages import MAX_TABS, blocking_violations

AGENT = bearer("agent", "priya", "Priya")
MEXICO = {**FORM, "brand": "delonghi-mx"}
CONTROLS = {
    "the accept button": "form[action$='/accept'] button[type=submit]",
    "the reason to reject": "#reject-reason",
    "the reject button": "form[action$='/reject'] button[type=submit]",
    "the message": "#message-note",
    "the send button": "form[action$='/message'] button[type=submit]",
}
"""What the customer must reach by keyboard on a page with a proposal, by a CSS selector."""


@pytest.mark.parametrize(
    ("form", "email", "lang"),
    [(INDIA, "asha@example.in", "en-IN"), (MEXICO, "lucia@example.mx", "es-MX")],
    ids=["en-IN", "es-MX"],
)
async def test_the_page_with_a_proposal_passes_axe_and_works_by_keyboard(
    guest_api: httpx.AsyncClient,
    mailbox: Mailbox,
    browser: Browser,
    form: dict[str, object],
    email: str,
    lang: str,
) -> None:
    complaint_id = await file_complaint(guest_api, form)
    proposed = await guest_api.post(
        f"/complaints/{complaint_id}/resolution",
        json={"resolution": "A new pump, fitted at home."},
        headers=AGENT,
    )
    assert proposed.status_code == 200, proposed.text
    link = await tracking_path(mailbox, email)
    context = await browser.new_context(viewport=VIEWPORT, bypass_csp=True)  # axe-core gets in
    try:
        page = await context.new_page()
        opened = await page.goto(f"{guest_api.base_url}{link}")
        assert opened is not None and opened.status == 200
        assert await page.get_attribute("html", "lang") == lang
        assert await _unlabelled(page) == []
        assert await _reached_by_tab(page) == set(CONTROLS)
        assert await blocking_violations(page) == []
    finally:
        await context.close()


async def _unlabelled(page: Page) -> list[str]:
    """The ids (or names) of the page's fields no label names."""
    return await page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
            .filter(field => field.labels.length === 0 || !field.labels[0].textContent.trim())
            .map(field => field.id || field.name)"""
    )


async def _reached_by_tab(page: Page) -> set[str]:
    """Which of `CONTROLS` Tab reaches from the top of the page, each with a visible outline
    while focused."""
    reached: set[str] = set()
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        for name, selector in CONTROLS.items():
            focused = await page.evaluate(
                """selector => {
                    const element = document.activeElement;
                    if (!element.matches(selector)) return null;
                    const style = getComputedStyle(element);
                    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                }""",
                selector,
            )
            if focused is None:
                continue
            assert focused, f"{name} has no visible outline when focused by keyboard"
            reached.add(name)
        if reached == set(CONTROLS):
            break
    return reached
