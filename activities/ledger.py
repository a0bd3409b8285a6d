"""What was sent, by idempotency key: a retried or restarted activity does not send twice."""

import asyncio
import contextlib
import sqlite3
from pathlib import Path

from activities.models import SentMessage


class SentLedger:
    """A SQLite table of sent messages (or a dict, for tests, when no path is given).

    One worker host, one file: workers on several hosts need a shared store (a database
    table with the same unique key) to close the gap across hosts.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._memory: dict[str, SentMessage] = {}
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(self._connect()) as connection, connection:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS sent ("
                    " key TEXT PRIMARY KEY, message TEXT NOT NULL,"
                    " at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
                )

    async def find(self, key: str) -> SentMessage | None:
        if self._path is None:
            return self._memory.get(key)
        row = await asyncio.to_thread(self._select, key)
        return SentMessage.model_validate_json(row) if row else None

    async def record(self, key: str, sent: SentMessage) -> None:
        if self._path is None:
            self._memory[key] = sent
            return
        await asyncio.to_thread(self._insert, key, sent.model_dump_json())

    def _select(self, key: str) -> str | None:
        with contextlib.closing(self._connect()) as connection:
            row = connection.execute("SELECT message FROM sent WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _insert(self, key: str, message: str) -> None:
        with contextlib.closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR IGNORE INTO sent (key, message) VALUES (?, ?)", (key, message)
            )

    def _connect(self) -> sqlite3.Connection:
        assert self._path is not None
        connection = sqlite3.connect(self._path, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection
