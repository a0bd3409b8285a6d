"""The outbound CRM feed: every step of a complaint POSTed as signed JSON to its brand's CRM
endpoints, at least once, in order per complaint, retried with backoff.

The case journal queues the events in its outbox when it first stores a step (same
transaction, `activities.feed_outbox`); the `FeedDispatcher`, an asyncio task of the worker
process, delivers them. Nothing of it is in a workflow's history. Endpoints and their secrets
are settings (`COMPLAINTS_CRM_FEEDS` or `COMPLAINTS_CRM_FEEDS_FILE`), never policy.
"""

import asyncio
import contextlib
import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import requests
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from requests.adapters import HTTPAdapter
from temporalio.common import MetricMeter

from activities import feed_outbox
from activities.feed_outbox import Claimed, Delivery, NewEvent
from domain.crm_feed import Outcome, brand_of, feed_event, outcome_of, retry_delay
from domain.history import Step, StepKind
from domain.view import ComplaintView

if TYPE_CHECKING:
    from activities.journal_store import CaseJournal

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Complaints-Signature"
EVENT_HEADER = "X-Complaints-Event"
EVENTS_METRIC = "complaints_crm_feed_events"
"""Attempts by outcome (delivered, retried, failed, abandoned), brand and endpoint."""
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]


class CrmFeedConfigError(ValueError):
    """The CRM feed settings are wrong; the message says what to change."""


class CrmEndpoint(BaseModel):
    """One CRM endpoint of a brand."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    """Stable: the outbox keys rows by it (renaming one leaves its pending rows behind)."""
    url: HttpUrl
    secret: SecretStr = Field(min_length=32)
    """The HMAC-SHA256 key of the `X-Complaints-Signature` header (32+ characters)."""
    kinds: frozenset[StepKind] | None = None
    """Only these step kinds (`opened`, `escalated`, `note_added`, …); None: every step."""

    @field_validator("url")
    @classmethod
    def _encrypted(cls, url: HttpUrl) -> HttpUrl:
        """Events carry personal data: https, or plain http to this machine only."""
        if url.scheme == "https" or _loopback(url.host or ""):
            return url
        raise ValueError("must be https:// (plain http only to 127.0.0.1, ::1 or localhost)")


class CrmFeeds(BaseModel):
    """Every brand's endpoints, by brand key (a policy file's name; `default` for complaints
    that name no brand)."""

    model_config = ConfigDict(frozen=True)

    brands: dict[str, tuple[CrmEndpoint, ...]] = {}

    @field_validator("brands")
    @classmethod
    def _unique_names(
        cls, brands: dict[str, tuple[CrmEndpoint, ...]]
    ) -> dict[str, tuple[CrmEndpoint, ...]]:
        for brand, endpoints in brands.items():
            names = [e.name for e in endpoints]
            if len(names) != len(set(names)):
                raise ValueError(f"brand {brand!r} names an endpoint twice: {names}")
        return brands

    def for_brand(self, brand: str) -> tuple[CrmEndpoint, ...]:
        return self.brands.get(brand, ())

    def endpoint(self, brand: str, name: str) -> CrmEndpoint | None:
        return next((e for e in self.for_brand(brand) if e.name == name), None)

    @property
    def endpoints(self) -> list[tuple[str, str]]:
        """Every configured (brand, endpoint name)."""
        return [(brand, e.name) for brand, found in self.brands.items() for e in found]

    def check_brands(self, known: Iterable[str]) -> None:
        """Refuse brands no policy has: a typo would silently send nothing."""
        unknown = sorted(set(self.brands) - set(known))
        if unknown:
            raise CrmFeedConfigError(
                f"CRM feeds configured for unknown brands {unknown}; the policies' brands are "
                f"{sorted(known)}"
            )

    def events_for(self, view: ComplaintView, steps: Sequence[Step]) -> list[NewEvent]:
        """The outbox rows for steps the journal has just stored: one per step and endpoint."""
        brand = brand_of(view)
        endpoints = self.for_brand(brand)
        if not endpoints or not steps:
            return []
        rows = []
        for step in steps:
            event = feed_event(view, step)
            body = event.model_dump_json()
            rows.extend(
                NewEvent(
                    brand=brand,
                    endpoint=endpoint.name,
                    complaint_id=view.id,
                    seq=step.seq,
                    event_id=event.id,
                    event_type=step.kind.value,
                    body=body,
                )
                for endpoint in endpoints
                if endpoint.kinds is None or step.kind in endpoint.kinds
            )
        return rows


class CrmFeedSettings(BaseSettings):
    """The CRM feed; COMPLAINTS_CRM_FEED* environment variables (worker)."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    crm_feeds: SecretStr | None = None
    """The endpoints as JSON, `{"<brand>": [{"name", "url", "secret", "kinds"?}, …]}` (a secret:
    it holds the signing keys); or use `crm_feeds_file`."""
    crm_feeds_file: Path | None = None
    """The same as a YAML or JSON file (mode 0600)."""
    crm_feed_timeout: timedelta = timedelta(seconds=10)
    """How long one POST may take before it counts as failed (and is retried)."""
    crm_feed_first_retry: timedelta = timedelta(seconds=2)
    crm_feed_longest_retry: timedelta = timedelta(minutes=10)
    """Backoff: the first retry after about `first`, doubling up to `longest`, with jitter."""
    crm_feed_give_up_after: timedelta = timedelta(days=3)
    """An event still failing this long after its step was stored is abandoned (logged, counted,
    listed by `complaints feed status`; `complaints feed retry` queues it again)."""
    crm_feed_poll_interval: timedelta = timedelta(seconds=1)
    """How often an idle dispatcher looks for due events."""

    def feeds(self) -> CrmFeeds:
        """The configured endpoints (none when neither setting is given)."""
        if self.crm_feeds is not None and self.crm_feeds_file is not None:
            raise CrmFeedConfigError(
                "set COMPLAINTS_CRM_FEEDS or COMPLAINTS_CRM_FEEDS_FILE, not both"
            )
        source = "COMPLAINTS_CRM_FEEDS"
        if self.crm_feeds is not None:
            text = self.crm_feeds.get_secret_value()
        elif self.crm_feeds_file is not None:
            source = str(self.crm_feeds_file)
            try:
                text = self.crm_feeds_file.read_text(encoding="utf-8")
            except OSError as err:
                raise CrmFeedConfigError(f"cannot read {source}: {err}") from None
        else:
            return CrmFeeds()
        try:
            data = yaml.safe_load(text) if source != "COMPLAINTS_CRM_FEEDS" else json.loads(text)
            return CrmFeeds(brands=data or {})
        except (ValueError, yaml.YAMLError) as err:
            detail = _without_input(err) if isinstance(err, ValidationError) else str(err)
            raise CrmFeedConfigError(f"{source} is not a valid CRM feed list: {detail}") from None


