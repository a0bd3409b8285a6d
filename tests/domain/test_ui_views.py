"""The ready-made Web UI views: their times filled in, their links, `complaints ui-links`."""

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from api import cli
from api.ui_views import DUE_SOON, VIEWS, View

NOW = datetime(2026, 12, 1, 14, 30, 15, 123456, tzinfo=UTC)


def test_a_time_view_holds_now_and_the_end_of_its_window_in_utc() -> None:
    in_mexico = NOW.astimezone(timezone(timedelta(hours=-6)))
    assert DUE_SOON.at(in_mexico) == (
        "Deadline BETWEEN '2026-12-01T14:30:15Z' AND '2026-12-01T18:30:15Z'"
        " AND ExecutionStatus = 'Running'"
    )


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_a_link_carries_the_whole_query(view: View) -> None:
    parts = urlsplit(view.link(NOW, "https://temporal.example.com/", "complaints"))
    assert (parts.netloc, parts.path) == (
        "temporal.example.com",
        "/namespaces/complaints/workflows",
    )
    assert parse_qs(parts.query) == {"query": [view.at(NOW)]}


def test_ui_links_prints_every_view_for_now(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ui-links", "--ui", "https://temporal.example.com"]) == 0
    printed = capsys.readouterr().out
    for view in VIEWS:
        assert (
            f"{view.name}\n  https://temporal.example.com/namespaces/default/workflows?" in printed
        )
    soon = datetime.now(UTC) + timedelta(hours=4)
    assert f"{soon:%Y-%m-%dT%H}" in printed
