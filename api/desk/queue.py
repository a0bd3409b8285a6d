"""The desk's queue: open complaints from the case journal, breached first then by the nearest
deadline, each with its SLA badge and its deadline in the complaint's local time; filtered and
paged by a GET form, so a filter is a link an agent can keep."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from activities.journal_store import QueueQuery, QueueRow
from api.credentials import Principal
from domain.engine_room import local_time, span
from domain.status import ComplaintStatus

PAGE_SIZES = (25, 50, 100)
LAST_PAGE = 100_000
"""Pages past it are read as it (an offset the database can hold)."""
FILTERS = ("level", "owner_role", "status", "breached", "country", "case_type", "due_within")
"""The form's fields that narrow the queue (with `mine`, the agent's own complaints)."""
SAVED: tuple[tuple[str, dict[str, str]], ...] = (
    ("Breached at L3", {"level": "3", "breached": "yes"}),
    ("Due in 4 h", {"breached": "no", "due_within": "4"}),
    ("Paused", {"status": ComplaintStatus.PAUSED.value}),
    ("Awaiting customer", {"status": ComplaintStatus.AWAITING_CUSTOMER.value}),
    ("My queue", {"mine": "1"}),
)
"""The queue's saved links: a name and the filters it sets."""


@dataclass(frozen=True)
class Badge:
    """Where a complaint stands against its deadline: `on track`, `warning` or `breached`."""

    kind: str
    words: str
    detail: str
    """`3 h 10 min left`, `late by 25 min`, `clock stopped`."""


@dataclass(frozen=True)
class Filters:
    """The queue's form as read from the query string, and what it asks of the journal."""

    values: dict[str, str]
    """What the form shows (as typed)."""
    errors: dict[str, str]
    query: QueueQuery


def badge(row: QueueRow, now: datetime) -> Badge:
    """Breached (the journal says so, or the deadline has passed), warning once `warn_at` has
    come, on track before; a stopped clock has no deadline to be late for."""
    if row.deadline is None:
        return Badge("stopped", "clock stopped", row.status.replace("_", " "))
    late = now - row.deadline
    if row.breached or late >= timedelta(0):
        return Badge("breached", "breached", f"late by {span(max(late, timedelta(0)))}")
    left = f"{span(-late)} left"
    if row.warn_at is not None and now >= row.warn_at:
        return Badge("warning", "warning", left)
    return Badge("on-track", "on track", left)


def read_filters(params: Mapping[str, str], caller: Principal, now: datetime) -> Filters:
    """The form's values from the query string; a value that does not fit is reported at its
    field and left out of the query."""
    values = {name: params.get(name, "").strip() for name in (*FILTERS, "mine")}
    errors: dict[str, str] = {}
    wanted: dict[str, Any] = {}

    def number(name: str, low: int, high: int) -> int | None:
        text = values[name]
        if not text:
            return None
        if not text.isdigit() or not low <= int(text) <= high:
            errors[name] = f"a whole number from {low} to {high}"
            return None
        return int(text)

    wanted["level"] = number("level", 1, 99)
    if hours := number("due_within", 1, 24 * 365):
        wanted["due_before"] = now + timedelta(hours=hours)
    if status := values["status"]:
        if status in {known.value for known in ComplaintStatus}:
            wanted["status"] = ComplaintStatus(status)
        else:
            errors["status"] = "not a status"
    match values["breached"]:
        case "yes":
            wanted["breached"] = True
        case "no":
            wanted["breached"] = False
        case "":
            pass
        case _:
            errors["breached"] = "yes, no or empty"
    for name in ("owner_role", "case_type"):  # as the table shows them: `grievance desk`
        wanted[name] = "_".join(values[name].lower().split()) or None
    wanted["country"] = values["country"].upper() or None
    if values["mine"]:
        values["mine"] = "1"
        wanted["assignee_sub"] = caller.subject
    size = number_in(params.get("page_size"), PAGE_SIZES[1])
    values["page_size"] = str(size) if size in PAGE_SIZES and "page_size" in params else ""
    query = QueueQuery(
        brands=sorted(caller.brands) if caller.brands is not None else None,
        page=min(max(number_in(params.get("page"), 1), 1), LAST_PAGE) - 1,
        page_size=size if size in PAGE_SIZES else PAGE_SIZES[1],
        **wanted,
    )
    return Filters(values, errors, query)


def number_in(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


def queue_context(
    rows: list[QueueRow], total: int, filters: Filters, query_string: str, now: datetime
) -> dict[str, Any]:
    """Everything the queue's table reads: its rows in words, its pages and saved links."""
    query = filters.query
    shown = {name: value for name, value in filters.values.items() if value}
    narrowed = {name: value for name, value in shown.items() if name != "page_size"}
    pages = max(1, -(-total // query.page_size))
    page = query.page + 1

    def link(page: int | None = None) -> str:
        """This queue (its filters and page size) at another page; None: the first."""
        merged = {**shown, **({"page": str(page)} if page and page > 1 else {})}
        return "/desk?" + urlencode(merged) if merged else "/desk"

    return {
        "rows": [_row(row, now) for row in rows],
        "total": total,
        "page": page,
        "pages": pages,
        "first": query.page * query.page_size + 1 if rows else 0,
        "last": query.page * query.page_size + len(rows),
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "first_page": link(),
        "filters": filters.values,
        "filter_errors": filters.errors,
        "filtered": bool(narrowed),
        "refresh": "/desk" + (f"?{query_string}" if query_string else ""),
        "saved": [
            {"name": name, "href": "/desk?" + urlencode(wanted), "current": wanted == narrowed}
            for name, wanted in SAVED
        ],
        "statuses": [status.value for status in ComplaintStatus if status.value != "closed"],
        "page_sizes": PAGE_SIZES,
    }


def _row(row: QueueRow, now: datetime) -> dict[str, Any]:
    return {
        "row": row,
        "badge": badge(row, now),
        "deadline": local_time(row.deadline, row.zone, now) if row.deadline else None,
        "status": row.status.replace("_", " "),
        "owner": row.owner_role.replace("_", " "),
        "case_types": ", ".join(case.replace("_", " ") for case in row.case_types),
    }
