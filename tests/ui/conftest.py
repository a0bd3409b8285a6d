"""One stack for the package: a dev server with its Web UI and codec server, a worker, the API
and the demo complaints (`harness.demo`); Debian's chromium for the browser tests. The desk's
and the tracking page's tests have the app served per test, with a worker on the test server
putting tracking links in acknowledgements."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from activities.tracking_links import TrackingSettings
from harness.browser import PAGE_WAIT_MS, chromium, chromium_missing
from harness.demo import Demo, run_demo
from harness.web_ui import WebUi, start_web_ui
from tests.track.conftest import TRACKING

expect.set_options(timeout=PAGE_WAIT_MS)


@pytest.fixture(scope="package")
async def web_ui() -> AsyncIterator[WebUi]:
    async with start_web_ui() as ui:
        yield ui


@pytest.fixture(scope="package")
async def demo(web_ui: WebUi) -> AsyncIterator[Demo]:
    async with run_demo(web_ui) as filed:
        yield filed


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    if missing := chromium_missing():
        pytest.skip(missing)
    async with chromium() as launched:
        yield launched


@pytest.fixture
def tracking() -> TrackingSettings:
    """The worker (tests/conftest.py) puts the customer's tracking link in acknowledgements."""
    return TRACKING
