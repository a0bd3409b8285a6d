"""The CRM feed's events: every step of a complaint as the brand's CRM receives it, and when a
failed delivery is tried again.

Pure: the case journal makes the events when it first stores a step (`activities.journal_store`),
the worker's dispatcher delivers them (`activities.crm_feed`).
"""

import random
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.cases import EscalationRecord
from domain.history import Actor, Assignee, Step, StepKind
from domain.intake import Customer
from domain.view import ComplaintView

EVENT_VERSION = 1
"""Bumped when an event's meaning changes; receivers can tell old events from new ones."""


class OpenedComplaint(BaseModel):
    """On `opened`: what the CRM needs to create its case."""

    model_config = ConfigDict(frozen=True)

    customer: Customer
    country: str
    product: str
    channel: str
    reason: str
    description: str
    policy_name: str
    opened_at: datetime


class FeedEvent(BaseModel):
    """One step of one complaint, as POSTed to a CRM endpoint."""

    model_config = ConfigDict(frozen=True)

    id: str
    """`<complaint id>:<seq>`: the idempotency key, the same on every attempt and endpoint."""
    version: int = EVENT_VERSION
    type: StepKind
    occurred_at: datetime
    complaint_id: str
    seq: int
    """The step's number in the complaint's history: 1, 2, 3, … (per complaint, in order)."""
    brand: str
    level: int
    """The level the step happened at."""
    owner_role: str
    status: str
    """The complaint's owner and status when the journal stored the step (steps stored together
    share the latest)."""
    actor: Actor
    reason: str | None
    text: str | None
    internal: bool
    """A staff-only note: the CRM is staff-side, the customer never sees it."""
    case: str | None
    """The playbook (case type) that took the step, if one did."""
    record: EscalationRecord | None = None
    """For a playbook's escalation: the escalation record the supervisor receives."""
    assignee: Assignee | None = None
    """For `assigned`: who holds the complaint now; for `released`: who held it."""
    complaint: OpenedComplaint | None = None
    """Only on `opened`."""


def feed_event(view: ComplaintView, step: Step) -> FeedEvent:
    """The event for `step` of the complaint `view` shows."""
    intake = view.intake
    opened = None
    if step.kind is StepKind.OPENED:
        opened = OpenedComplaint(
            customer=intake.customer,
            country=intake.country,
            product=intake.product,
            channel=intake.channel,
            reason=intake.reason,
            description=intake.description,
            policy_name=view.policy_name,
            opened_at=view.opened_at,
        )
    return FeedEvent(
        id=f"{view.id}:{step.seq}",
        type=step.kind,
        occurred_at=step.at,
        complaint_id=view.id,
        seq=step.seq,
        brand=brand_of(view),
        level=step.level,
        owner_role=view.owner_role,
        status=view.status.value,
        actor=step.actor,
        reason=step.reason,
        text=step.text,
        internal=step.internal,
        case=step.case,
        record=step.record,
        assignee=step.assignee,
        complaint=opened,
    )


def brand_of(view: ComplaintView) -> str:
    """The brand key feeds are configured under (a complaint naming none is `default`'s)."""
    return view.intake.brand or "default"


class Outcome(StrEnum):
    """What became of one attempt to deliver an event."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    """Refused for good (a 4xx the receiver will answer again): recorded, not retried."""


RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
"""4xx answers that say "not now" rather than "never"."""


def outcome_of(status: int) -> Outcome:
    """2xx delivered; 5xx and 408/409/425/429 retry; anything else (other 4xx, redirects) is
    permanent: the receiver would answer the same again."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status >= 500 or status in RETRYABLE_STATUS:
        return Outcome.RETRY
    return Outcome.FAILED


def retry_delay(
    attempts: int,
    first: timedelta,
    longest: timedelta,
    asked: timedelta | None = None,
    rng: random.Random | None = None,
) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: `first` doubling, capped at
    `longest`, with jitter (between half and all of it) so receivers coming back are not hit by
    every event at once; never less than a `Retry-After` the receiver `asked` for (capped too)."""
    ceiling = min(first * (2 ** max(attempts - 1, 0)), longest)
    delay = ceiling * (0.5 + 0.5 * (rng or random).random())
    if asked is not None:
        delay = max(delay, min(asked, longest))
    return delay
