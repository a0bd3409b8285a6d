"""What was sent, by idempotency key: a retried or restarted activity does not send twice.

A message is claimed (`sending`) just before it leaves and marked `sent` the moment the channel
takes it. A claim still `sending` when an attempt starts means an earlier attempt died (or was
timed out) between the two: it may or may not have been delivered, and it is sent again.

Two stores keep it with the same table and key: a SQLite file, one per worker host (the
embedded default; in memory for tests), and a PostgreSQL table that workers on several hosts
share (`NOTIFY_SENT_LEDGER=postgresql://…`). The sender sees only `SentLedger`.
"""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from activities.models import SentMessage

POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
"""How `NOTIFY_SENT_LEDGER` names a PostgreSQL ledger (the SQLAlchemy spelling included, so the
case journal's URL can be reused)."""
WRITE_TIMEOUT_SECONDS = 2.0
"""How long a ledger write may wait (for another process's write, a lock, the network) before it
fails; writes run on the event loop, well under an attempt's heartbeat timeout."""


class Mark(StrEnum):
    SENDING = "sending"
    """Claimed: about to leave, or gone without its acceptance recorded."""
    SENT = "sent"
    """Taken by the channel."""


@dataclass(frozen=True)
class Entry:
    mark: Mark
    sent: SentMessage


class LedgerUnavailable(Exception):
    """The ledger's store cannot be read or written now (locked, down, unreachable): the attempt
    is retried, it does not count as a bug."""


class SentLedger(Protocol):
    """Messages by idempotency key. Every call runs on the caller's thread and returns within
    `WRITE_TIMEOUT_SECONDS` (or raises `LedgerUnavailable`): the write that records an accepted
    message must not queue behind other work (docs/notifications.md, "The window left")."""

    def find(self, key: str) -> Entry | None:
        """What was recorded for `key`, if anything."""
        ...

    def claim(self, key: str, sent: SentMessage) -> Entry | None:
        """Note `key` as about to be sent, atomically: None if this call claimed it, else the
        entry found (`sent`: do not send; `sending`: an earlier attempt may have sent it)."""
        ...

    def mark_sent(self, key: str) -> None:
        """The channel took it: no attempt sends `key` again."""
        ...

    def release(self, key: str) -> None:
        """The channel answered that it did not take it: a retry sends it as a first time."""
        ...


def ledger_location(value: str | Path | None) -> str | Path | None:
    """A PostgreSQL URL as it is, anything else as a file path (`NOTIFY_SENT_LEDGER`)."""
    if value is None or isinstance(value, Path):
        return value
    if value.startswith(POSTGRES_SCHEMES):
        return value
    if "://" in value:
        raise ValueError(
            f"the sent-ledger is a file path or a PostgreSQL URL ({', '.join(POSTGRES_SCHEMES)}"
            f"…), not {value.partition('://')[0]}://…"
        )
    return Path(value)


def describe(location: str | Path | None) -> str:
    """Where the ledger is, without credentials, for logs and errors."""
    if location is None:
        return "in memory"
    if isinstance(location, Path):
        return f"SQLite file {location}"
    url = urlsplit(location)
    return f"PostgreSQL at {url.hostname}:{url.port or 5432}{url.path}"


def open_ledger(location: str | Path | None) -> SentLedger:
    """The ledger `location` names: a PostgreSQL URL, a SQLite file, or None (in memory)."""
    # Imported here: both modules import this one for `Entry` and `Mark`.
    if isinstance(location, str):
        from activities.ledger_postgres import PostgresLedger

        return PostgresLedger(location)
    from activities.ledger_sqlite import SqliteLedger

    return SqliteLedger(location)
