"""Every message real complaints owe, from simulated complaints: the ladder of each shipped policy
with people acting on it, and each of seed 003's playbooks (tests/domain/test_playbooks.py)."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from api.calendars import business_calendar_for
from domain.assessment import Assessment
from domain.cases import CaseFlag
from domain.commands import VERBS
from domain.complaint import Complaint
from domain.delivery_log import record_delivery, record_undelivered
from domain.filing import open_complaint
from domain.history import Actor, ActorRole, StepKind
from domain.intake import Channel, ComplaintIntake, Customer, Recorder, RecorderRole
from domain.ladder import advance, next_due_at
from domain.playbooks import HandlingTier
from domain.policy_files import load_policy_set
from domain.reviews import Assess
from domain.simulation import SIMULATED, InputEvent, simulated_complaint
from domain.status import ActionNotAllowed
from harness.samples import POLICY_DIR

POLICIES = load_policy_set(POLICY_DIR)
OPENED = datetime.fromisoformat("2026-11-23T10:00:00-06:00")
LADDER_EVENTS = [
    (1, "note llamé a la clienta"),
    (2, "pause pedimos la factura"),
    (3, "resume factura recibida"),
    (4, "supervisor quiere un reembolso ya"),
    (5, "contact llamó de nuevo"),
    (6, "contact llamó de nuevo"),
    (7, "propose un cupón"),
    (8, "refuse no basta para un tercer contacto"),
    (9, "propose cambio de tarjeta madre sin costo"),
    (10, "approve"),
    (11, "reject quiero una unidad nueva"),
    (12, "contact llamó de nuevo"),
    (13, "escalate amenaza con ir a la prensa"),
    (14, "propose una unidad nueva y un reembolso"),
    (400, "accept"),
    (401, "reopen volvió a fallar"),
]
"""A busy complaint, hours after filing: what agents, supervisors and the customer do (in
Spanish: what people type passes through as written)."""


def intake_for(brand: str, country: str) -> ComplaintIntake:
    return ComplaintIntake(
        customer=Customer(
            name="Lucía Pérez",
            email="lucia@example.mx",
            phone="+525512345678",
            address="Av. Reforma 1, CDMX",
        ),
        country=country,
        product="Magnifica S",
        channel=Channel.PHONE,
        reason="Sin diagnóstico",
        description="La cafetera lleva tres semanas en el centro de servicio.",
        recorded_by=Recorder(role=RecorderRole.RECEPTIONIST, name="Carmen Ruiz"),
        brand=brand,
    )


def ladder_complaints() -> Iterator[Complaint]:
    """Each shipped policy's ladder, to the last level's re-alerts, with people acting on it."""
    for brand, policy in POLICIES.policies.items():
        country = "MX" if "MX" in policy.calendars else "IN"
        calendar = business_calendar_for(policy, country, OPENED.date())
        events = [
            InputEvent.parse(f"{(OPENED + timedelta(hours=hours)).isoformat()} {spec}")
            for hours, spec in LADDER_EVENTS
        ]
        complaint = open_complaint(f"{brand}-busy", intake_for(brand, country), policy, OPENED)
        complaint.calendar = calendar
        for event in events:
            advance(complaint, event.at)
            try:
                VERBS[event.action].command_for(event.text, SIMULATED).act(complaint, event.at)
            except ActionNotAllowed:
                continue  # this policy has no such step (no approval at this tier)
            if event.action == "contact" and complaint.handling is HandlingTier.THIRD_LEVEL:
                _assess_and_fail_a_delivery(complaint, event.at)
        until = OPENED + timedelta(days=30)
        while (due := next_due_at(complaint)) is not None and due <= until:
            advance(complaint, due)
        yield complaint
        yield simulated_complaint(intake_for(brand, country), policy, calendar, OPENED, [])


def _assess_and_fail_a_delivery(complaint: Complaint, at: datetime) -> None:
    """The third level finds the company responsible (seed 004), and a message gets nowhere."""
    manager = Actor(role=ActorRole.SUPERVISOR, name="Rosa Díaz")
    assessment = Assessment(
        company_responsible=True, first_handling_appropriate=False, appeal_reasonable=True
    )
    Assess(by=manager, assessment=assessment).act(complaint, at)
    acknowledgement = complaint.outbox[0]
    record_delivery(
        complaint,
        at,
        acknowledgement,
        StepKind.NOTIFICATION_FAILED,
        "email: 550 5.1.1 mailbox unavailable",
    )
    record_undelivered(complaint, at, acknowledgement)


def playbook_complaints(
    scenarios: list[tuple[str, dict[str, str], list[str]]],
) -> Iterator[Complaint]:
    """The De'Longhi policy's playbooks, each scenario as `complaints simulate` runs it."""
    policy = POLICIES.for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    for case_type, fields, events in scenarios:
        yield simulated_complaint(
            intake_for("delonghi-mx", "MX"),
            policy,
            calendar,
            OPENED,
            [InputEvent.parse(event) for event in events],
            OPENED + timedelta(days=27),
            CaseFlag(case_type=case_type, fields=fields),
        )
