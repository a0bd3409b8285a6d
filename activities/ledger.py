"""What was sent, by idempotency key: a retried or restarted activity does not send twice.

A message is claimed (`sending`) just before it leaves and marked `sent` the moment the channel
takes it. A claim still `sending` when an attempt starts means an earlier attempt died (or was
timed out) between the two: it may or may not have been delivered, and it is sent again.
"""

import contextlib
import sqlite3
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from activities.models import SentMessage

BUSY_TIMEOUT_SECONDS = 2.0
"""How long a write waits for another process's write on the same file (each takes about
a millisecond); it runs on the event loop, well under an attempt's heartbeat timeout."""


class Mark(StrEnum):
    SENDING = "sending"
    """Claimed: about to leave, or gone without its acceptance recorded."""
    SENT = "sent"
    """Taken by the channel."""


@dataclass(frozen=True)
class Entry:
    mark: Mark
    sent: SentMessage


class SentLedger:
    """A SQLite table of messages by key (a file; in memory when no path is given).

    Writes run on the caller's thread, not a worker thread: the commit that records an accepted
    message must not queue behind other work (see docs/notifications.md, "The window left").
    One worker host, one file: workers on several hosts need a shared store (a database table
    with the same unique key) to keep the guarantee across hosts.
    """

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            ":memory:" if path is None else path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # autocommit: each statement is its own transaction
            check_same_thread=False,
        )
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._connection.execute("PRAGMA journal_mode=WAL")
                # A commit reaches the WAL before it returns: a killed process keeps it (only a
                # power cut could lose the last ones).
                self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS sent ("
                " key TEXT PRIMARY KEY, message TEXT NOT NULL,"
                " at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            columns = {row[1] for row in self._connection.execute("PRAGMA table_info(sent)")}
            if "state" not in columns:  # a ledger from before claims: every row was sent
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it
                    self._connection.execute(
                        "ALTER TABLE sent ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'"
                    )
            if "claims" not in columns:
                with contextlib.suppress(sqlite3.OperationalError):
                    self._connection.execute(
                        "ALTER TABLE sent ADD COLUMN claims INTEGER NOT NULL DEFAULT 1"
                    )

    def find(self, key: str) -> Entry | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT state, message FROM sent WHERE key = ?", (key,)
            ).fetchone()
        return Entry(Mark(row[0]), SentMessage.model_validate_json(row[1])) if row else None

    def claim(self, key: str, sent: SentMessage) -> Entry | None:
        """Note `key` as about to be sent; the entry found instead if it was claimed before
        (`sent`: do not send; `sending`: an earlier attempt may have sent it)."""
        with self._lock:
            inserted = self._connection.execute(
                "INSERT OR IGNORE INTO sent (key, message, state) VALUES (?, ?, 'sending')",
                (key, sent.model_dump_json()),
            ).rowcount
            if inserted:
                return None
            self._connection.execute(
                "UPDATE sent SET claims = claims + 1 WHERE key = ? AND state = 'sending'", (key,)
            )
            row = self._connection.execute(
                "SELECT state, message FROM sent WHERE key = ?", (key,)
            ).fetchone()
        return Entry(Mark(row[0]), SentMessage.model_validate_json(row[1]))

    def mark_sent(self, key: str) -> None:
        """The channel took it: no attempt sends `key` again."""
        with self._lock:
            self._connection.execute(
                "UPDATE sent SET state = 'sent', at = CURRENT_TIMESTAMP WHERE key = ?", (key,)
            )

    def release(self, key: str) -> None:
        """The channel answered that it did not take it: a retry sends it as a first time."""
        with self._lock:
            self._connection.execute("DELETE FROM sent WHERE key = ? AND state = 'sending'", (key,))
