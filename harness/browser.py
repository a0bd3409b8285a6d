"""Debian's chromium driven by Playwright, for the Web UI test and `make screenshots`.

We never download Playwright's own browsers: `make browser` installs Debian's chromium.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, ViewportSize, async_playwright

from api.ui_views import COLUMNS, VIEWS

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
PAGE_WAIT_MS = 30_000
"""How long to wait for content: the UI's pages take 4-7 s to settle on this machine."""


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (needs root or sudo)"


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def operator_context(
    browser: Browser, now: datetime, namespace: str = "default"
) -> BrowserContext:
    """A browser profile set up as docs/operations.md suggests: the ready-made views saved
    (their times filled in for `now`), the columns of `COLUMNS` added, the side bar folded."""
    views = [
        {"id": f"complaints-{index}", "name": view.name, "query": view.at(now), "type": "user"}
        for index, view in enumerate(VIEWS)
    ]
    pinned = [{"label": "Status", "pinned": True}, {"label": "Workflow ID", "pinned": True}]
    columns = pinned + [{"label": column, "pinned": False} for column in COLUMNS]
    # The UI 2.54 keeps these in localStorage, each keyed by namespace.
    storage = {
        "saved-workflow-queries": {namespace: views},
        "namespace-workflow-table-columns": {namespace: columns},
        "navOpen": False,
    }
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(
        "\n".join(
            f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(value))});"
            for key, value in storage.items()
        )
    )
    context.set_default_timeout(PAGE_WAIT_MS)
    return context
