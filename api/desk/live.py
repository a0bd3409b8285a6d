"""The desk's live notifications: server-sent events at `/desk/events`.

The case journal keeps the live events (`domain.live`) as the worker writes the steps; one reader
per API process takes the new ones every second and hands each open stream those meant for its
person: a supervisor request alerts the supervisors (seen and heard), the hold reminders alert
the agent who asked until a supervisor joins, a breach tells whoever held the complaint and the
supervisors, and every queue in the brand refreshes itself. A browser that reconnects sends the
last event it had (`Last-Event-ID`) and gets what it missed.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.sse import ServerSentEvent

from activities.journal_store import CaseJournal
from api.credentials import Principal
from api.desk.session import DeskRefusal, DeskUser
from domain.command import SUPERVISORS
from domain.live import LiveEvent, LiveKind

log = logging.getLogger(__name__)

READ_EVERY = timedelta(seconds=1)
STREAM_LIFETIME = timedelta(minutes=10)
"""A stream ends after it and the browser reconnects (asking for what it missed): no connection
outlives a proxy's patience, and a signed-out session stops at the next reconnection."""
RECONNECT_AFTER_MS = 3000
MAX_STREAMS = 2000
"""Open streams per API process; more are refused (503) and the browser tries again."""
BACKLOG = 200
"""Events a stream may fall behind by; a stream further behind is ended (it reconnects)."""


class Delivery(StrEnum):
    """How the browser shows an event: the server-sent event's name."""

    ALERT = "alert"
    """Seen and heard: someone is waiting on the line."""
    NOTICE = "notice"
    """Seen."""
    REFRESH = "refresh"
    """The queue refreshes itself; nothing else shows."""


def delivery_for(event: LiveEvent, person: Principal) -> Delivery | None:
    """What `person` gets of `event`, if anything: only their brands, and by their part in it."""
    if not person.sees_brand(event.brand):
        return None
    supervises = person.role in SUPERVISORS
    asked = event.requester is not None and event.requester == person.actor
    match event.kind:
        case LiveKind.SUPERVISOR_REQUESTED:
            return Delivery.ALERT if supervises and not asked else None
        case LiveKind.HOLD_REMINDER:
            return Delivery.ALERT if asked else None
        case LiveKind.SUPERVISOR_JOINED | LiveKind.SUPERVISOR_MISSED:
            return Delivery.NOTICE if asked or supervises else None
        case LiveKind.BREACHED:
            held = event.holder_sub is not None and event.holder_sub == person.subject
            return Delivery.NOTICE if held or supervises else Delivery.REFRESH


@dataclass(eq=False)
class _Stream:
    person: Principal
    after: int
    """The last event it has had."""
    missed: list[tuple[int, LiveEvent]] = field(default_factory=list)
    """What a reconnecting browser missed, to send first."""
    events: asyncio.Queue[tuple[int, LiveEvent] | None] = field(
        default_factory=lambda: asyncio.Queue(BACKLOG)
    )


class LiveFeed:
    """One reader of the journal's live events for every open stream of this process."""

    def __init__(self, journal: CaseJournal, read_every: timedelta = READ_EVERY) -> None:
        self._journal = journal
        self._read_every = read_every.total_seconds()
        self._streams: set[_Stream] = set()
        self._reader: asyncio.Task[None] | None = None
        self._last = 0
        """The last event read (while the reader runs)."""

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    @contextlib.asynccontextmanager
    async def stream(self, person: Principal, after: int | None) -> AsyncIterator[_Stream]:
        """A stream of `person`'s events from now, or from after event `after` when a browser
        reconnects (within what the journal keeps)."""
        if len(self._streams) >= MAX_STREAMS:
            raise DeskRefusal(
                503, "Too many live connections", "Try again in a moment.", {"Retry-After": "5"}
            )
        if self._reader is None or self._reader.done():
            self._last = await self._journal.run(self._journal.last_live_event)
            self._reader = asyncio.create_task(self._read(), name="desk live events")
        stream = _Stream(person, self._last)
        self._streams.add(stream)
        try:
            if after is not None and after < self._last:
                missed = await self._journal.run(
                    lambda: self._journal.live_events_after(after, limit=BACKLOG)
                )
                stream.missed = [(n, event) for n, event in missed if n <= stream.after]
                stream.after = after
            yield stream
        finally:
            self._streams.discard(stream)

    async def close(self) -> None:
        """Stop reading and end every stream (the app is stopping)."""
        for stream in self._streams:
            _end(stream)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        while self._streams:
            try:
                found = await self._journal.run(lambda: self._journal.live_events_after(self._last))
            except Exception:
                log.exception("desk: cannot read the live events; trying again")
                found = []
            for number, event in found:
                self._last = number
                for stream in list(self._streams):
                    try:
                        stream.events.put_nowait((number, event))
                    except asyncio.QueueFull:
                        _end(stream)
            await asyncio.sleep(self._read_every)


def _end(stream: _Stream) -> None:
    """Tell a stream to end (its browser reconnects and catches up)."""
    with contextlib.suppress(asyncio.QueueEmpty):
        while stream.events.full():
            stream.events.get_nowait()
    stream.events.put_nowait(None)


def live_feed(request: Request) -> LiveFeed:
    return request.app.state.live


def last_event_id(request: Request) -> int | None:
    text = request.headers.get("last-event-id", "")
    return int(text) if text.isdigit() and len(text) < 19 else None


async def events_for(
    feed: LiveFeed, user: DeskUser, after: int | None, now: datetime
) -> AsyncIterator[ServerSentEvent]:
    """The person's events until the stream's lifetime or their session ends."""
    ends = now + STREAM_LIFETIME
    if user.expires_at is not None:
        ends = min(ends, user.expires_at)
    yield ServerSentEvent(comment="live", retry=RECONNECT_AFTER_MS)
    async with feed.stream(user.principal, after) as stream:
        while (left := (ends - datetime.now(UTC)).total_seconds()) > 0:
            if stream.missed:
                item = stream.missed.pop(0)
            else:
                try:
                    item = await asyncio.wait_for(stream.events.get(), timeout=left)
                except TimeoutError:
                    return
                if item is None:
                    return
            number, event = item
            if number <= stream.after:
                continue
            stream.after = number
            delivery = delivery_for(event, user.principal)
            if delivery is not None:
                yield ServerSentEvent(event=delivery, id=str(number), data=_shown(event))


def _shown(event: LiveEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "complaint_id": event.complaint_id,
        "href": f"/desk/complaints/{event.complaint_id}",
        "at": event.at.isoformat(),
        "level": event.level,
        "text": event.text,
    }
