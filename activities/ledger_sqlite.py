"""The sent-ledger in a SQLite file: one per worker host, the embedded default (in memory for
tests)."""

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from activities.ledger import WRITE_TIMEOUT_SECONDS, Entry, LedgerUnavailable, Mark
from activities.models import SentMessage


class SqliteLedger:
    """A SQLite table of messages by key (a file; in memory when no path is given).

    Writes run on the caller's thread, not a worker thread, on one open connection: the commit
    that records an accepted message must not queue behind other work. Workers on one host share
    the file; workers on several hosts need `PostgresLedger`.
    """

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            ":memory:" if path is None else path,
            timeout=WRITE_TIMEOUT_SECONDS,
            isolation_level=None,  # autocommit: each statement is its own transaction
            check_same_thread=False,
        )
        self._lock = threading.Lock()
        self._prepare(durable=path is not None)

    def _prepare(self, *, durable: bool) -> None:
        """Set the file's journal and create or extend the table.

        Processes that open a new file at the same instant can find it locked without SQLite's
        busy wait (switching to WAL takes the file for itself), so a lock is waited out here, up
        to `WRITE_TIMEOUT_SECONDS`.
        """
        deadline = time.monotonic() + WRITE_TIMEOUT_SECONDS
        while True:
            try:
                with self._using() as connection:
                    _create_table(connection, durable=durable)
                return
            except LedgerUnavailable as err:
                locked = isinstance(err.__cause__, sqlite3.OperationalError) and "locked" in str(
                    err.__cause__
                )
                if not locked or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """The connection, one caller at a time; a busy or failing file is `LedgerUnavailable`."""
        with self._lock:
            try:
                yield self._connection
            except sqlite3.OperationalError as err:  # locked past the timeout, disk full, ...
                raise LedgerUnavailable(f"the sent-ledger file cannot be used now: {err}") from err

    def find(self, key: str) -> Entry | None:
        with self._using() as connection:
            row = connection.execute(
                "SELECT state, message FROM sent WHERE key = ?", (key,)
            ).fetchone()
        return Entry(Mark(row[0]), SentMessage.model_validate_json(row[1])) if row else None

    def claim(self, key: str, sent: SentMessage) -> Entry | None:
        with self._using() as connection, _transaction(connection):
            inserted = connection.execute(
                "INSERT OR IGNORE INTO sent (key, message, state) VALUES (?, ?, 'sending')",
                (key, sent.model_dump_json()),
            ).rowcount
            if inserted:
                return None
            connection.execute(
                "UPDATE sent SET claims = claims + 1 WHERE key = ? AND state = 'sending'", (key,)
            )
            row = connection.execute(
                "SELECT state, message FROM sent WHERE key = ?", (key,)
            ).fetchone()
        return Entry(Mark(row[0]), SentMessage.model_validate_json(row[1]))

    def mark_sent(self, key: str) -> None:
        with self._using() as connection:
            connection.execute(
                "UPDATE sent SET state = 'sent', at = CURRENT_TIMESTAMP WHERE key = ?", (key,)
            )

    def release(self, key: str) -> None:
        with self._using() as connection:
            connection.execute("DELETE FROM sent WHERE key = ? AND state = 'sending'", (key,))


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: a claim reads the row it could not insert before anyone releases
    it."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _create_table(connection: sqlite3.Connection, *, durable: bool) -> None:
    """The ledger's table, with the columns later versions added; WAL for a file."""
    if durable:
        connection.execute("PRAGMA journal_mode=WAL")
        # A commit reaches the WAL before it returns: a killed process keeps it (only a power cut
        # could lose the last ones).
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS sent ("
        " key TEXT PRIMARY KEY, message TEXT NOT NULL,"
        " at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    columns = {row[1] for row in connection.execute("PRAGMA table_info(sent)")}
    if "state" not in columns:  # a ledger from before claims: every row was sent
        _add_column(connection, "state TEXT NOT NULL DEFAULT 'sent'")
    if "claims" not in columns:
        _add_column(connection, "claims INTEGER NOT NULL DEFAULT 1")


def _add_column(connection: sqlite3.Connection, column: str) -> None:
    """Add a column to the table, unless another process just did."""
    try:
        connection.execute(f"ALTER TABLE sent ADD COLUMN {column}")
    except sqlite3.OperationalError as err:
        if "duplicate column" not in str(err):
            raise
