"""Repeat contacts (seed 004): the more often a customer comes back, the higher it is handled."""

from datetime import datetime

from domain.behaviour import Switch
from domain.command import ANYONE, Command, RequestBody, Text, examples
from domain.complaint import Complaint
from domain.history import ENGINE, ActorRole, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_role
from domain.playbooks import HandlingTier
from domain.status import ACTIVE


class ContactRequest(RequestBody):
    """The customer contacted us again about the same matter."""

    model_config = examples({"note": "Called, third time."})

    note: Text | None = None


class RecordContact(ContactRequest, Command):
    """The customer contacted us again about the same matter; enough contacts move it up."""

    roles = ANYONE
    allowed_in = ACTIVE
    path = "contacts"
    verbs = ("contact",)
    simulated_by = ActorRole.CUSTOMER
    text_field = "note"

    def apply(self, complaint: Complaint, at: datetime) -> None:
        interval = complaint.policy.repeat_thresholds.customer_contacts_count_once_per
        if self._too_soon(complaint, at):
            why = f"not counted: within {interval} of the customer's last counted contact"
            record(complaint, at, self.by, StepKind.CONTACTED, why, self.note)
            return
        if self.by.role is ActorRole.CUSTOMER:
            complaint.customer_contact_counted_at = at
        complaint.contacts += 1
        count = complaint.contacts
        record(complaint, at, self.by, StepKind.CONTACTED, f"contact #{count}", self.note)
        tier = complaint.policy.repeat_thresholds.tier_for(count)
        if tier == complaint.handling:
            return
        complaint.handling = tier
        why = f"{count} contacts about the same matter: handled by the {tier.role}"
        step = record(complaint, at, ENGINE, StepKind.REASSIGNED, reason=why)
        notify_role(complaint, step, NotificationKind.REPEAT_CONTACT, tier.role, why)
        if tier is HandlingTier.TEAM_LEADER:  # seed 004: the specialist is told too
            specialists = HandlingTier.SPECIALISTS.role
            notify_role(complaint, step, NotificationKind.REPEAT_CONTACT, specialists, why)

    def _too_soon(self, complaint: Complaint, at: datetime) -> bool:
        """A customer's own contact too close to their last counted one (or to the filing)."""
        if self.by.role is not ActorRole.CUSTOMER:
            return False  # staff record contacts they had: each counts
        interval = complaint.policy.repeat_thresholds.customer_contacts_count_once_per
        if interval is None or not complaint.follows(Switch.CUSTOMER_CONTACTS_SPACED):
            return False
        last = complaint.customer_contact_counted_at or complaint.opened_at
        return at < complaint.after(last, interval)
