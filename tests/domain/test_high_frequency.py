"""Seed 004's high-frequency tiers, chosen per complaint by staff (issue 16, item 12)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.behaviour import CURRENT
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.commands import BY_UPDATE, ROUTES, VERBS
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import ActorRole, StepKind
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.playbooks import HandlingTier
from domain.policy_files import load_policy_set
from domain.repeat_contacts import MarkHighFrequency, RecordContact
from domain.status import ActionNotAllowed
from harness.samples import AGENT, POLICY_DIR, SEED_MATRIX, sample_intake, with_policy

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def opened(revision: int = CURRENT.revision) -> Complaint:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0, revision=revision)
    take_outbox(complaint)
    return complaint


def contacts(complaint: Complaint, count: int) -> list[HandlingTier]:
    """`count` contacts recorded by staff, and the tier after each."""
    tiers = []
    for _ in range(count):
        RecordContact(by=AGENT).act(complaint, T0 + H)
        tiers.append(complaint.handling)
    return tiers


def test_a_high_frequency_customer_climbs_on_3_4_5() -> None:
    """Seed 004: "Las quejas que se repiten 2 veces/alta frecuencia 3 veces serán manejadas por
    especialistas en manejo de quejas altamente capacitados. Las quejas que se repiten 3
    veces/alta frecuencia 4 veces se notificarán al especialista en quejas ...; Manejo del líder
    del equipo ... repetir 4 veces/alta frecuencia 5 quejas; ... gerente de tercer nivel"."""
    complaint = opened()
    MarkHighFrequency(by=AGENT, reason="fourth complaint this year").act(complaint, T0)
    assert complaint.high_frequency and complaint.handling is HandlingTier.FRONTLINE
    # the filing was contact 1: contacts 2..5
    assert contacts(complaint, 4) == [
        HandlingTier.FRONTLINE,
        HandlingTier.SPECIALISTS,
        HandlingTier.TEAM_LEADER,
        HandlingTier.THIRD_LEVEL,
    ]
    usual = opened()
    assert contacts(usual, 3) == [
        HandlingTier.SPECIALISTS,
        HandlingTier.TEAM_LEADER,
        HandlingTier.THIRD_LEVEL,
    ]


def test_the_mark_is_recorded_for_staff_only_and_a_tier_reached_stays() -> None:
    """Seed 004, as above: marking a complaint at the specialists (2 contacts) high-frequency
    does not hand it back to the frontline; unmarking a complaint its contacts already carry
    further moves it up at once, and the tier is told."""
    complaint = opened()
    contacts(complaint, 1)
    assert complaint.handling is HandlingTier.SPECIALISTS
    take_outbox(complaint)
    MarkHighFrequency(by=AGENT, reason="frequent").act(complaint, T0 + H)
    assert complaint.handling is HandlingTier.SPECIALISTS
    note = complaint.history[-1]
    assert (note.kind, note.internal, note.reason, note.text) == (
        StepKind.NOTE_ADDED,
        True,
        "high-frequency repeat tiers: 3/4/5 contacts",
        "frequent",
    )
    contacts(complaint, 1)  # 3 contacts: still the specialists on 3/4/5
    assert complaint.handling is HandlingTier.SPECIALISTS
    take_outbox(complaint)
    MarkHighFrequency(by=AGENT, high_frequency=False, reason="marked by mistake").act(
        complaint, T0 + 2 * H
    )
    assert complaint.handling is HandlingTier.TEAM_LEADER
    assert [(n.kind, n.recipient.role) for n in take_outbox(complaint)] == [
        (NotificationKind.REPEAT_CONTACT, "team_leader"),
        (NotificationKind.REPEAT_CONTACT, "complaint_specialists"),
    ]


def test_a_staff_insult_stays_with_the_third_level_manager_after_more_contacts() -> None:
    """Seed 004: "Insultar a los clientes será severamente castigado de acuerdo con las sanciones
    por quejas de tercer nivel": a second contact does not hand it down to the specialists."""
    complaint = opened()
    FlagCase(by=AGENT, flag=CaseFlag(case_type="staff_insult")).act(complaint, T0)
    contacts(complaint, 1)
    assert complaint.handling is HandlingTier.THIRD_LEVEL
    older = opened(revision=6)
    FlagCase(by=AGENT, flag=CaseFlag(case_type="staff_insult")).act(older, T0)
    contacts(older, 1)
    assert older.handling is HandlingTier.SPECIALISTS  # what revision 6 did, and keeps doing


def test_customers_can_never_set_it_and_older_complaints_keep_their_tiers() -> None:
    route = next(route for route in ROUTES if route.path == "high-frequency")
    assert ActorRole.CUSTOMER not in route.roles
    assert "mark_high_frequency" in BY_UPDATE and VERBS["high_frequency"]
    complaint = opened()
    MarkHighFrequency(by=AGENT, reason="frequent").act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="already high-frequency"):
        MarkHighFrequency(by=AGENT, reason="again").act(complaint, T0)
    older = opened(revision=6)
    with pytest.raises(ActionNotAllowed, match="started before revision 7"):
        MarkHighFrequency(by=AGENT, reason="frequent").act(older, T0)


def test_the_high_frequency_tiers_are_policy_and_every_shipped_policy_has_3_4_5() -> None:
    for brand in load_policy_set(POLICY_DIR).brands:
        tiers = load_policy_set(POLICY_DIR).for_brand(brand).high_frequency_thresholds
        assert str(tiers) == "3/4/5", brand
    policy = with_policy(
        high_frequency_thresholds={"specialists": 4, "team_leader": 6, "third_level": 8}
    )
    assert str(policy.high_frequency_thresholds) == "4/6/8"
    with pytest.raises(ValueError, match="thresholds must increase"):
        with_policy(
            high_frequency_thresholds={"specialists": 4, "team_leader": 4, "third_level": 8}
        )
