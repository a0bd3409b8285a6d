"""Repeat contacts (seed 004): the more often a customer comes back, the higher it is handled."""

from datetime import datetime

from pydantic import Field

from domain.behaviour import Switch
from domain.command import ANYONE, STAFF, Command, Reason, RequestBody, Text, examples
from domain.complaint import Complaint
from domain.history import ENGINE, ActorRole, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_role
from domain.playbooks import HandlingTier
from domain.status import ACTIVE, ActionNotAllowed


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
        hand_to_tier(complaint, at)

    def _too_soon(self, complaint: Complaint, at: datetime) -> bool:
        """A customer's own contact too close to their last counted one (or to the filing)."""
        if self.by.role is not ActorRole.CUSTOMER:
            return False  # staff record contacts they had: each counts
        interval = complaint.policy.repeat_thresholds.customer_contacts_count_once_per
        if interval is None or not complaint.follows(Switch.CUSTOMER_CONTACTS_SPACED):
            return False
        last = complaint.customer_contact_counted_at or complaint.opened_at
        return at < complaint.after(last, interval)


def hand_to_tier(complaint: Complaint, at: datetime) -> None:
    """Hand the complaint to the tier its contacts reach and tell that tier (seed 004)."""
    count = complaint.contacts
    tier = complaint.repeat_tiers.tier_for(count)
    if tier == complaint.handling:
        return
    if complaint.follows(Switch.TIERS_NEVER_DROP) and tier.rank < complaint.handling.rank:
        return
    complaint.handling = tier
    why = f"{count} contacts about the same matter: handled by the {tier.role}"
    step = record(complaint, at, ENGINE, StepKind.REASSIGNED, reason=why)
    notify_role(complaint, step, NotificationKind.REPEAT_CONTACT, tier.role, why)
    if tier is HandlingTier.TEAM_LEADER:  # seed 004: the specialist is told too
        specialists = HandlingTier.SPECIALISTS.role
        notify_role(complaint, step, NotificationKind.REPEAT_CONTACT, specialists, why)


class HighFrequencyRequest(RequestBody):
    """Staff say whether the customer complains with high frequency (seed 004)."""

    model_config = examples(
        {"reason": "Fourth complaint this year about the same charger."},
        {"high_frequency": False, "reason": "Marked by mistake."},
    )

    high_frequency: bool = Field(
        default=True, description="True: the policy's high-frequency tiers; false: the usual ones"
    )
    reason: Reason


class MarkHighFrequency(HighFrequencyRequest, Command):
    """Staff only: count this complaint's repeat contacts on the policy's high-frequency tiers
    (seed 004: 3/4/5), or back on the usual ones; a tier already reached stays."""

    roles = STAFF
    allowed_in = ACTIVE
    path = "high-frequency"
    verbs = ("high_frequency",)
    label = "mark high frequency"
    text_field, text_default = "reason", "high-frequency customer"

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if not complaint.follows(Switch.HIGH_FREQUENCY_BY_STAFF):
            raise ActionNotAllowed(
                f"cannot {self.action}: this complaint started before revision 7 and keeps the "
                "policy's repeat tiers"
            )
        if complaint.high_frequency == self.high_frequency:
            state = "already" if self.high_frequency else "not"
            raise ActionNotAllowed(f"cannot {self.action}: the complaint is {state} high-frequency")

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.high_frequency = self.high_frequency
        which = "high-frequency" if self.high_frequency else "usual"
        why = f"{which} repeat tiers: {complaint.repeat_tiers} contacts"
        record(complaint, at, self.by, StepKind.NOTE_ADDED, why, self.reason, internal=True)
        hand_to_tier(complaint, at)
