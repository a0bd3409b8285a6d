"""`make screenshots`: pictures of the Temporal Web UI for docs/operations.md, in docs/img/.

It starts a stack of its own on free ports (dev server and Web UI, codec server, worker, API),
files the demo complaints (`harness.demo`: fictitious customers, brands that breach in seconds)
and photographs what an operator sees. It never touches the stack of `make run`, whose
complaints breach in hours and whose payloads are under another key.
"""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Page, expect

from api.ui_views import BREACHED_AT_L3
from harness.browser import PAGE_WAIT_MS, chromium, chromium_missing, operator_context
from harness.demo import IN_VIEW, NAMED, run_demo
from harness.web_ui import start_web_ui

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
SHOWN = "marisol"
"""The demo complaint the pictures open (breached at L3)."""


async def take() -> list[Path]:
    """Photograph the breached-at-L3 view and one complaint's summary, input and timeline."""
    IMG.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=PAGE_WAIT_MS)
    async with start_web_ui() as ui, run_demo(ui) as demo, chromium() as browser:
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
        return shots


async def _shot(page: Page, name: str) -> Path:
    await page.wait_for_timeout(1500)  # let late rows and fonts settle before the picture
    path = IMG / name
    await page.screenshot(path=path)
    return path


def main() -> None:
    if missing := chromium_missing():
        raise SystemExit(missing)
    for path in asyncio.run(take()):
        print(f"wrote {path.relative_to(IMG.parent.parent)}")


if __name__ == "__main__":
    main()
