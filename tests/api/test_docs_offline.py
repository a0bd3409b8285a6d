"""The API docs page works on a closed network: every script, stylesheet and icon it loads is
served by the API itself, none by a CDN; in a browser, it asks no other host for anything."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.async_api import Route
from temporalio.testing import WorkflowEnvironment

from api.settings import ApiSettings
from harness.api import serve_api
from harness.browser import PAGE_WAIT_MS, chromium, chromium_missing

PAGES = ("/docs",)
KINDS = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class Assets(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag in ("script", "img") else None
        if tag == "link" and found.get("rel") in ("stylesheet", "shortcut icon", "icon"):
            url = found.get("href")
        if url:
            self.urls.append(url)


@pytest.mark.parametrize("page", PAGES)
async def test_a_docs_page_loads_only_what_the_api_serves(
    env: WorkflowEnvironment, opened_workflows: set[str], page: str
) -> None:
    async with serve_api(env, ApiSettings(), opened_workflows, headers={}) as api:
        answer = await api.get(page)
        assert answer.status_code == 200
        assert "cdn." not in answer.text and "fonts.googleapis" not in answer.text
        parser = Assets()
        parser.feed(answer.text)
        assert len(parser.urls) >= 2, parser.urls  # the page's script and its icon at least
        origin = urlsplit(str(api.base_url))
        for url in parser.urls:
            where = urlsplit(urljoin(f"{api.base_url}{page}", url))
            assert (where.scheme, where.netloc) == (origin.scheme, origin.netloc), url
            asset = await api.get(where.path)  # no credentials: the docs are public
            assert asset.status_code == 200, url
            kind = next(kind for suffix, kind in KINDS.items() if where.path.endswith(suffix))
            assert kind in asset.headers["content-type"], url
            assert len(asset.content) > 1000, url
        spec = urlsplit(urljoin(str(api.base_url), "/openapi.json"))
        assert (await api.get(spec.path)).status_code == 200


async def test_the_swagger_page_fetches_no_validator_badge(
    env: WorkflowEnvironment, opened_workflows: set[str]
) -> None:
    """Swagger UI asks validator.swagger.io for a badge unless told not to."""
    async with serve_api(env, ApiSettings(), opened_workflows, headers={}) as api:
        assert '"validatorUrl": null' in (await api.get("/docs")).text


async def test_no_redoc_page_is_served(
    env: WorkflowEnvironment, opened_workflows: set[str]
) -> None:
    """ReDoc's page fetches Redocly's logo from their CDN whatever it is told."""
    async with serve_api(env, ApiSettings(), opened_workflows, headers={}) as api:
        assert (await api.get("/redoc")).status_code == 404


@pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))
async def test_the_docs_page_renders_in_a_browser_without_asking_another_host(
    env: WorkflowEnvironment, opened_workflows: set[str]
) -> None:
    async with (
        serve_api(env, ApiSettings(), opened_workflows, headers={}) as api,
        chromium() as browser,
    ):
        page = await browser.new_page()
        elsewhere: list[str] = []

        async def only_the_api(route: Route) -> None:
            if route.request.url.startswith(str(api.base_url)):
                await route.continue_()
            else:
                elsewhere.append(route.request.url)
                await route.abort()

        await page.route("**/*", only_the_api)
        await page.goto(f"{api.base_url}/docs")
        take = page.locator(".opblock-summary-path", has_text="/complaints/{complaint_id}/take")
        await take.wait_for(timeout=PAGE_WAIT_MS)
        assert elsewhere == []
