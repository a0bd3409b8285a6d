"""An operator's look at complaints in the Temporal Web UI, in a real browser.

The list filtered by a ready-made view shows the breached complaints; a complaint's page shows
its summary and its customer, decrypted by the codec server, and only by it: without the codec
server the page shows ciphertext, and neither the history nor the description the server keeps
holds the customer's details.
"""

import base64
import re
from datetime import UTC, datetime

import pytest
from google.protobuf.json_format import MessageToJson
from playwright.async_api import Browser, expect
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter

from api.ui_views import BREACHED_AT_L3, VIEWS, View
from harness.browser import operator_context
from harness.demo import IN_VIEW, NAMED, Demo
from harness.temporal import DATA_CONVERTER
from harness.web_ui import WebUi

CUSTOMER = NAMED["customer"]
PERSONAL = [
    CUSTOMER["name"],
    CUSTOMER["name"].split()[-1],
    CUSTOMER["email"],
    re.sub(r"\D", "", CUSTOMER["phone"])[-8:],
    CUSTOMER["address"],
    CUSTOMER["address"].split(",")[0],
    NAMED["description"],
    NAMED["description"][:30],
]
"""What identifies the customer, whole and in pieces (the phone as its last digits: the intake
stores it normalised): all of it is in the complaint's input, none of it may reach the server."""


async def test_an_operator_finds_the_breached_complaints_and_reads_one(
    web_ui: WebUi, demo: Demo, browser: Browser
) -> None:
    context = await operator_context(browser, datetime.now(UTC), web_ui.namespace)
    page = await context.new_page()
    await page.goto(web_ui.view(BREACHED_AT_L3, datetime.now(UTC)))
    for name in IN_VIEW[BREACHED_AT_L3]:
        await expect(page.get_by_role("link", name=demo.workflow_id(name))).to_be_visible()
    await expect(page.get_by_role("link", name=demo.workflow_id("meera"))).to_have_count(0)

    marisol = demo.workflow_id("marisol")
    await page.get_by_role("link", name=marisol).click()
    await expect(page.get_by_text(f'"{CUSTOMER["name"]}"', exact=True)).to_be_visible()  # input

    description = await web_ui.env.client.get_workflow_handle(marisol).describe()
    summary = await description.static_summary()
    assert summary, "the complaint has no summary"
    await page.get_by_role("tab", name="User Metadata").click()
    # The UI renders summary and details as markdown, each in a frame of its own.
    shown = page.frame_locator("#user-metadata-summary").locator("body")
    await expect(shown).to_contain_text(_loosely(summary))
    details = page.frame_locator("#user-metadata-current-details").locator("body")
    await expect(details).to_contain_text(re.compile(r"\w"))
    await context.close()


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
async def test_the_link_of_a_view_lists_its_complaints(
    web_ui: WebUi, demo: Demo, browser: Browser, view: View
) -> None:
    page = await browser.new_page()
    await page.goto(web_ui.view(view, datetime.now(UTC)))
    for name in IN_VIEW[view]:
        await expect(page.get_by_role("link", name=demo.workflow_id(name))).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(r"^complaint-"))).to_have_count(
        len(IN_VIEW[view])
    )
    await page.close()


async def test_without_the_codec_server_the_page_shows_ciphertext(
    web_ui: WebUi, demo: Demo, browser: Browser
) -> None:
    handle = web_ui.env.client.get_workflow_handle(demo.workflow_id("marisol"))
    sealed, run_id = await _input(handle), (await handle.describe()).run_id
    context = await operator_context(browser, datetime.now(UTC), web_ui.namespace)
    await context.route(f"{web_ui.codec_url}/**", lambda route: route.abort())
    page = await context.new_page()
    await page.goto(web_ui.workflow(handle.id, run_id))

    await expect(page.get_by_text(_base64_start(sealed))).to_be_visible()
    await expect(page.get_by_text(CUSTOMER["name"])).to_have_count(0)
    await context.close()


async def test_the_server_keeps_no_personal_data_of_the_customer(web_ui: WebUi, demo: Demo) -> None:
    plain = await Client.connect(
        web_ui.env.client.service_client.config.target_host,
        namespace=web_ui.namespace,
        data_converter=pydantic_data_converter,
    )
    complaint = plain.get_workflow_handle(demo.workflow_id("marisol"))
    sealed = await _input(complaint)
    assert DATA_CONVERTER.payload_codec is not None
    [opened] = await DATA_CONVERTER.payload_codec.decode([sealed])
    assert [text for text in PERSONAL if text.encode() not in opened.data] == []
    matter_id = (await complaint.describe()).parent_id
    assert matter_id, "the complaint was filed through its matter"
    for handle in (complaint, plain.get_workflow_handle(matter_id)):
        kept = await _everything_kept(handle)
        leaked = [text for text in PERSONAL if text.encode() in kept]
        assert not leaked, f"{handle.id} keeps {leaked} in plain text"


async def _input(handle: WorkflowHandle) -> Payload:
    """The workflow's input as the server keeps it."""
    history = await handle.fetch_history()
    return history.events[0].workflow_execution_started_event_attributes.input.payloads[0]


async def _everything_kept(handle: WorkflowHandle) -> bytes:
    """The workflow's history and description, as the server sends them: protobuf and JSON."""
    history = await handle.fetch_history()
    description = (await handle.describe()).raw_description
    return b"\n".join(
        [
            *(event.SerializeToString() for event in history.events),
            history.to_json().encode(),
            description.SerializeToString(),
            MessageToJson(description, ensure_ascii=False).encode(),
        ]
    )


def _loosely(text: str) -> re.Pattern[str]:
    """The text's words in order, whatever markdown makes of the punctuation between them."""
    return re.compile(r"\W+".join(re.escape(word) for word in re.findall(r"\w+", text)))


def _base64_start(payload: Payload) -> str:
    return base64.b64encode(payload.data).decode()[:24]
