"""The ready-made views of docs/operations.md, run on a dev server: each is accepted and finds
exactly the demo complaints it is about."""

from datetime import UTC, datetime

import pytest

from api.ui_views import VIEWS, View
from harness.demo import IN_VIEW, Demo
from harness.web_ui import WebUi


def test_every_view_has_demo_complaints() -> None:
    assert set(IN_VIEW) == set(VIEWS)


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
async def test_the_view_finds_its_complaints_and_no_other(
    web_ui: WebUi, demo: Demo, view: View
) -> None:
    query = view.at(datetime.now(UTC))
    found = {execution.id async for execution in web_ui.env.client.list_workflows(query)}
    assert found == {demo.workflow_id(name) for name in IN_VIEW[view]}, query
