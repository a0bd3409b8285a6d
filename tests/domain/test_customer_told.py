"""The customer is told each move up a level, to whom and by when that level answers, and the
acknowledgement states the whole path (seeds 000-002; issue 16, item 6)."""

from datetime import datetime, timedelta

import pytest

from api.calendars import business_calendar_for
from domain.behaviour import CURRENT
from domain.commands import VERBS
from domain.complaint import Complaint
from domain.delivery import message_facts
from domain.filing import open_complaint
from domain.history import Actor, ActorRole, StepKind
from domain.ladder import advance
from domain.messages import Notification, NotificationKind
from domain.simulation import SIMULATED
from domain.templates import moment_words
from harness.every_message import POLICIES, intake_for, playbook_complaints
from tests.domain.test_messages_in_every_language import COMPLAINTS, TEMPLATES

OPENED = datetime.fromisoformat("2026-11-23T10:00:00+05:30")
INDIA = "Asia/Kolkata"
MEXICO = "America/Mexico_City"
CENTRE = {"service_centre": "SAT Norte", "service_order": "SO-1"}


def _xiaomi(revision: int | None = None) -> Complaint:
    policy = POLICIES.for_brand("xiaomi-in")
    calendar = business_calendar_for(policy, "IN", OPENED.date())
    intake = intake_for("xiaomi-in", "IN")
    return open_complaint("told", intake, policy, OPENED, calendar, revision or CURRENT.revision)


SUPERVISOR = Actor(role=ActorRole.SUPERVISOR, name="Rosa Díaz")
PEOPLE = {**SIMULATED, ActorRole.SUPERVISOR: SUPERVISOR}


def _act(complaint: Complaint, at: datetime, spec: str) -> None:
    verb, _, text = spec.partition(" ")
    advance(complaint, at)
    VERBS[verb].command_for(text, PEOPLE).act(complaint, at)


def _told(complaint: Complaint) -> list[Notification]:
    return [owed for owed in complaint.outbox if owed.kind is NotificationKind.ESCALATED]


def render(complaint: Complaint, owed: Notification, locale: str, zone: str) -> str:
    brand = complaint.intake.brand or "default"
    message = TEMPLATES.render(brand, locale, owed, message_facts(complaint, owed), zone)
    return f"{message.subject}\n{message.body}\n{message.sms}"


# --- item 6: each move up a level --------------------------------------------------------------


def test_a_breach_tells_the_customer_the_new_level_its_owner_and_its_answer_time() -> None:
    """Seed 001: "If there is no resolution within 48 hours, or if the customer is not happy
    with the experience, the complaint is forwarded to the Head of Customer Service. At this
    stage, customers can expect a response within 24 hours." and "If the issue still persists
    or has not been resolved within the designated time frame, it will be automatically
    escalated to the Office of the company's President. Customers can expect a response within
    12 hours." """
    complaint = _xiaomi()
    advance(complaint, OPENED + timedelta(hours=72))
    to_head, to_president = _told(complaint)
    assert (to_head.level, to_president.level) == (2, 3)
    assert to_head.recipient.role == "customer"
    assert to_head.deadline == OPENED + timedelta(hours=48 + 24)
    english = render(complaint, to_head, "en-IN", INDIA)
    assert "moved up to level 2" in english
    assert "It is now with our Head of Customer Service, who will respond within 24 hours" in (
        english
    )
    assert moment_words(OPENED + timedelta(hours=72), "en-IN", INDIA) in english
    assert "- level 3: our Office of the President, who will respond within 12 hours." in english
    last = render(complaint, to_president, "en-IN", INDIA)
    assert "our Office of the President, who will respond within 12 hours" in last
    assert "escalated again" not in last  # nothing above the top


def test_the_spanish_message_says_the_role_and_the_seeds_maximum_time() -> None:
    """Seed 000: "la incidencia se escalará automáticamente al Jefe de Servicio. En este nivel
    se proporcionará una solución en un plazo máximo de 24 horas." """
    complaint = _xiaomi()
    advance(complaint, OPENED + timedelta(hours=48))
    (to_head,) = _told(complaint)
    spanish = render(complaint, to_head, "es-MX", MEXICO)
    assert "pasó al nivel 2" in spanish
    assert "Ahora la atiende la dirección de atención al cliente" in spanish
    assert "en un plazo máximo de 24 horas" in spanish
    assert moment_words(OPENED + timedelta(hours=72), "es-MX", MEXICO) in spanish
    assert (
        "- nivel 3: la oficina de la presidencia, que dará una solución en un plazo máximo de "
        "12 horas." in spanish
    )