def sign(secret: str, body: str, at: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed too,
    so a receiver can refuse a replayed old request."""
    digest = hmac.new(secret.encode(), f"{at}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


class FeedDispatcher:
    """Delivers the outbox's due events; one per worker process, any number of processes."""

    def __init__(
        self,
        journal: "CaseJournal",
        feeds: CrmFeeds,
        settings: CrmFeedSettings | None = None,
        meter: MetricMeter | None = None,
        batch: int = 16,
    ) -> None:
        self._journal = journal
        self._feeds = feeds
        self._settings = settings or CrmFeedSettings()
        self._batch = batch
        self._session = requests.Session()
        self._session.mount("https://", HTTPAdapter(pool_maxsize=batch))
        self._session.mount("http://", HTTPAdapter(pool_maxsize=batch))
        self._posting = ThreadPoolExecutor(batch, thread_name_prefix="crm-feed")
        """Threads of its own: a slow CRM must not take the threads the journal writes use."""
        self._stop = asyncio.Event()
        self._events = (
            meter.create_counter(EVENTS_METRIC, "CRM feed deliveries by outcome")
            if meter is not None
            else None
        )
        timeout = self._settings.crm_feed_timeout
        self._lease_for = timeout * 2 + timedelta(seconds=30)
        """Longer than any attempt: a lease only runs out when its dispatcher died."""

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["FeedDispatcher"]:
        """Deliver in the background while the block runs; stop cleanly after it."""
        task = asyncio.create_task(self.run(), name="crm-feed-dispatcher")
        try:
            yield self
        finally:
            self._stop.set()
            await task
            self._session.close()
            self._posting.shutdown(wait=False)

    async def run(self) -> None:
        if not self._feeds.endpoints:
            return
        log.info("CRM feed delivering to %s", self._feeds.endpoints)
        poll = self._settings.crm_feed_poll_interval.total_seconds()
        while not self._stop.is_set():
            try:
                delivered_some = await self.deliver_due()
            except Exception:  # the database away: log, wait, try again
                log.exception("CRM feed: could not read the outbox")
                delivered_some = False
            if not delivered_some:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), poll)

    async def deliver_due(self) -> bool:
        """One round: claim due events and attempt each (concurrently: different complaints or
        endpoints). True when there were any."""
        lease = uuid.uuid4().hex
        claimed = await self._journal.run(
            lambda: self._journal.claim_feed_events(
                self._feeds.endpoints, _now(), lease, self._lease_for, self._batch
            )
        )
        await asyncio.gather(*(self._attempt(row) for row in claimed))
        return bool(claimed)

    async def _attempt(self, row: Claimed) -> None:
        endpoint = self._feeds.endpoint(row.brand, row.endpoint)
        if endpoint is None:  # configuration changed since the claim
            return
        status, error, asked = await self._post(endpoint, row)
        outcome = outcome_of(status) if status is not None else Outcome.RETRY
        now = _now()
        if outcome is Outcome.DELIVERED:
            state, next_at = Delivery.DELIVERED, None
        elif outcome is Outcome.FAILED:
            state, next_at = Delivery.FAILED, None
            log.error("CRM feed %s/%s refused %s for good: %s", *_where(row), error)
        else:
            s = self._settings
            delay = retry_delay(
                row.attempts, s.crm_feed_first_retry, s.crm_feed_longest_retry, asked
            )
            next_at = now + delay
            if next_at - row.created_at > s.crm_feed_give_up_after:
                state = Delivery.ABANDONED
                log.error(
                    "CRM feed %s/%s: gave up on %s after %d attempts: %s",
                    *_where(row),
                    row.attempts,
                    error,
                )
            else:
                state = Delivery.PENDING
                log.warning(
                    "CRM feed %s/%s: %s failed (attempt %d, next in %.0f s): %s",
                    *_where(row),
                    row.attempts,
                    delay.total_seconds(),
                    error,
                )
        kept = await self._journal.run(
            lambda: self._journal.settle_feed_event(row, state, now, next_at, status, error)
        )
        if not kept:
            log.warning("CRM feed: the lease on %s ran out during its attempt", row.event_id)
        self._count(row, "retried" if state is Delivery.PENDING else state.value)

    async def _post(
        self, endpoint: CrmEndpoint, row: Claimed
    ) -> tuple[int | None, str | None, timedelta | None]:
        """The answer's status, what went wrong (None when delivered) and a `Retry-After`."""
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": row.event_id,
            EVENT_HEADER: row.event_id,
            SIGNATURE_HEADER: sign(endpoint.secret.get_secret_value(), row.body, int(time.time())),
            "User-Agent": "complaints-crm-feed/1",
        }
        post = functools.partial(
            self._session.post,
            str(endpoint.url),
            data=row.body.encode(),
            headers=headers,
            timeout=self._settings.crm_feed_timeout.total_seconds(),
            allow_redirects=False,  # a redirect is a wrong URL: say so, never resend blindly
        )
        try:
            answer = await asyncio.get_running_loop().run_in_executor(self._posting, post)
        except requests.RequestException as err:
            return None, f"{type(err).__name__}: {err}"[:500], None
        with answer:
            if 200 <= answer.status_code < 300:
                return answer.status_code, None, None
            reason = f"HTTP {answer.status_code}: {answer.text[:300]}"
            return answer.status_code, reason, _retry_after(answer.headers.get("Retry-After"))

    def _count(self, row: Claimed, outcome: str) -> None:
        if self._events is not None:
            self._events.add(1, {"outcome": outcome, "brand": row.brand, "endpoint": row.endpoint})


def feed_status(rows: Sequence[feed_outbox.EndpointStatus]) -> str:
    """The outbox as `complaints feed status` prints it."""
    if not rows:
        return "no CRM feed events"
    lines = []
    for row in rows:
        counts = ", ".join(f"{state} {n}" for state, n in sorted(row.counts.items()))
        oldest = f"; oldest pending {row.oldest_pending.isoformat()}" if row.oldest_pending else ""
        lines.append(f"{row.brand}/{row.endpoint}: {counts}{oldest}")
        lines.extend(f"  {problem}" for problem in row.last_problems)
    return "\n".join(lines)


def _retry_after(value: str | None) -> timedelta | None:
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return timedelta(seconds=max(0, int(value)))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return max(parsedate_to_datetime(value) - _now(), timedelta(0))
    return None


def _where(row: Claimed) -> tuple[str, str, str]:
    return row.brand, row.endpoint, row.event_id


def _now() -> datetime:
    return datetime.now(UTC)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _without_input(err: ValidationError) -> str:
    """Pydantic's errors without the input values: they would print the secrets."""
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in err.errors()
    )
