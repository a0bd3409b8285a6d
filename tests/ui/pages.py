"""What the browser tests check on any page of ours: axe-core's verdict and where Tab goes."""

import json
from pathlib import Path

import pytest
from playwright.async_api import Page

AXE = Path(__file__).resolve().parents[2] / ".tools/axe/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}
MAX_TABS = 120
"""Enough Tab presses to reach any control of a page from its top."""


async def tab_to(page: Page, tag: str, text: str) -> None:
    """Press Tab until the focused element is a `tag` reading `text`."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.textContent.trim()]"
        )
        if focused == [tag.upper(), text]:
            return
    raise AssertionError(f"Tab never reached the {tag} {text!r}")


async def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each (the page's
    context must bypass its content security policy to let axe-core in)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm axe-core)")
    await page.add_script_tag(path=AXE)
    results = await page.evaluate("async () => await axe.run(document)")
    assert results["passes"], "axe-core checked nothing"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + json.dumps([node["target"] for node in violation["nodes"]][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
