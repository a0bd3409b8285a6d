"""The case journal's tables and the queue's rows: what `journal_store.CaseJournal` reads and
writes, on SQLite and PostgreSQL alike (SQLAlchemy Core)."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, overload

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
)

from activities.models import JournalEntry
from domain.status import ACTIVE, ComplaintStatus

metadata = MetaData()
complaints = Table(
    "complaints",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("brand", String(64), nullable=False),
    Column("policy_name", String(128), nullable=False),
    Column("country", String(2), nullable=False),
    Column("reason_category", String(200), nullable=False),
    Column("status", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("level_name", String(200), nullable=False),
    Column("owner_role", String(200), nullable=False),
    Column("assignee_sub", String(200), index=True),
    Column("assignee_name", String(200)),
    Column("deadline", DateTime(timezone=True), index=True),
    Column("warn_at", DateTime(timezone=True)),
    Column("breached", Boolean, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("reopen_until", DateTime(timezone=True)),
    Column("case_types", JSON, nullable=False),
    Column("service_centre", String(200)),
    Column("zone", String(64), nullable=False),
    Column("steps", Integer, nullable=False),
    Column("view", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
ACTIVE_STATUSES = sorted(status.value for status in ACTIVE)
QUEUE_ORDER = (
    complaints.c.breached.desc(),
    complaints.c.deadline.is_(None),
    complaints.c.deadline,
    complaints.c.id,
)
"""Breached first, then by the nearest deadline (none last); the id breaks ties."""


def active_only() -> Any:
    # Inline, not bound, so that the planners match it against the partial index's predicate
    # (SQLite compares the expressions; psycopg's prepared statements would hide the values).
    return complaints.c.status.in_(
        bindparam("active", ACTIVE_STATUSES, expanding=True, literal_execute=True)
    )


Index(
    "ix_complaints_queue",
    *QUEUE_ORDER,
    sqlite_where=complaints.c.status.in_(ACTIVE_STATUSES),
    postgresql_where=complaints.c.status.in_(ACTIVE_STATUSES),
)
"""The queue in its order, active complaints only: a page reads its own rows, not every open
complaint sorted (docs/benchmarks.md), and closed complaints, most of the table in time, are not
in it."""
SUPERSEDED_INDEXES = ("ix_complaints_status",)
"""Indexes journals made by earlier versions have and this one drops: with an index on status,
SQLite (no statistics) reads every active complaint and sorts them instead of walking the
queue's index."""
steps = Table(
    "steps",
    metadata,
    Column("complaint_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("step", JSON, nullable=False),
)
messages = Table(
    "messages",
    metadata,
    Column("complaint_id", String(64), primary_key=True),
    Column("message_key", String(400), primary_key=True),
    Column("message", JSON, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)
live_events_table = Table(
    "live_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event", JSON, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False, index=True),
)
"""What the desk tells signed-in people at once (`domain.live`), in the order written; kept a
day (a browser that reconnects asks for what it missed)."""
LIVE_EVENTS_KEPT = timedelta(days=1)


class QueueRow(BaseModel):
    """One complaint as the queue lists it."""

    id: str
    brand: str
    country: str
    reason_category: str
    status: ComplaintStatus
    level: int
    level_name: str
    owner_role: str
    assignee_sub: str | None
    assignee_name: str | None
    deadline: datetime | None
    warn_at: datetime | None
    breached: bool
    opened_at: datetime
    case_types: list[str]
    service_centre: str | None
    zone: str


class QueueQuery(BaseModel):
    """The queue's filters (all optional) and page."""

    brands: Sequence[str] | None = None
    """Only these brands (a brand-scoped caller); None: all."""
    level: int | None = None
    owner_role: str | None = None
    status: ComplaintStatus | None = None
    breached: bool | None = None
    assignee_sub: str | None = None
    due_before: datetime | None = None
    country: str | None = None
    case_type: str | None = None
    page: int = 0
    page_size: int = 50


QUEUE_COLUMNS = [
    c
    for c in complaints.c
    if c.name not in ("view", "steps", "policy_name", "updated_at", "reopen_until")
]


def queue_filters(query: QueueQuery) -> list[Any]:
    c = complaints.c
    wanted: list[Any] = []
    if query.brands is not None:
        wanted.append(c.brand.in_(list(query.brands)))
    for column, value in (
        (c.level, query.level),
        (c.owner_role, query.owner_role),
        (c.status, query.status),
        (c.breached, query.breached),
        (c.assignee_sub, query.assignee_sub),
        (c.country, query.country),
    ):
        if value is not None:
            wanted.append(column == value)
    if query.due_before is not None:
        wanted.append(and_(c.deadline.is_not(None), c.deadline <= utc(query.due_before)))
    if query.case_type is not None:
        wanted.append(cast(c.case_types, Text).like(f'%"{query.case_type}"%'))
    return wanted


def row_of(entry: JournalEntry) -> dict[str, Any]:
    view = entry.view
    case_types = sorted({case.case_type for case in view.cases})
    centre = next(
        (case.fields["service_centre"] for case in view.cases if "service_centre" in case.fields),
        None,
    )
    return {
        "id": view.id,
        "brand": view.intake.brand or "default",
        "policy_name": view.policy_name,
        "country": view.intake.country,
        "reason_category": entry.reason_category,
        "status": view.status.value,
        "level": view.level,
        "level_name": view.level_name,
        "owner_role": view.owner_role,
        "assignee_sub": view.assignee.sub if view.assignee else None,
        "assignee_name": view.assignee.name if view.assignee else None,
        "deadline": utc(view.deadline),
        "warn_at": utc(entry.warn_at),
        "breached": view.breached,
        "opened_at": utc(view.opened_at),
        "reopen_until": utc(view.reopen_until),
        "case_types": case_types,
        "service_centre": centre,
        "zone": entry.zone,
        "steps": entry.steps,
        "view": json.loads(view.model_dump_json(exclude={"history"})),
        "updated_at": datetime.now(UTC),
    }


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: None) -> None: ...
def utc(moment: datetime | None) -> datetime | None:
    """Stored in UTC (SQLite keeps no zone)."""
    return moment.astimezone(UTC) if moment is not None else None


def as_json(model: BaseModel) -> Any:
    return json.loads(model.model_dump_json())


def aware(fields: dict[str, Any]) -> dict[str, Any]:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return {
        key: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for key, value in fields.items()
    }
