"""The case journal: a read model of every complaint in a real database, for the desk's queue
and case page and the customer's tracking page.

SQLite (`sqlite:///.data/journal.sqlite3`, `make run`) or PostgreSQL
(`postgresql+psycopg://…`, production), through SQLAlchemy Core: one set of statements for both.
Fed idempotently: the complaint's row only moves forward (by its number of steps), a step is
keyed by (complaint, seq) and a message by (complaint, message key), so a retried or replayed
write changes nothing. `complaints journal rebuild` fills it again from the workflows.
"""

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

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
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex

from activities import feed_outbox
from activities.feed_outbox import Claimed, Delivery, EndpointStatus
from activities.models import JournalEntry, JournalMessage
from domain.history import Step
from domain.live import LiveEvent, live_events
from domain.status import ACTIVE, ComplaintStatus
from domain.view import ComplaintView

if TYPE_CHECKING:
    from activities.crm_feed import CrmFeeds

T = TypeVar("T")
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


def _active() -> Any:
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
IN_MEMORY = "sqlite://"
"""A journal that lives as long as its process (tests)."""


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


@dataclass(frozen=True)
class JournalCase:
    """A complaint as the journal holds it: its row, its whole history, every message sent."""

    row: QueueRow
    view: ComplaintView
    messages: list[JournalMessage]


class CaseJournal:
    """The journal's database: writes from the worker's activities, reads for the pages."""

    def __init__(self, url: str, feeds: "CrmFeeds | None" = None) -> None:
        self.url = url
        self.feeds = feeds
        """The brands' CRM endpoints: each step stored for the first time is queued for them."""
        memory = url in (IN_MEMORY, "sqlite:///:memory:")
        self.in_memory = memory
        """Writes take microseconds: callers need no thread for them."""
        self._one_at_a_time = threading.Lock() if memory else contextlib.nullcontext()
        """An in-memory database is one connection: threads take turns on it."""
        if url.startswith("sqlite"):
            _make_folder_of(url)
            self._engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 10},
                poolclass=StaticPool if memory else None,
            )
            event.listen(self._engine, "connect", _sqlite_pragmas)
        else:
            self._engine = create_engine(url, pool_pre_ping=True)
        metadata.create_all(self._engine)
        self._update_indexes()
        feed_outbox.metadata.create_all(self._engine)

    # --- writes -------------------------------------------------------------------------------

    def record(self, entry: JournalEntry, live: bool = True) -> None:
        """The complaint's row (only ever forward) and the steps the entry carries (once each);
        `live`: with the live events of the steps written for the first time (not when the
        journal is rebuilt: old news)."""
        view = entry.view
        row = _row_of(entry)
        with self._write() as connection:
            insert = self._insert(complaints).values(**row)
            changed = {name: insert.excluded[name] for name in row if name != "id"}
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["id"],
                    set_=changed,
                    where=complaints.c.steps <= insert.excluded.steps,
                )
            )
            if not view.history:
                return
            written = (
                connection.execute(
                    self._insert(steps)
                    .values(
                        [
                            {"complaint_id": view.id, "seq": step.seq, "step": _json(step)}
                            for step in view.history
                        ]
                    )
                    .on_conflict_do_nothing()
                    .returning(steps.c.seq)
                )
                .scalars()
                .all()
            )
            new = set(written)
            fresh = [step for step in view.history if step.seq in new]
            if self.feeds is not None:  # at least once: queued with the step, or neither is
                events = self.feeds.events_for(view, fresh)
                feed_outbox.add(connection, events, datetime.now(UTC))
            if live:
                earlier = self._earlier_steps(connection, view.id, min(new, default=0))
                self._add_live_events(connection, live_events(view, fresh, earlier))

    def record_message(self, message: JournalMessage) -> None:
        """A message as it was sent, once per message key."""
        with self._write() as connection:
            connection.execute(
                self._insert(messages)
                .values(
                    complaint_id=message.complaint_id,
                    message_key=message.message_key,
                    message=_json(message),
                    sent_at=_utc(message.sent_at),
                )
                .on_conflict_do_nothing()
            )

    def _add_live_events(self, connection: Connection, events: list[LiveEvent]) -> None:
        if not events:
            return
        now = datetime.now(UTC)
        connection.execute(
            live_events_table.insert(),
            [
                {
                    "complaint_id": event.complaint_id,
                    "seq": event.seq,
                    "event": _json(event),
                    "written_at": now,
                }
                for event in events
            ],
        )
        connection.execute(
            live_events_table.delete().where(
                live_events_table.c.written_at < now - LIVE_EVENTS_KEPT
            )
        )

    @staticmethod
    def _earlier_steps(connection: Connection, complaint_id: str, before: int) -> Iterator[Step]:
        """The complaint's steps before `before`, newest first, read only if asked for."""
        found = connection.execute(
            select(steps.c.step)
            .where(steps.c.complaint_id == complaint_id, steps.c.seq < before)
            .order_by(steps.c.seq.desc())
        ).scalars()
        for step in found.all():
            yield Step.model_validate(step)

    # --- the CRM feed's outbox (`activities.feed_outbox`) ------------------------------------

    def claim_feed_events(
        self,
        endpoints: Sequence[tuple[str, str]],
        now: datetime,
        lease: str,
        lease_for: timedelta,
        limit: int,
    ) -> list[Claimed]:
        with self._write() as connection:
            return feed_outbox.claim(connection, endpoints, now, lease, lease_for, limit)

    def settle_feed_event(
        self,
        row: Claimed,
        state: Delivery,
        now: datetime,
        next_attempt_at: datetime | None,
        status: int | None,
        error: str | None,
    ) -> bool:
        with self._write() as connection:
            return feed_outbox.settle(connection, row, state, now, next_attempt_at, status, error)

    def retry_feed_events(self, complaint_id: str | None = None) -> int:
        """Failed and abandoned events queued again (of one complaint, or all)."""
        with self._write() as connection:
            return feed_outbox.retry(connection, complaint_id, datetime.now(UTC))

    def feed_status(self) -> list[EndpointStatus]:
        with self._read() as connection:
            return feed_outbox.status(connection)

    # --- reads --------------------------------------------------------------------------------

    def queue(self, query: QueueQuery) -> tuple[list[QueueRow], int]:
        """Complaints someone is working on (open, paused, awaiting approval or the customer),
        breached first, then by the nearest deadline (none last), and how many match."""
        conditions = [_active(), *_filters(query)]
        listing = (
            select(*_QUEUE_COLUMNS)
            .where(*conditions)
            .order_by(*QUEUE_ORDER)
            .limit(query.page_size)
            .offset(query.page * query.page_size)
        )
        counting = select(func.count()).select_from(complaints).where(*conditions)
        with self._read() as connection:
            rows = [
                QueueRow.model_validate(_aware(dict(r._mapping)))
                for r in connection.execute(listing)
            ]
            total = connection.execute(counting).scalar_one()
        return rows, total

    def case(self, complaint_id: str) -> JournalCase | None:
        """The complaint with its whole history and the messages sent, or None."""
        with self._read() as connection:
            found = connection.execute(
                select(*_QUEUE_COLUMNS, complaints.c.view).where(complaints.c.id == complaint_id)
            ).first()
            if found is None:
                return None
            history = connection.execute(
                select(steps.c.step)
                .where(steps.c.complaint_id == complaint_id)
                .order_by(steps.c.seq)
            ).scalars()
            sent = connection.execute(
                select(messages.c.message)
                .where(messages.c.complaint_id == complaint_id)
                .order_by(messages.c.sent_at, messages.c.message_key)
            ).scalars()
            fields = _aware(dict(found._mapping))
            view = ComplaintView.model_validate(
                {**fields.pop("view"), "history": [Step.model_validate(s) for s in history]}
            )
            return JournalCase(
                row=QueueRow.model_validate(fields),
                view=view,
                messages=[JournalMessage.model_validate(m) for m in sent],
            )

    def live_events_after(self, after: int, limit: int = 500) -> list[tuple[int, LiveEvent]]:
        """Live events written after the one numbered `after`, oldest first, with their numbers."""
        with self._read() as connection:
            found = connection.execute(
                select(live_events_table.c.id, live_events_table.c.event)
                .where(live_events_table.c.id > after)
                .order_by(live_events_table.c.id)
                .limit(limit)
            ).all()
        return [(number, LiveEvent.model_validate(event)) for number, event in found]

    def last_live_event(self) -> int:
        """The number of the latest live event (0: none yet)."""
        with self._read() as connection:
            return connection.execute(select(func.max(live_events_table.c.id))).scalar() or 0

    async def run(self, call: Callable[[], T]) -> T:
        """`call` off the event loop (a database round trip), or on it for an in-memory one."""
        return call() if self.in_memory else await asyncio.to_thread(call)

    def has(self, complaint_id: str) -> bool:
        with self._read() as connection:
            found = connection.execute(
                select(complaints.c.id).where(complaints.c.id == complaint_id)
            ).first()
        return found is not None

    # --- plumbing -----------------------------------------------------------------------------

    def _update_indexes(self) -> None:
        """`create_all` makes the indexes of new tables only: a journal made by an earlier version
        gets the ones it lacks here, and loses the superseded ones."""
        with self._write() as connection:
            for index in complaints.indexes:
                connection.execute(CreateIndex(index, if_not_exists=True))
            for name in SUPERSEDED_INDEXES:
                connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._one_at_a_time, self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._one_at_a_time, self._engine.connect() as connection:
            yield connection

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)


