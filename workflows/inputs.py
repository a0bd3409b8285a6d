"""The complaint and matter workflows' inputs and results.

In a module of their own, imported through the sandbox (passed through): the sandbox runs a
workflow's own module again for every workflow it starts, and pydantic models defined there
would be built again each time (a measurable share of the worker's CPU per complaint).
"""

from datetime import datetime

from pydantic import BaseModel, Field

from domain.behaviour import CURRENT
from domain.calendar import BusinessCalendar
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import Actor
from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from workflows.sealed import StartInput


class ComplaintStart(StartInput):
    """Workflow input: a new complaint, or (after continue-as-new) the state it carries on with."""

    complaint_id: str
    intake: ComplaintIntake
    policy: EscalationPolicy
    calendar: BusinessCalendar | None = None
    """The complaint's country calendar with its holidays, resolved at intake."""
    carried_state: Complaint | None = None
    history_event_limit: int = Field(default=10_000, ge=20)
    """Continue as new beyond this many events, or earlier when the server suggests it."""
    matter_id: str | None = None
    """The matter (customer and product) whose workflow started this complaint, if any."""
    earlier_filings: int = Field(default=0, ge=0)
    """Filings about the same matter within the repeat window before this one."""
    customer_id: str | None = None
    """The customer's opaque id (`cus_…`), set by the API; a search attribute, never their name."""
    journal: bool = False
    """Write to the case journal: the API sets it on every complaint it files (complaints
    started otherwise, or before the journal, are written by `complaints journal rebuild`)."""
    journaled_steps: int = Field(default=0, ge=0)
    """Steps the case journal has had (carried across continue-as-new)."""
    opened_at: datetime | None = None
    """When the matter routed the filing: the complaint opens then, as the API's receipt says
    (`FilingOutcome.opened_at`). None: when its first workflow task runs (complaints started
    before, or without a matter)."""

    def opening(self, at: datetime, revision: int = CURRENT.revision) -> Complaint:
        """The complaint as it opens at `at`: what its workflow starts from, what its matter
        indexes it by and what the API's receipt shows, computed one way for all three."""
        return open_complaint(
            self.complaint_id,
            self.intake,
            self.policy,
            at,
            self.calendar,
            revision=revision,
            earlier_filings=self.earlier_filings,
        )


class Filing(BaseModel):
    """A complaint as filed; `start.complaint_id` is the id it gets if it starts a new one."""

    start: ComplaintStart
    by: Actor


class FilingOutcome(BaseModel):
    complaint_id: str
    repeat: bool = Field(description="Routed to a complaint already open about the same matter")
    opened_at: datetime | None = None
    """For the filing that started the complaint, answered to its first request: when the
    complaint opened, with `earlier_filings` all the API needs to build the receipt the
    complaint's workflow will compute (`ComplaintStart.opening`). None otherwise: a
    repeat, a retried filing, or an outcome recorded before it was carried."""
    earlier_filings: int = Field(default=0, ge=0)


MATTER_REVISION = 2
"""What the API starts matters at. 2: a new complaint's outcome is answered in the task that
starts it without a patch marker of its own (`EARLY_OUTCOME_PATCH` is implied); 1, matters
started before: they ask the patch, as their histories recorded it."""


class MatterStart(StartInput):
    matter_id: str
    revision: int = 1
    """The matter's behaviour (`MATTER_REVISION`); 1 for input recorded without one."""
