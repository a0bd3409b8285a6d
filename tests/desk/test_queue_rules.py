"""The queue's words and links without a server: badges, filters read from a query string,
pages."""

from datetime import UTC, datetime, timedelta

from activities.journal_store import QueueRow
from api.credentials import Principal
from api.desk.queue import badge, queue_context, read_filters
from domain.history import ActorRole
from domain.status import ComplaintStatus

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PRIYA = Principal(role=ActorRole.AGENT, subject="priya", name="Priya")


def _row(**changes: object) -> QueueRow:
    fields: dict[str, object] = {
        "id": "abc123",
        "brand": "default",
        "country": "IN",
        "reason_category": "Battery or charging",
        "status": ComplaintStatus.OPEN,
        "level": 1,
        "level_name": "Grievance Desk",
        "owner_role": "grievance_desk",
        "assignee_sub": None,
        "assignee_name": None,
        "deadline": NOW + timedelta(hours=3, minutes=10),
        "warn_at": NOW + timedelta(hours=1),
        "breached": False,
        "opened_at": NOW - timedelta(hours=40),
        "case_types": [],
        "service_centre": None,
        "zone": "Asia/Kolkata",
    }
    return QueueRow.model_validate({**fields, **changes})


def test_the_badge_says_on_track_then_warning_then_breached() -> None:
    assert badge(_row(), NOW).words == "on track"
    assert badge(_row(), NOW).detail == "3 h 10 min left"
    warned = badge(_row(warn_at=NOW - timedelta(minutes=1)), NOW)
    assert (warned.kind, warned.detail) == ("warning", "3 h 10 min left")
    late = badge(_row(deadline=NOW - timedelta(minutes=25)), NOW)
    assert (late.words, late.detail) == ("breached", "late by 25 min")
    assert badge(_row(breached=True, deadline=NOW - timedelta(hours=2)), NOW).detail == (
        "late by 2 h"
    )
    paused = badge(_row(status=ComplaintStatus.PAUSED, deadline=None), NOW)
    assert (paused.words, paused.detail) == ("clock stopped", "paused")


def test_filters_come_from_the_query_string() -> None:
    scoped = PRIYA.model_copy(update={"brands": frozenset({"xiaomi-in"})})
    filters = read_filters(
        {"level": "3", "breached": "yes", "mine": "1", "country": "in", "due_within": "4"},
        scoped,
        NOW,
    )
    query = filters.query
    assert (query.level, query.breached, query.assignee_sub, query.country) == (
        3,
        True,
        "priya",
        "IN",
    )
    assert query.due_before == NOW + timedelta(hours=4)
    assert query.brands == ["xiaomi-in"]
    assert not filters.errors
    typed = read_filters({"owner_role": " Grievance  desk", "page": "9" * 40}, PRIYA, NOW).query
    assert typed.owner_role == "grievance_desk" and typed.page == 99_999
    wrong = read_filters({"level": "0", "status": "lost", "breached": "maybe"}, PRIYA, NOW)
    assert set(wrong.errors) == {"level", "status", "breached"}
    assert wrong.query.level is None and wrong.query.status is None and wrong.query.brands is None


def test_pages_keep_the_filters() -> None:
    params = {"status": "open", "page_size": "25", "page": "2"}
    filters = read_filters(params, PRIYA, NOW)
    assert (filters.query.page, filters.query.page_size) == (1, 25)
    rows = [_row(id=f"c{n}") for n in range(25)]
    context = queue_context(rows, 60, filters, "status=open&page_size=25&page=2", NOW)
    assert (context["page"], context["pages"], context["first"], context["last"]) == (2, 3, 26, 50)
    assert context["previous"] == "/desk?status=open&page_size=25"
    assert context["next"] == "/desk?status=open&page_size=25&page=3"
    assert context["refresh"] == "/desk?status=open&page_size=25&page=2"
    assert context["rows"][0]["deadline"] == "Tue 1 Dec 20:40 IST"
    assert [link["name"] for link in context["saved"] if link["current"]] == []
    mine = queue_context([], 0, read_filters({"mine": "1"}, PRIYA, NOW), "mine=1", NOW)
    assert [link["name"] for link in mine["saved"] if link["current"]] == ["My queue"]
