"""The CRM feed's outbox: one row per (step, endpoint), written in the case journal's database
in the same transaction as the step, delivered by the worker's dispatcher.

A row is `pending` until a 2xx (`delivered`), a permanent refusal (`failed`) or the give-up age
(`abandoned`). Dispatchers claim rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a
compare-and-set on the lease everywhere), so several worker processes never post the same row
at the same time; a row is due only when no earlier step of the same complaint is still pending
for the same endpoint, which keeps each complaint's events in order per endpoint.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    exists,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

metadata = MetaData()
outbox = Table(
    "feed_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("brand", String(64), nullable=False),
    Column("endpoint", String(64), nullable=False),
    Column("complaint_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the JSON as signed and sent, on every attempt
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("leased_until", DateTime(timezone=True)),
    Column("lease", String(64)),
    Column("settled_at", DateTime(timezone=True)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Index("feed_outbox_due", "state", "next_attempt_at"),
    Index("feed_outbox_order", "brand", "endpoint", "complaint_id", "seq", unique=True),
)


class Delivery(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class NewEvent:
    """An event to send to one endpoint of the complaint's brand."""

    brand: str
    endpoint: str
    complaint_id: str
    seq: int
    event_id: str
    event_type: str
    body: str


@dataclass(frozen=True)
class Claimed:
    """A row a dispatcher holds the lease on."""

    id: int
    brand: str
    endpoint: str
    complaint_id: str
    seq: int
    event_id: str
    body: str
    attempts: int
    """Attempts so far, this one included."""
    created_at: datetime
    lease: str


@dataclass
class EndpointStatus:
    """One endpoint's rows by state, for operators (`complaints feed status`)."""

    brand: str
    endpoint: str
    counts: dict[str, int]
    oldest_pending: datetime | None
    last_problems: list[str]


def add(connection: Connection, events: Sequence[NewEvent], now: datetime) -> None:
    """Queue `events`, due at once (inside the journal's transaction that stored their steps)."""
    if not events:
        return
    connection.execute(
        outbox.insert(),
        [
            {
                "brand": e.brand,
                "endpoint": e.endpoint,
                "complaint_id": e.complaint_id,
                "seq": e.seq,
                "event_id": e.event_id,
                "event_type": e.event_type,
                "body": e.body,
                "state": Delivery.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for e in events
        ],
    )


def claim(
    connection: Connection,
    endpoints: Iterable[tuple[str, str]],
    now: datetime,
    lease: str,
    lease_for: timedelta,
    limit: int,
) -> list[Claimed]:
    """Lease up to `limit` due rows of the configured (brand, endpoint)s: at most one per
    complaint and endpoint, the earliest pending step of each."""
    configured = sorted(set(endpoints))
    if not configured:
        return []
    o = outbox.c
    claimable = and_(
        o.state == Delivery.PENDING.value,
        o.next_attempt_at <= now,
        or_(o.leased_until.is_(None), o.leased_until < now),
        tuple_(o.brand, o.endpoint).in_(configured),
        ~_earlier_pending(),
    )
    candidates = (
        select(o.id)
        .where(claimable)
        .order_by(o.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=outbox)
    )
    ids = list(connection.execute(candidates).scalars())
    if not ids:
        return []
    # The same conditions again: on SQLite the select locks nothing, the update decides.
    connection.execute(
        update(outbox)
        .where(o.id.in_(ids), claimable)
        .values(lease=lease, leased_until=now + lease_for, attempts=o.attempts + 1)
    )
    rows = connection.execute(
        select(
            o.id,
            o.brand,
            o.endpoint,
            o.complaint_id,
            o.seq,
            o.event_id,
            o.body,
            o.attempts,
            o.created_at,
            o.lease,
        )
        .where(o.id.in_(ids), o.lease == lease)
        .order_by(o.id)
    ).all()
    return [Claimed(**_aware(dict(row._mapping))) for row in rows]


def settle(
    connection: Connection,
    row: Claimed,
    state: Delivery,
    now: datetime,
    next_attempt_at: datetime | None = None,
    status: int | None = None,
    error: str | None = None,
) -> bool:
    """Record an attempt's outcome and let the lease go; False when the lease had been lost
    (it ran out and another dispatcher took the row)."""
    o = outbox.c
    values: dict[str, Any] = {
        "state": state.value,
        "lease": None,
        "leased_until": None,
        "last_status": status,
        "last_error": error,
    }
    if state is Delivery.PENDING:
        values["next_attempt_at"] = next_attempt_at or now
    else:
        values["settled_at"] = now
    done = connection.execute(
        update(outbox).where(o.id == row.id, o.lease == row.lease).values(**values)
    )
    return done.rowcount == 1


def retry(connection: Connection, complaint_id: str | None, now: datetime) -> int:
    """Put failed and abandoned rows (of one complaint, or all) back in the queue, due now."""
    o = outbox.c
    wanted: list[ColumnElement[bool]] = [
        o.state.in_([Delivery.FAILED.value, Delivery.ABANDONED.value])
    ]
    if complaint_id is not None:
        wanted.append(o.complaint_id == complaint_id)
    done = connection.execute(
        update(outbox)
        .where(*wanted)
        .values(
            state=Delivery.PENDING.value,
            created_at=now,  # a fresh give-up age
            next_attempt_at=now,
            settled_at=None,
        )
    )
    return done.rowcount


def status(connection: Connection) -> list[EndpointStatus]:
    """Every endpoint that has rows: counts by state, the oldest pending, recent problems."""
    o = outbox.c
    counted = connection.execute(
        select(o.brand, o.endpoint, o.state, func.count(), func.min(o.created_at))
        .group_by(o.brand, o.endpoint, o.state)
        .order_by(o.brand, o.endpoint)
    ).all()
    found: dict[tuple[str, str], EndpointStatus] = {}
    for brand, endpoint, state, count, oldest in counted:
        entry = found.setdefault((brand, endpoint), EndpointStatus(brand, endpoint, {}, None, []))
        entry.counts[state] = count
        if state == Delivery.PENDING.value:
            entry.oldest_pending = _utc_naive(oldest)
    problems = connection.execute(
        select(o.brand, o.endpoint, o.event_id, o.state, o.attempts, o.last_error)
        .where(o.last_error.is_not(None), o.state != Delivery.DELIVERED.value)
        .order_by(o.id.desc())
        .limit(50)
    ).all()
    for brand, endpoint, event_id, state, attempts, error in problems:
        entry = found.get((brand, endpoint))
        if entry is not None and len(entry.last_problems) < 5:
            entry.last_problems.append(f"{event_id} {state} after {attempts} attempts: {error}")
    return list(found.values())


def _earlier_pending() -> ColumnElement[bool]:
    earlier = outbox.alias("earlier")
    o = outbox.c
    return exists().where(
        earlier.c.brand == o.brand,
        earlier.c.endpoint == o.endpoint,
        earlier.c.complaint_id == o.complaint_id,
        earlier.c.state == Delivery.PENDING.value,
        earlier.c.seq < o.seq,
    )


def _utc_naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _aware(fields: dict[str, Any]) -> dict[str, Any]:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return {k: _utc_naive(v) if isinstance(v, datetime) else v for k, v in fields.items()}
