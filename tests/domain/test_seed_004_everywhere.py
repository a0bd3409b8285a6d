"""Seed 004's rules belong to every shipped policy, not only De'Longhi's (issue 16, item 11)."""

from datetime import date, datetime

import pytest

from api.calendars import business_calendar_for
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.intake import Channel, ComplaintIntake, Customer
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.playbooks import HandlingTier
from domain.policy_files import load_policy_set
from domain.repeat_contacts import RecordContact
from harness.samples import AGENT, POLICY_DIR

POLICIES = load_policy_set(POLICY_DIR)
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+05:30")


def filed(brand: str) -> Complaint:
    policy = POLICIES.for_brand(brand)
    intake = ComplaintIntake(
        customer=Customer(name="Asha Verma", email="asha@example.in", phone="+919812345678"),
        country="IN",
        product="Redmi Note 13 5G",
        channel=Channel.PHONE,
        reason="Staff behaviour",
        description="The agent on the phone insulted me.",
        brand=None if brand == "default" else brand,
    )
    calendar = business_calendar_for(policy, "IN", date(2026, 11, 23))
    complaint = open_complaint("c-1", intake, policy, MONDAY, calendar)
    take_outbox(complaint)
    return complaint


@pytest.mark.parametrize("brand", POLICIES.brands)
def test_a_staff_insult_is_third_level_at_once_in_every_policy(brand: str) -> None:
    """Seed 004: "Insultar a los clientes será severamente castigado de acuerdo con las sanciones
    por quejas de tercer nivel." """
    complaint = filed(brand)
    FlagCase(by=AGENT, flag=CaseFlag(case_type="staff_insult")).act(complaint, MONDAY)
    assert complaint.handling is HandlingTier.THIRD_LEVEL
    told = take_outbox(complaint)
    assert [(n.kind, n.recipient.role) for n in told] == [
        (NotificationKind.CASE_ESCALATION, "third_level_manager")
    ]
    assert told[0].recipient.email


@pytest.mark.parametrize("brand", POLICIES.brands)
def test_every_policy_has_seed_004s_repeat_tiers_and_their_contacts(brand: str) -> None:
    """Seed 004: "Las quejas que se repiten 2 veces/alta frecuencia 3 veces serán manejadas por
    especialistas en manejo de quejas altamente capacitados." ... "Manejo del líder del equipo" ...
    "se continuarán actualizando las notificaciones por SMS al gerente de tercer nivel" ... "si la
    denuncia se realiza con responsabilidad se iniciará directamente el mecanismo de rendición de
    cuentas"; and "solicitar la aprobación del líder" before answering the customer."""
    policy = POLICIES.for_brand(brand)
    thresholds = policy.repeat_thresholds
    assert (thresholds.specialists, thresholds.team_leader, thresholds.third_level) == (2, 3, 4)
    assert HandlingTier.TEAM_LEADER in policy.approval_tiers
    for role in ("complaint_specialists", "team_leader", "third_level_manager", "accountability"):
        assert policy.roles[role].email, role
    for role in ("team_leader", "third_level_manager"):  # the seed's text messages
        assert policy.roles[role].phone, role
    complaint = filed(brand)
    for _ in range(3):
        RecordContact(by=AGENT).act(complaint, MONDAY)
    assert complaint.handling is HandlingTier.THIRD_LEVEL
