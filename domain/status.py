"""Where a complaint stands, and the refusal when something does not fit there."""

from enum import StrEnum

from domain.schema_examples import enum_examples


@enum_examples("awaiting_customer")
class ComplaintStatus(StrEnum):
    OPEN = "open"
    """Being worked on at a level; its SLA clock runs."""
    PAUSED = "paused"
    """Waiting on the customer (information asked for); the clock is stopped."""
    AWAITING_APPROVAL = "awaiting_approval"
    """A reply waits for the team leader's approval before it reaches the customer (seed 004);
    the clock runs."""
    AWAITING_CUSTOMER = "awaiting_customer"
    """A resolution was proposed; the clock stops while the customer decides."""
    RESOLVED = "resolved"
    """The customer accepted (or did not answer in time); can still be reopened."""
    CLOSED = "closed"
    """Final."""


class ActionNotAllowed(Exception):
    """The complaint's state does not allow this action now; the message says why."""


ACTIVE = frozenset(
    {
        ComplaintStatus.OPEN,
        ComplaintStatus.PAUSED,
        ComplaintStatus.AWAITING_APPROVAL,
        ComplaintStatus.AWAITING_CUSTOMER,
    }
)
"""Someone is working on the complaint."""
CLOCK_RUNS = frozenset({ComplaintStatus.OPEN, ComplaintStatus.AWAITING_APPROVAL})
"""The level's SLA clock counts."""
ANY_STATUS = frozenset(ComplaintStatus)
FOR_APPROVAL = "the team leader approves replies to repeat complaints first"
"""Why a proposed reply waits: a draft the customer does not see until it is approved."""

WHY_NOT: dict[ComplaintStatus, str] = {
    ComplaintStatus.OPEN: "no resolution is awaiting the customer's decision",
    ComplaintStatus.PAUSED: "the complaint is paused, waiting on the customer; resume it first",
    ComplaintStatus.AWAITING_APPROVAL: "a reply is awaiting the team leader's approval",
    ComplaintStatus.AWAITING_CUSTOMER: "a resolution is already awaiting the customer's decision",
    ComplaintStatus.RESOLVED: "the complaint is resolved; reopen it first",
    ComplaintStatus.CLOSED: "the complaint is closed",
}
"""Why an action does not fit a status, unless the action says better."""
