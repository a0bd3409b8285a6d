"""The sent-ledger in PostgreSQL: one table that workers on every host share.

psycopg directly, not SQLAlchemy: the ledger is four one-row statements on one dedicated
connection in autocommit, run on the caller's thread. An engine would add a pool (a checkout, a
pre-ping round trip, a connection shared with other work) in front of the write that records an
accepted message, which must not queue behind anything (docs/notifications.md, "The window
left").
"""

import contextlib
import threading
from collections.abc import Iterator
from typing import Final

import psycopg
from psycopg import errors

from activities.ledger import WRITE_TIMEOUT_SECONDS, Entry, LedgerUnavailable, Mark, describe
from activities.models import SentMessage

CONNECT_TIMEOUT_SECONDS = 2
"""libpq's connect timeout (whole seconds)."""

# `sent_ledger`, not SQLite's `sent`: the database may be the case journal's.
_CREATE: Final = (
    "CREATE TABLE IF NOT EXISTS sent_ledger ("
    " key text PRIMARY KEY,"
    " message text NOT NULL,"
    " state text NOT NULL CHECK (state IN ('sending', 'sent')),"
    " claims integer NOT NULL DEFAULT 1,"
    " at timestamptz NOT NULL DEFAULT now())"
)
# One round trip, atomic under concurrent claims (the unique key serialises them): a new row
# comes back as (sending, 1); a claim left `sending` by an attempt that died counts one more
# claim and comes back with claims > 1; a sent row comes back unchanged.
_CLAIM: Final = (
    "INSERT INTO sent_ledger AS ledger (key, message, state) VALUES (%s, %s, 'sending')"
    " ON CONFLICT (key) DO UPDATE"
    " SET claims = ledger.claims + CASE WHEN ledger.state = 'sending' THEN 1 ELSE 0 END"
    " RETURNING state, message, claims"
)
_FIND: Final = "SELECT state, message FROM sent_ledger WHERE key = %s"
_MARK_SENT: Final = "UPDATE sent_ledger SET state = 'sent', at = now() WHERE key = %s"
_RELEASE: Final = "DELETE FROM sent_ledger WHERE key = %s AND state = 'sending'"


def libpq_url(url: str) -> str:
    """The URL libpq takes (`postgresql+psycopg://` is SQLAlchemy's spelling)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class PostgresLedger:
    """The sent-ledger table on a dedicated connection in autocommit: each statement commits
    before it returns, none waits longer than `WRITE_TIMEOUT_SECONDS` (statement and lock
    timeouts; TCP keepalives and a user timeout for a server that vanished). A broken connection
    is `LedgerUnavailable`; the next call reconnects."""

    def __init__(self, url: str) -> None:
        self._url = libpq_url(url)
        self._where = describe(url)
        self._lock = threading.Lock()
        self._connection: psycopg.Connection | None = None
        # Two processes creating it at once: the loser's IF NOT EXISTS can still collide, on
        # the table, its row type ("type sent_ledger already exists") or the catalogue's index.
        with (
            self._using() as connection,
            contextlib.suppress(
                errors.UniqueViolation, errors.DuplicateTable, errors.DuplicateObject
            ),
        ):
            connection.execute(_CREATE)

    def _connect(self) -> psycopg.Connection:
        timeout_ms = int(WRITE_TIMEOUT_SECONDS * 1000)
        return psycopg.connect(
            self._url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="complaints sent-ledger",
            options=(
                f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"
                # A commit returns before its WAL is flushed, not after the flushes queued by
                # other work on the database (the case journal's): a killed worker loses
                # nothing, a crash of the database server loses the last marks (resent once),
                # as SQLite's synchronous=NORMAL loses them in a power cut.
                " -c synchronous_commit=off"
            ),
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=1,
            keepalives_count=3,
            tcp_user_timeout=timeout_ms,
        )

    @contextlib.contextmanager
    def _using(self) -> Iterator[psycopg.Connection]:
        """The connection (opened again if it broke), one caller at a time."""
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect()
                yield self._connection
            except psycopg.OperationalError as err:  # down, unreachable, timed out
                raise LedgerUnavailable(
                    f"the sent-ledger ({self._where}) cannot be used now: {err}"
                ) from err

    def find(self, key: str) -> Entry | None:
        with self._using() as connection:
            row = connection.execute(_FIND, (key,)).fetchone()
        return Entry(Mark(row[0]), SentMessage.model_validate_json(row[1])) if row else None

    def claim(self, key: str, sent: SentMessage) -> Entry | None:
        with self._using() as connection:
            row = connection.execute(_CLAIM, (key, sent.model_dump_json())).fetchone()
        assert row is not None  # INSERT … ON CONFLICT DO UPDATE returns its row either way
        state, message, claims = row
        if state == Mark.SENDING and claims == 1:
            return None
        return Entry(Mark(state), SentMessage.model_validate_json(message))

    def mark_sent(self, key: str) -> None:
        with self._using() as connection:
            connection.execute(_MARK_SENT, (key,))

    def release(self, key: str) -> None:
        with self._using() as connection:
            connection.execute(_RELEASE, (key,))