_QUEUE_COLUMNS = [
    c
    for c in complaints.c
    if c.name not in ("view", "steps", "policy_name", "updated_at", "reopen_until")
]


def _filters(query: QueueQuery) -> list[Any]:
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
        wanted.append(and_(c.deadline.is_not(None), c.deadline <= _utc(query.due_before)))
    if query.case_type is not None:
        wanted.append(cast(c.case_types, Text).like(f'%"{query.case_type}"%'))
    return wanted


def _row_of(entry: JournalEntry) -> dict[str, Any]:
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
        "deadline": _utc(view.deadline),
        "warn_at": _utc(entry.warn_at),
        "breached": view.breached,
        "opened_at": _utc(view.opened_at),
        "reopen_until": _utc(view.reopen_until),
        "case_types": case_types,
        "service_centre": centre,
        "zone": entry.zone,
        "steps": entry.steps,
        "view": json.loads(view.model_dump_json(exclude={"history"})),
        "updated_at": datetime.now(UTC),
    }


@overload
def _utc(moment: datetime) -> datetime: ...
@overload
def _utc(moment: None) -> None: ...
def _utc(moment: datetime | None) -> datetime | None:
    """Stored in UTC (SQLite keeps no zone)."""
    return moment.astimezone(UTC) if moment is not None else None


def _json(model: BaseModel) -> Any:
    return json.loads(model.model_dump_json())


def _aware(fields: dict[str, Any]) -> dict[str, Any]:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return {
        key: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for key, value in fields.items()
    }


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _make_folder_of(url: str) -> None:
    """SQLite creates the file, not its folder."""
    path = url.removeprefix("sqlite:///")
    if path != url and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