def test_a_rejection_and_a_supervisors_escalation_tell_the_customer_too_never_who() -> None:
    """Seed 000: "Si el problema persiste o el cliente no está satisfecho, la incidencia se
    escalará automáticamente al Jefe de Servicio": the customer who rejects is told where it
    went; an escalation by hand names the role, never the person, their email or phone."""
    complaint = _xiaomi()
    _act(complaint, OPENED + timedelta(hours=1), "propose a coupon")
    _act(complaint, OPENED + timedelta(hours=2), "reject I want a new phone")
    _act(complaint, OPENED + timedelta(hours=3), "escalate the press called")
    rejected, by_hand = _told(complaint)
    assert complaint.history[rejected.step - 1].kind is StepKind.ESCALATED
    assert (rejected.level, by_hand.level) == (2, 3)
    policy = complaint.policy
    assert SUPERVISOR.name in (complaint.history[by_hand.step - 1].reason or "")
    staff = [SUPERVISOR.name]
    addresses = [level.contacts.email for level in policy.levels if level.contacts]
    addresses += [level.contacts.phone for level in policy.levels if level.contacts]
    for locale, zone in (("en-IN", INDIA), ("es-MX", MEXICO)):
        text = render(complaint, by_hand, locale, zone)
        for private in [*staff, *addresses, "the press called"]:
            assert not private or private not in text, (locale, private)


def test_the_message_goes_like_the_customers_other_messages() -> None:
    """Same recipient, channels and quiet-hours rules as the proposed resolution the customer
    gets: email (the policy's fallback applies), not urgent, so quiet hours hold it."""
    complaint = _xiaomi()
    _act(complaint, OPENED + timedelta(hours=1), "propose a coupon")
    _act(complaint, OPENED + timedelta(hours=2), "reject no")
    proposed = next(
        owed for owed in complaint.outbox if owed.kind is NotificationKind.RESOLUTION_PROPOSED
    )
    (told,) = _told(complaint)
    assert told.recipient == proposed.recipient
    assert (told.channels, told.urgent) == (proposed.channels, False)


def test_complaints_started_before_the_switch_send_nothing_new() -> None:
    """Behind Switch.CUSTOMER_TOLD_OF_ESCALATION (revision 7): running complaints keep theirs."""
    complaint = _xiaomi(revision=6)
    advance(complaint, OPENED + timedelta(hours=72))
    assert [step.kind for step in complaint.history].count(StepKind.ESCALATED) == 2
    assert _told(complaint) == []


def test_only_a_move_up_a_level_tells_the_customer() -> None:
    """Internal moves (a playbook's case handed to the supervisor, a repeat contact's tier) keep
    the level: no message; every message follows an escalation step at its new level."""
    for complaint in COMPLAINTS:
        for owed in _told(complaint):
            step = complaint.history[owed.step - 1]
            assert (step.kind, step.level) == (StepKind.ESCALATED, owed.level)
        escalations = [s for s in complaint.history if s.kind is StepKind.ESCALATED]
        assert len(_told(complaint)) == len(escalations)
    (parts,) = playbook_complaints([("parts_unavailable", {**CENTRE, "part": "bomba"}, [])])
    handed = [s for s in parts.history if s.kind is StepKind.CASE_ESCALATED]
    told_at = {owed.step for owed in _told(parts)}
    assert handed and not told_at & {step.seq for step in handed}  # a case's hand-over


@pytest.mark.parametrize(
    ("locale", "zone", "lines"),
    [
        (
            "en-IN",
            INDIA,
            [
                "If it is not resolved by then, or you are not satisfied with the answer, it is "
                "escalated automatically:",
                "- level 2: our Head of Customer Service, who will respond within 24 hours;",
                "- level 3: our Office of the President, who will respond within 12 hours.",
            ],
        ),
        (
            "es-MX",
            MEXICO,
            [
                "Si para entonces no está resuelta, o no queda satisfecho(a) con la respuesta, se "
                "escalará automáticamente:",
                "- nivel 2: la dirección de atención al cliente, que dará una solución en un "
                "plazo máximo de 24 horas;",
                "- nivel 3: la oficina de la presidencia, que dará una solución en un plazo "
                "máximo de 12 horas.",
            ],
        ),
    ],
)
def test_the_acknowledgement_states_the_escalation_path_and_times(
    locale: str, zone: str, lines: list[str]
) -> None:
    """Seed 001: "Xiaomi says that once the grievance is received, the team will begin
    investigating the issue and work towards finding a suitable resolution within 48 hours.
    If there is no resolution within 48 hours, or if the customer is not happy with the
    experience, the complaint is forwarded to the Head of Customer Service. At this stage,
    customers can expect a response within 24 hours." Seed 000: "Este nivel garantiza una
    solución adecuada en un plazo no superior a las 12 horas." """
    complaint = _xiaomi()
    acknowledgement = complaint.outbox[0]
    assert acknowledgement.kind is NotificationKind.ACKNOWLEDGEMENT
    body = render(complaint, acknowledgement, locale, zone)
    assert moment_words(OPENED + timedelta(hours=48), locale, zone) in body
    for line in lines:
        assert f"\n{line}\n" in body, (line, body)
