"""The same work as a complaint's intake and breach, written plainly on Temporal (issue 18's
baseline): no policy, no encryption, no journal, no ledger; a deadline, two emails and a sleep.

`PlainComplaintWorkflow` is started by update-with-start: the `receipt` update computes the
deadline and answers it, the run sends the acknowledgement and the desk's notice as activities,
sleeps to the deadline and sends the escalation. `PlainBreachWorkflow` sleeps to a given instant
and sends one email. The activity is called by name (`bench/plain_worker.py` defines it), so this
module imports nothing the sandbox would have to load.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow

SEND_EMAIL = "send_email"
EMAIL_TIMEOUT = timedelta(seconds=30)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class PlainFiling:
    complaint_id: str
    customer_email: str
    desk_email: str
    escalation_email: str
    window_seconds: float


@dataclass(frozen=True)
class PlainBreach:
    complaint_id: str
    deadline: float
    """Epoch seconds: a `datetime` field fails to decode inside the sandbox (its restricted
    `datetime` is not the class the converter knows)."""
    escalation_email: str


@workflow.defn
class PlainComplaintWorkflow:
    @workflow.init
    def __init__(self, filing: PlainFiling) -> None:
        self.filing = filing
        self.deadline: datetime | None = None

    @workflow.run
    async def run(self, filing: PlainFiling) -> None:
        await workflow.wait_condition(lambda: self.deadline is not None)
        assert self.deadline is not None
        deadline = self.deadline
        acknowledgement = Email(
            filing.customer_email,
            f"Complaint {filing.complaint_id} received",
            f"We answer by {deadline.isoformat()}.",
        )
        notice = Email(
            filing.desk_email,
            f"New complaint {filing.complaint_id}",
            f"Resolve by {deadline.isoformat()}.",
        )
        for email in (acknowledgement, notice):
            await workflow.execute_activity(SEND_EMAIL, email, start_to_close_timeout=EMAIL_TIMEOUT)
        await workflow.sleep(deadline - workflow.now())
        await workflow.execute_activity(
            SEND_EMAIL,
            Email(filing.escalation_email, f"Complaint {filing.complaint_id} breached", ""),
            start_to_close_timeout=EMAIL_TIMEOUT,
        )

    @workflow.update
    def receipt(self) -> datetime:
        """The deadline, computed once: a retried update-with-start gets the same."""
        if self.deadline is None:
            self.deadline = workflow.now() + timedelta(seconds=self.filing.window_seconds)
        return self.deadline


@workflow.defn
class PlainBreachWorkflow:
    @workflow.run
    async def run(self, breach: PlainBreach) -> None:
        await workflow.sleep(max(0.0, breach.deadline - workflow.now().timestamp()))
        await workflow.execute_activity(
            SEND_EMAIL,
            Email(breach.escalation_email, f"Complaint {breach.complaint_id} breached", ""),
            start_to_close_timeout=EMAIL_TIMEOUT,
        )
