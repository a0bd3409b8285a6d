"""Named behaviour switches: a complaint keeps the behaviour it started with.

Each release that changed what running complaints do has a `workflow.patched` id; a complaint
stores the revision it started at (`Complaint.revision`), and the domain asks for a switch by
name, never by number. A new behaviour change adds a switch and a release here.
"""

from dataclasses import dataclass
from enum import StrEnum


class Switch(StrEnum):
    REPLY_APPROVAL = "reply_approval"
    """The team leader approves replies to repeat complaints first (seed 004)."""
    DECISION_REMINDERS = "decision_reminders"
    """The customer is reminded before an unanswered resolution stands."""
    DELIVERY_CHANNELS = "delivery_channels"
    """Messages go out on email, SMS and webhooks, with fallback and quiet hours."""
    STATUS_TEXTS = "status_texts"
    """The third-level manager gets a text message on every change."""
    UNDELIVERED_NOTICES = "undelivered_notices"
    """A message no channel took is recorded and the level's owner is told."""
    CUSTOMER_CONTACTS_SPACED = "customer_contacts_spaced"
    """A customer's own contacts count once per policy interval: contacts, not clicks."""
    STAFF_TEXTS_SPACED = "staff_texts_spaced"
    """Text messages to a staff role about one complaint go at most once per policy interval."""
    INTERNAL_NOTES = "internal_notes"
    """Staff notes are internal unless said otherwise; before, every note was shown to all."""
    BUSINESS_DAYS_FROM_WORKING_TIME = "business_days_from_working_time"
    """Business days counted from outside working hours start at the close of the last working
    period, so a later filing never gets an earlier deadline; before, they kept its wall time."""
    PROMISE_HOLDS_LEVEL = "promise_holds_level"
    """A case's running promise to the customer (or the deadline its asked party was given) holds
    the level: its deadline, warnings and re-alerts wait for the promise's end; a miss ends it."""
    TOP_ROUND_RECORDED = "top_round_recorded"
    """A rejection at the last level records the fresh round there (`new_round`) in the history."""
    CUSTOMER_TOLD_OF_ESCALATION = "customer_told_of_escalation"
    """The customer is told when the complaint moves up a level: to whom and by when it answers."""
    HIGH_FREQUENCY_BY_STAFF = "high_frequency_by_staff"
    """Staff can mark a complaint high-frequency: its contacts count on the policy's
    `high_frequency_thresholds` (seed 004: 3/4/5); customers never can."""
    TIERS_NEVER_DROP = "tiers_never_drop"
    """A handling tier once reached stays: a contact counted on lower tiers (after a staff insult,
    or on high-frequency tiers) never hands the complaint back down."""


@dataclass(frozen=True)
class Release:
    revision: int
    """What `Complaint.revision` stores for complaints started on this release."""
    patch_id: str | None
    """The `workflow.patched` id that tells this release from the ones before it."""
    switches: frozenset[Switch]
    """What it switched on."""


RELEASES = (
    Release(revision=2, patch_id=None, switches=frozenset()),
    Release(
        revision=3,
        patch_id="complaint-revision-3",
        switches=frozenset({Switch.REPLY_APPROVAL, Switch.DECISION_REMINDERS}),
    ),
    Release(
        revision=4,
        patch_id="complaint-revision-4",
        switches=frozenset(
            {Switch.DELIVERY_CHANNELS, Switch.STATUS_TEXTS, Switch.UNDELIVERED_NOTICES}
        ),
    ),
    Release(
        revision=5,
        patch_id="complaint-revision-5",
        switches=frozenset(
            {Switch.CUSTOMER_CONTACTS_SPACED, Switch.STAFF_TEXTS_SPACED, Switch.INTERNAL_NOTES}
        ),
    ),
    Release(
        revision=6,
        patch_id="complaint-revision-6",
        switches=frozenset({Switch.BUSINESS_DAYS_FROM_WORKING_TIME}),
    ),
    Release(
        revision=7,
        patch_id="complaint-revision-7",
        switches=frozenset(
            {
                Switch.PROMISE_HOLDS_LEVEL,
                Switch.TOP_ROUND_RECORDED,
                Switch.CUSTOMER_TOLD_OF_ESCALATION,
                Switch.HIGH_FREQUENCY_BY_STAFF,
                Switch.TIERS_NEVER_DROP,
            }
        ),
    ),
    Release(revision=8, patch_id="complaint-revision-8", switches=frozenset()),
)
"""Oldest first; complaints of a release follow its switches and those of every earlier one.

Revision 8 changed no rule of the domain's: from it on, the workflow's own switches of earlier
releases (search attributes, the case journal and its local writes, continuing as new on history
size) are implied by the revision rather than each recorded with a marker of its own (issue 18:
a new complaint's first workflow task recorded four markers and four search-attribute upserts)."""
WORKFLOW_SWITCHES_IMPLIED = 8
"""From this revision on, the workflow's earlier switches are on without markers of their own."""
CURRENT = RELEASES[-1]


def switched_on(revision: int) -> frozenset[Switch]:
    """The switches a complaint started at `revision` follows."""
    return frozenset().union(*(r.switches for r in RELEASES if r.revision <= revision))
