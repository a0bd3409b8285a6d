"""`make screenshots`: pictures of the Temporal Web UI for docs/operations.md, and of the case
desk and the customer's tracking page for the README, in docs/img/.

It starts a stack of its own on free ports (dev server and Web UI, codec server, worker, API),
files the demo complaints (`harness.demo`: fictitious customers, brands that breach in seconds)
and photographs what an operator, an agent and a customer see. It never touches the stack of
`make run`, whose complaints breach in hours and whose payloads are under another key.
"""

import asyncio
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser, Page, expect
from pydantic import SecretStr

from activities.tracking_links import TrackingSettings
from api.credentials import mint_token
from api.ui_views import BREACHED_AT_L3
from harness.browser import (
    PAGE_WAIT_MS,
    VIEWPORT,
    chromium,
    chromium_missing,
    operator_context,
)
from harness.credentials import TEST_AUTH
from harness.demo import FILINGS, IN_VIEW, NAMED, Demo, run_demo
from harness.waiting import eventually
from harness.web_ui import start_web_ui

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
SHOWN = "marisol"
"""The demo complaint the Web UI pictures open (breached at L3)."""
ON_THE_DESK = "diego"
"""The demo complaint the desk's case page and the tracking page show (De'Longhi Mexico, a
playbook running, Spanish for the customer)."""
PROPOSAL = "Cambiamos la bomba de agua sin costo; la recogemos en su domicilio el lunes."
LINK = re.compile(r"/track/[A-Za-z0-9_.\-]+")


async def take() -> list[Path]:
    """Photograph the breached-at-L3 view and one complaint's summary, input and timeline; the
    desk's queue, a case page, the register form and a supervisor's live alert; a customer's
    tracking page."""
    IMG.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=PAGE_WAIT_MS)
    tracking = TrackingSettings(
        tracking_secret=SecretStr(secrets.token_urlsafe(48)), public_url="https://example.com"
    )
    async with (
        start_web_ui() as ui,
        run_demo(ui, tracking) as demo,
        chromium() as browser,
    ):
        now = datetime.now(UTC)
        page = await (await operator_context(browser, now, ui.namespace)).new_page()
        complaint = demo.workflow_id(SHOWN)
        run_id = (await ui.env.client.get_workflow_handle(complaint).describe()).run_id
        name = NAMED["customer"]["name"]

        await page.goto(ui.view(BREACHED_AT_L3, now))
        for breached in IN_VIEW[BREACHED_AT_L3]:
            await expect(page.get_by_role("link", name=demo.workflow_id(breached))).to_be_visible()
        shots = [await _shot(page, "ui-view-breached-l3.png")]

        await page.goto(ui.workflow(complaint, run_id, "user-metadata"))
        summary = page.frame_locator("#user-metadata-summary").locator("body")
        await expect(summary).to_contain_text(NAMED["reason"])
        shots.append(await _shot(page, "ui-complaint-summary.png"))

        await page.goto(ui.workflow(complaint, run_id, "history"))
        await expect(page.get_by_text(f'"{name}"', exact=True)).to_be_visible()
        shots.append(await _shot(page, "ui-complaint-input.png"))

        await page.goto(ui.workflow(complaint, run_id, "timeline"))
        timeline = page.get_by_role("heading", name="Timeline", exact=True)
        await expect(page.get_by_text(f'"{name}"', exact=True)).to_be_visible()
        await timeline.evaluate("heading => heading.scrollIntoView()")
        shots.append(await _shot(page, "ui-complaint-timeline.png"))
        return shots + await _desk_and_tracking(browser, demo)


async def _desk_and_tracking(browser: Browser, demo: Demo) -> list[Path]:
    """Priya signs in with a link; the queue, a case page, the register form; she proposes a
    resolution, and the customer's tracking page shows it with its accept and reject forms."""
    ids = demo.ids.values()
    await eventually(lambda: all(demo.journal.has(complaint) for complaint in ids), within=30)
    page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    token = mint_token(TEST_AUTH, "priya", "agent", "Priya", ttl=timedelta(minutes=10))
    await page.goto(f"{demo.api_url}/desk/sign-in?token={token}")
    await expect(page.get_by_text("Signed in as Priya (agent).")).to_be_visible()
    for complaint in ids:
        await expect(page.get_by_role("link", name=complaint)).to_be_visible()
    shots = [await _shot(page, "desk-queue.png", full_page=True)]

    complaint = demo.ids[ON_THE_DESK]
    await page.goto(f"{demo.api_url}/desk/complaints/{complaint}")
    await expect(page.get_by_role("heading", name="Playbooks")).to_be_visible()
    shots.append(await _shot(page, "desk-case.png"))

    await page.goto(f"{demo.api_url}/desk/complaints/new")
    shots.append(await _shot(page, "desk-register.png"))

    await page.goto(f"{demo.api_url}/desk/complaints/{complaint}")
    proposal = page.locator("#action-propose_resolution")
    await proposal.locator("summary").click()
    await proposal.get_by_label("Resolution", exact=True).fill(PROPOSAL)
    await proposal.locator("button[type=submit]").click()
    await expect(page.get_by_role("status")).to_contain_text("Status: awaiting customer")

    shots.append(await _live_alert(browser, demo, page))

    customer = await browser.new_context(viewport=VIEWPORT)
    track = await customer.new_page()
    await track.goto(f"{demo.api_url}{_tracking_path(demo, ON_THE_DESK)}")
    await expect(track.get_by_text(PROPOSAL).first).to_be_visible()
    shots.append(await _shot(track, "track-page.png", full_page=True))
    return shots


async def _live_alert(browser: Browser, demo: Demo, agent: Page) -> Path:
    """Ana, a supervisor, has the queue open when Priya asks for a supervisor for a customer on
    the line: the alert shows at the top of Ana's page."""
    supervisor = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    token = mint_token(TEST_AUTH, "ana", "supervisor", "Ana", ttl=timedelta(minutes=10))
    await supervisor.goto(f"{demo.api_url}/desk/sign-in?token={token}")
    await expect(supervisor.locator("#live-state")).to_have_text("Live updates: on")
    complaint = demo.ids[SHOWN]
    await agent.goto(f"{demo.api_url}/desk/complaints/{complaint}")
    request = agent.locator("#action-request_supervisor")
    await request.locator("summary").click()
    await request.get_by_label("Reason").fill("Wants a replacement today; on hold on line 2.")
    await request.locator("button[type=submit]").click()
    await expect(supervisor.get_by_role("alert").filter(has_text=complaint)).to_be_visible()
    return await _shot(supervisor, "desk-live-alert.png")


def _tracking_path(demo: Demo, name: str) -> str:
    """The path of the tracking link in the customer's acknowledgement."""
    assert demo.mailbox is not None
    email = FILINGS[name]["customer"]["email"]
    for message in demo.mailbox.to(email):
        if found := LINK.search(message.get_content()):
            return found.group(0)
    raise LookupError(f"no acknowledgement with a tracking link reached {email}")


async def _shot(page: Page, name: str, full_page: bool = False) -> Path:
    await page.wait_for_timeout(1500)  # let late rows and fonts settle before the picture
    path = IMG / name
    await page.screenshot(path=path, full_page=full_page)
    return path


def main() -> None:
    if missing := chromium_missing():
        raise SystemExit(missing)
    for path in asyncio.run(take()):
        print(f"wrote {path.relative_to(IMG.parent.parent)}")


if __name__ == "__main__":
    main()
