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
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex

from activities import feed_outbox
from activities.feed_outbox import Claimed, Delivery, EndpointStatus
from activities.journal_tables import (
    LIVE_EVENTS_KEPT,
    QUEUE_COLUMNS,
    QUEUE_ORDER,
    SUPERSEDED_INDEXES,
    QueueQuery,
    QueueRow,
    active_only,
    as_json,
    aware,
    complaints,
    live_events_table,
    messages,
    metadata,
    queue_filters,
    row_of,
    steps,
    utc,
)
from activities.models import JournalEntry, JournalMessage
from domain.history import Step
from domain.live import LiveEvent, live_events
from domain.view import ComplaintView

if TYPE_CHECKING:
    from activities.crm_feed import CrmFeeds

T = TypeVar("T")
IN_MEMORY = "sqlite://"
"""A journal that lives as long as its process (tests)."""
SCHEMA_ATTEMPTS = 8
"""Tries at creating the schema while another process creates it too."""
SCHEMA_RACES = ("already exists", "duplicate key", "database is locked")
"""What another process creating the same schema at the same instant makes fail."""


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
        self._upserts: dict[tuple[str, ...], Any] = {}
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
        self._create_schema()

    # --- writes -------------------------------------------------------------------------------

    def record(self, entry: JournalEntry, live: bool = True) -> None:
        """The complaint's row (only ever forward) and the steps the entry carries (once each);
        `live`: with the live events of the steps written for the first time (not when the
        journal is rebuilt: old news)."""
        view = entry.view
        row = row_of(entry)
        with self._write() as connection:
            connection.execute(self._complaint_upsert(tuple(row)), row)
            if not view.history:
                return
            written = (
                connection.execute(
                    self._insert(steps)
                    .values(
                        [
                            {"complaint_id": view.id, "seq": step.seq, "step": as_json(step)}
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
                    message=as_json(message),
                    sent_at=utc(message.sent_at),
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
                    "event": as_json(event),
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
        conditions = [active_only(), *queue_filters(query)]
        listing = (
            select(*QUEUE_COLUMNS)
            .where(*conditions)
            .order_by(*QUEUE_ORDER)
            .limit(query.page_size)
            .offset(query.page * query.page_size)
        )
        counting = select(func.count()).select_from(complaints).where(*conditions)
        with self._read() as connection:
            rows = [
                QueueRow.model_validate(aware(dict(r._mapping)))
                for r in connection.execute(listing)
            ]
            total = connection.execute(counting).scalar_one()
        return rows, total

    def case(self, complaint_id: str) -> JournalCase | None:
        """The complaint with its whole history and the messages sent, or None."""
        with self._read() as connection:
            found = connection.execute(
                select(*QUEUE_COLUMNS, complaints.c.view).where(complaints.c.id == complaint_id)
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
            fields = aware(dict(found._mapping))
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

    def _create_schema(self) -> None:
        """The journal's tables and indexes. The worker and the API open a new journal at the same
        instant (`make run`): a table the other process created between this one's check and its
        `CREATE` fails as existing, and a new SQLite file switching to WAL is locked without
        SQLite's busy wait; the next attempt finds the table, or the file free."""
        for attempt in range(1, SCHEMA_ATTEMPTS + 1):
            try:
                metadata.create_all(self._engine)
                self._update_indexes()
                feed_outbox.metadata.create_all(self._engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError) as err:
                if not any(race in str(err) for race in SCHEMA_RACES):
                    raise
                if attempt == SCHEMA_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)

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

    def _complaint_upsert(self, columns: tuple[str, ...]) -> Any:
        """The complaint row's insert-or-move-forward, built once per column set (building it,
        `excluded` above all, cost as much CPU as running it)."""
        if (statement := self._upserts.get(columns)) is None:
            insert = self._insert(complaints)
            statement = insert.on_conflict_do_update(
                index_elements=["id"],
                set_={name: insert.excluded[name] for name in columns if name != "id"},
                where=complaints.c.steps <= insert.excluded.steps,
            )
            self._upserts[columns] = statement
        return statement

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)


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
