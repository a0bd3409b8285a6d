"""Seed 003's playbooks in the De'Longhi Mexico policy: every case type's timeline and messages."""

from datetime import date, datetime, timedelta

import pytest

from api.calendars import business_calendar_for
from domain.cases import CaseFlag, CaseNotValid
from domain.commands import (
    AnswerCase,
    CustomerFeedback,
    FlagCase,
    ProposeResolution,
    RecordCaseEvent,
)
from domain.complaint import Complaint
from domain.filing import file_again, open_complaint
from domain.history import StepKind
from domain.intake import Channel, ComplaintIntake, Customer
from domain.ladder import advance
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.playbooks import HandlingTier, Playbook
from domain.policy_files import load_policy_set
from domain.simulation import InputEvent, simulate
from domain.status import ActionNotAllowed
from domain.view import for_customer, view_of
from harness.samples import AGENT, CUSTOMER, POLICY_DIR

POLICY = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
CALENDAR = business_calendar_for(POLICY, "MX", date(2026, 11, 23))
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00-06:00")
UNTIL = datetime.fromisoformat("2026-12-20T00:00:00-06:00")
CENTRE = {"service_centre": "SAT Norte", "service_order": "SO-1"}
INTAKE = ComplaintIntake(
    customer=Customer(name="Lucía Pérez", email="lucia@example.mx", phone="+525512345678"),
    country="MX",
    product="Magnifica S",
    channel=Channel.PHONE,
    reason="Sin diagnóstico",
    description="La cafetera lleva tres semanas en el centro de servicio.",
    brand="delonghi-mx",
)


def case_timeline(
    case_type: str, fields: dict[str, str], *events: str, until: datetime = UNTIL
) -> list[tuple[str, str]]:
    """(local time, event) of the playbook's own steps, as `complaints simulate` prints them."""
    entries = simulate(
        INTAKE,
        POLICY,
        CALENDAR,
        MONDAY,
        [InputEvent.parse(event) for event in events],
        until,
        CaseFlag(case_type=case_type, fields=fields),
    )
    return [
        (entry.at.isoformat(timespec="minutes"), entry.event) for entry in entries if entry.case
    ]


def flagged(case_type: str, fields: dict[str, str] | None = None) -> Complaint:
    complaint = open_complaint("c-1", INTAKE, POLICY, MONDAY, CALENDAR)
    take_outbox(complaint)
    FlagCase(by=AGENT, flag=CaseFlag(case_type=case_type, fields=fields or {})).act(
        complaint, MONDAY
    )
    return complaint


def sent(complaint: Complaint) -> list[tuple[NotificationKind, str, str | None]]:
    return [(n.kind, n.recipient.role, n.recipient.email) for n in take_outbox(complaint)]


def test_every_case_type_of_seed_003_has_a_playbook() -> None:
    assert set(POLICY.playbooks) == {
        "no_diagnosis",
        "parts_unavailable",
        "no_return_label",
        "return_letter_not_received",
        "discontinued_model",
        "unit_returned_damaged",
        "unit_returned_unrepaired",
        "retailer_return",
        "legal_threat",
        "injury_or_damage",
        "staff_insult",
    }


# --- timelines: promise met, promise missed, follow-ups ----------------------------------------

TIMELINES = [
    pytest.param(
        "no_diagnosis",
        CENTRE,
        ["2026-11-25T12:00:00-06:00 answer no_diagnosis diagnosis sent: pump replaced"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-25T12:00-06:00", "answered"),
            ("2026-11-25T12:00-06:00", "case_done"),
        ],
        id="no diagnosis: the centre answers within 72 h",
    ),
    pytest.param(
        "no_diagnosis",
        CENTRE,
        ["2026-12-08T09:00:00-06:00 propose new unit", "2026-12-08T10:00:00-06:00 accept"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-26T10:00-06:00", "promise_missed"),
            ("2026-11-26T10:00-06:00", "case_escalated"),
            ("2026-12-03T10:00-06:00", "follow_up"),
            ("2026-12-08T10:00-06:00", "case_done"),
        ],
        id="no diagnosis: silence for 72 h -> supervisor, weekly follow-up until resolved",
    ),
    pytest.param(
        "parts_unavailable",
        {**CENTRE, "part": "bomba"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
            ("2026-12-06T10:00-06:00", "follow_up"),
            ("2026-12-13T10:00-06:00", "promise_missed"),
            ("2026-12-13T10:00-06:00", "case_escalated"),
        ],
        id="parts unavailable: supervisor at once, day 13 follow-up, breach at day 20",
    ),
    pytest.param(
        "parts_unavailable",
        {**CENTRE, "part": "bomba"},
        ["2026-12-01T10:00:00-06:00 case parts_unavailable parts_arrived"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
            ("2026-12-01T10:00-06:00", "case_event"),
            ("2026-12-01T10:00-06:00", "case_done"),
        ],
        id="parts unavailable: parts arrive, no follow-up",
    ),
    pytest.param(
        "no_return_label",
        CENTRE,
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
            ("2026-11-26T10:00-06:00", "promise_missed"),
            ("2026-11-26T10:00-06:00", "follow_up"),
        ],
        id="no return label: 72 h, supervisor, follow-up at 72 h",
    ),
    pytest.param(
        "return_letter_not_received",
        {"requested_on": "2026-11-20"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
            ("2026-11-27T18:00-06:00", "promise_missed"),
            ("2026-11-27T18:00-06:00", "case_escalated"),
        ],
        id="return letter: within the 5 business days from a Friday request",
    ),
    pytest.param(
        "return_letter_not_received",
        {"requested_on": "2026-11-09"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
        ],
        id="return letter: the wait is over, supervisor at once",
    ),
    pytest.param(
        "discontinued_model",
        {"service_order": "SO-9"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "promised"),
            ("2026-11-23T10:00-06:00", "case_escalated"),
            ("2026-11-30T10:00-06:00", "promise_missed"),
            ("2026-11-30T10:00-06:00", "case_escalated"),
        ],
        id="discontinued model: 5 business days",
    ),
    pytest.param(
        "unit_returned_damaged",
        {**CENTRE, "packing": "original box"},
        ["2026-11-24T10:00:00-06:00 answer unit_returned_damaged outcome=transport_damage golpe"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-24T10:00-06:00", "answered"),
            ("2026-11-24T10:00-06:00", "told_customer"),
            ("2026-11-24T10:00-06:00", "case_done"),
        ],
        id="damaged: transport damage, the customer is told why it is not covered",
    ),
    pytest.param(
        "unit_returned_damaged",
        {**CENTRE, "packing": "original box"},
        ["2026-11-24T10:00:00-06:00 answer unit_returned_damaged outcome=centre_damage"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-24T10:00-06:00", "answered"),
            ("2026-11-24T10:00-06:00", "task"),
            ("2026-11-24T10:00-06:00", "case_done"),
        ],
        id="damaged by the centre: a new service order",
    ),
    pytest.param(
        "unit_returned_damaged",
        {**CENTRE, "packing": "original box"},
        ["2026-11-24T10:00:00-06:00 answer unit_returned_damaged outcome=refused not ours"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-24T10:00-06:00", "answered"),
            ("2026-11-24T10:00-06:00", "case_escalated"),
        ],
        id="damaged: the centre refuses, supervisor",
    ),
    pytest.param(
        "unit_returned_damaged",
        {**CENTRE, "packing": "original box"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "asked"),
            ("2026-11-26T10:00-06:00", "silent"),
            ("2026-11-26T10:00-06:00", "case_escalated"),
        ],
        id="damaged: the centre is silent, supervisor",
    ),
    pytest.param(
        "unit_returned_unrepaired",
        {**CENTRE, "fault": "no muele"},
        [
            "2026-11-23T11:00:00-06:00 case unit_returned_unrepaired priming_failed no muele",
            "2026-11-24T10:00:00-06:00 answer unit_returned_unrepaired replaced the grinder",
        ],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "task"),
            ("2026-11-23T11:00-06:00", "case_event"),
            ("2026-11-23T11:00-06:00", "asked"),
            ("2026-11-24T10:00-06:00", "answered"),
            ("2026-11-24T10:00-06:00", "task"),
            ("2026-11-24T10:00-06:00", "case_done"),
        ],
        id="unrepaired: priming fails, then ask the centre, a new service order",
    ),
    pytest.param(
        "unit_returned_unrepaired",
        {**CENTRE, "fault": "no muele"},
        ["2026-11-23T11:00:00-06:00 case unit_returned_unrepaired priming_solved"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "task"),
            ("2026-11-23T11:00-06:00", "case_event"),
            ("2026-11-23T11:00-06:00", "case_done"),
        ],
        id="unrepaired: the priming solves it, the centre is never asked",
    ),
    pytest.param(
        "retailer_return",
        {"retailer": "Amazon", "return_started_on": "2026-11-10"},
        [],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "told_customer"),
            ("2026-12-05T23:59-06:00", "case_event"),
            ("2026-12-05T23:59-06:00", "asked"),
            ("2026-12-05T23:59-06:00", "case_escalated"),
        ],
        id="Amazon: past 25 days -> return letter and supervisor",
    ),
    pytest.param(
        "retailer_return",
        {"retailer": "Liverpool", "return_started_on": "2026-10-01"},
        ["2026-11-25T10:00:00-06:00 case retailer_return retailer_refused"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "told_customer"),
            ("2026-11-25T10:00-06:00", "case_event"),
            ("2026-11-25T10:00-06:00", "case_escalated"),
            ("2026-11-25T10:00-06:00", "task"),
        ],
        id="other retailers: no 25-day rule; a refusal goes to the supervisor",
    ),
    pytest.param(
        "legal_threat",
        {},
        ["2026-11-24T10:00:00-06:00 propose refund", "2026-11-24T11:00:00-06:00 reject Profeco"],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T10:00-06:00", "task"),
            ("2026-11-24T11:00-06:00", "case_escalated"),
            ("2026-11-24T11:00-06:00", "promised"),
            ("2026-11-27T11:00-06:00", "promise_missed"),
        ],
        id="Profeco: a resolution first; rejected -> supervisor and 72 h",
    ),
    pytest.param(
        "injury_or_damage",
        {},
        [
            "2026-11-23T11:00:00-06:00 case injury_or_damage malfunction",
            "2026-11-23T12:00:00-06:00 case injury_or_damage claim wants compensation",
        ],
        [
            ("2026-11-23T10:00-06:00", "case_opened"),
            ("2026-11-23T11:00-06:00", "case_event"),
            ("2026-11-23T11:00-06:00", "task"),
            ("2026-11-23T12:00-06:00", "case_event"),
            ("2026-11-23T12:00-06:00", "case_escalated"),
            ("2026-11-23T12:00-06:00", "promised"),
            ("2026-11-23T12:00-06:00", "told_customer"),
            ("2026-11-30T12:00-06:00", "promise_missed"),
        ],
        id="injury: malfunction -> service order; claim -> supervisor and the template email",
    ),
    pytest.param(
        "staff_insult",
        {},
        [],
        [("2026-11-23T10:00-06:00", "case_opened"), ("2026-11-23T10:00-06:00", "reassigned")],
        id="staff insult: third level at once",
    ),
]


@pytest.mark.parametrize(("case_type", "fields", "events", "expected"), TIMELINES)
def test_playbook_timeline(
    case_type: str, fields: dict[str, str], events: list[str], expected: list[tuple[str, str]]
) -> None:
    assert case_timeline(case_type, fields, *events) == expected


def test_weekly_follow_ups_go_on_until_the_complaint_is_resolved() -> None:
    steps = case_timeline(
        "no_diagnosis", CENTRE, until=datetime.fromisoformat("2027-01-01T00:00-06:00")
    )
    follow_ups = [at for at, event in steps if event == "follow_up"]
    assert follow_ups == [
        "2026-12-03T10:00-06:00",
        "2026-12-10T10:00-06:00",
        "2026-12-17T10:00-06:00",
        "2026-12-24T10:00-06:00",
        "2026-12-31T10:00-06:00",
    ]


def test_the_matrix_and_the_playbook_breach_independently() -> None:
    """Whichever clock runs out first acts: here both at 72 h, each on its own."""
    entries = simulate(
        INTAKE,
        POLICY,
        CALENDAR,
        MONDAY,
        [],
        datetime.fromisoformat("2026-11-26T10:00-06:00"),
        CaseFlag(case_type="no_diagnosis", fields=CENTRE),
    )
    at_72h = [(entry.event, entry.level) for entry in entries if entry.at.day == 26]
    assert ("case_escalated", "L1") in at_72h and ("escalated", "L2") in at_72h


# --- who hears what --------------------------------------------------------------------------


def test_no_diagnosis_emails_the_named_centre_and_promises_the_customer() -> None:
    complaint = flagged("no_diagnosis", CENTRE)
    assert sent(complaint) == [
        (NotificationKind.CASE_REQUEST, "service_centre", "sat-norte@servicio.example.mx"),
        (NotificationKind.CASE_PROMISE, "customer", "lucia@example.mx"),
    ]
    case = complaint.cases["no_diagnosis"]
    assert case.promise == "72 hours"
    assert case.promise_due == datetime.fromisoformat("2026-11-26T10:00-06:00")


def test_an_unlisted_centre_falls_back_to_the_centres_inbox() -> None:
    complaint = flagged("no_diagnosis", {**CENTRE, "service_centre": "Taller Oaxaca"})
    request = take_outbox(complaint)[0]
    assert (request.recipient.name, request.recipient.email) == (
        "Taller Oaxaca",
        "centros-de-servicio@delonghi.example.mx",
    )


def test_an_escalation_carries_the_seed_spreadsheet_record() -> None:
    complaint = flagged("parts_unavailable", {**CENTRE, "part": "bomba"})
    escalation = next(
        n for n in take_outbox(complaint) if n.kind is NotificationKind.CASE_ESCALATION
    )
    record = escalation.record
    assert escalation.recipient.email == "supervisor@delonghi.example.mx"
    assert record is not None
    assert (record.ticket, record.customer_name, record.customer_phone) == (
        "c-1",
        "Lucía Pérez",
        "+525512345678",
    )
    assert record.fields == {**CENTRE, "part": "bomba"}
    assert record.description == INTAKE.description
    assert record.promise == "15-20 days"
    assert complaint.cases["parts_unavailable"].escalations == [record]
    step = next(s for s in complaint.history if s.kind is StepKind.CASE_ESCALATED)
    assert step.record == record


def test_an_injury_claim_sends_the_template_not_a_second_promise() -> None:
    complaint = flagged("injury_or_damage")
    RecordCaseEvent(
        by=AGENT, case_type="injury_or_damage", event="claim", note="va a demandar"
    ).act(complaint, MONDAY)
    assert sent(complaint) == [
        (NotificationKind.CASE_ESCALATION, "supervisor", "supervisor@delonghi.example.mx"),
        (NotificationKind.INJURY_CLAIM, "customer", "lucia@example.mx"),
    ]


def test_a_staff_insult_goes_to_the_third_level_manager_at_once() -> None:
    complaint = flagged("staff_insult")
    assert complaint.handling is HandlingTier.THIRD_LEVEL
    assert sent(complaint) == [
        (
            NotificationKind.CASE_ESCALATION,
            "third_level_manager",
            "customer-service-manager@delonghi.example.mx",
        )
    ]


def test_an_unrepaired_unit_asks_the_centre_only_after_the_priming_fails() -> None:
    """Issue 16 item 8. Seed 003, 8b: "Si el proceso de primer uso “priming” no resuelve la
    situación, debes contactarte con el Centro de Servicio y averiguar cuál fue la reparación que
    se realizó." """
    fields = {**CENTRE, "fault": "no muele"}
    complaint = flagged("unit_returned_unrepaired", fields)
    assert [kind for kind, _, _ in sent(complaint)] == [NotificationKind.CASE_TASK]
    assert complaint.cases["unit_returned_unrepaired"].asked is None
    event = RecordCaseEvent(by=AGENT, case_type="unit_returned_unrepaired", event="priming_failed")
    event.act(complaint, MONDAY + timedelta(hours=1))
    assert sent(complaint) == [
        (NotificationKind.CASE_REQUEST, "service_centre", "sat-norte@servicio.example.mx")
    ]
    solved = flagged("unit_returned_unrepaired", fields)
    take_outbox(solved)
    RecordCaseEvent(by=AGENT, case_type="unit_returned_unrepaired", event="priming_solved").act(
        solved, MONDAY + timedelta(hours=1)
    )
    assert sent(solved) == [] and not solved.cases["unit_returned_unrepaired"].active


def test_an_amazon_return_past_25_days_requests_a_return_letter_not_amazon() -> None:
    """Issue 16 item 9. Seed 003, 10: "Si el proveedor es AMAZON: Si notas que un caso excede 25
    días es mejor solicitar una carta de devolución inmediatamente. Debes de escalar el caso con tu
    supervisor." and "Es importante no revelar procesos de devolución de proveedores
    autorizados"."""
    complaint = flagged(
        "retailer_return", {"retailer": "Amazon", "return_started_on": "2026-10-01"}
    )
    assert [kind for kind, _, _ in sent(complaint)] == [NotificationKind.RETAILER_CONTACTS]
    advance(complaint, MONDAY)  # 25 days since 1 Oct passed before the flag: at once
    sent_to = sent(complaint)
    assert sent_to == [
        (
            NotificationKind.RETURN_LETTER_REQUEST,
            "return_letters",
            "cartas-devolucion@delonghi.example.mx",
        ),
        (NotificationKind.CASE_ESCALATION, "supervisor", "supervisor@delonghi.example.mx"),
    ]
    assert not any(email and "amazon" in email for _, _, email in sent_to)


def test_the_retailer_contacts_are_the_named_retailers() -> None:
    complaint = flagged(
        "retailer_return", {"retailer": "Liverpool", "return_started_on": "2026-11-20"}
    )
    told = take_outbox(complaint)[0]
    assert told.kind is NotificationKind.RETAILER_CONTACTS
    assert told.text == "Liverpool: atencion@liverpool.example.mx"


# --- what cannot be done -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (CaseFlag(case_type="ufo"), "has no playbook 'ufo'; known: discontinued_model"),
        (CaseFlag(case_type="no_diagnosis"), "give the fields ['service_centre', 'service_order']"),
        (
            CaseFlag(case_type="staff_insult", fields={"mood": "angry"}),
            "unknown fields ['mood']",
        ),
        (
            CaseFlag(case_type="return_letter_not_received", fields={"requested_on": "friday"}),
            "requested_on must be a date like 2026-11-24",
        ),
        (
            CaseFlag(case_type="return_letter_not_received", fields={"requested_on": "9999-12-27"}),
            "requested_on must be a date like 2026-11-24, no later than 9998-12-31",
        ),
    ],
)
def test_a_bad_flag_says_what_is_wrong(flag: CaseFlag, message: str) -> None:
    complaint = open_complaint("c-1", INTAKE, POLICY, MONDAY, CALENDAR)
    with pytest.raises(CaseNotValid, match=message.replace("[", r"\[").replace("]", r"\]")):
        FlagCase(by=AGENT, flag=flag).act(complaint, MONDAY)
    assert complaint.cases == {}


def test_a_case_type_runs_once_at_a_time_and_not_on_a_resolved_complaint() -> None:
    complaint = flagged("legal_threat")
    with pytest.raises(ActionNotAllowed, match="its playbook runs since"):
        FlagCase(by=AGENT, flag=CaseFlag(case_type="legal_threat")).act(complaint, MONDAY)
    ProposeResolution(by=AGENT, resolution="refund").act(complaint, MONDAY)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, MONDAY)
    assert not complaint.cases["legal_threat"].active
    with pytest.raises(ActionNotAllowed, match="resolved"):
        FlagCase(by=AGENT, flag=CaseFlag(case_type="staff_insult")).act(complaint, MONDAY)


def test_answers_and_events_are_checked_against_the_playbook() -> None:
    complaint = flagged("unit_returned_damaged", {**CENTRE, "packing": "bag"})
    with pytest.raises(CaseNotValid, match="unknown outcome 'lost'; known: transport_damage"):
        AnswerCase(by=AGENT, case_type="unit_returned_damaged", answer="?", outcome="lost").act(
            complaint, MONDAY
        )
    with pytest.raises(CaseNotValid, match="unknown event 'claim'; known: none"):
        RecordCaseEvent(by=AGENT, case_type="unit_returned_damaged", event="claim").act(
            complaint, MONDAY
        )
    with pytest.raises(ActionNotAllowed, match="no legal_threat case is flagged"):
        RecordCaseEvent(by=AGENT, case_type="legal_threat", event="claim").act(complaint, MONDAY)
    legal = flagged("legal_threat")
    with pytest.raises(ActionNotAllowed, match="asked nobody for an answer"):
        AnswerCase(by=AGENT, case_type="legal_threat", answer="ok").act(legal, MONDAY)


@pytest.mark.parametrize(
    ("playbook", "message"),
    [
        ({"on_event": {"opened": [{"ask": "x", "promise": "1h"}]}}, "exactly one of"),
        ({"on_event": {"dreamt": [{"done": True}]}}, "not an event of this playbook"),
        ({"on_event": {"opened": [{"done": True, "when": {"x": "y"}}]}}, "unknown fields"),
        ({"on_event": {"opened": [{"escalate": "x", "within": "1h"}]}}, "`within` belongs"),
    ],
)
def test_a_playbook_is_checked_when_the_policy_loads(
    playbook: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Playbook.model_validate({"title": "t", "first_action": "a", **playbook})


def test_a_repeat_filing_naming_a_new_case_starts_it_on_the_open_complaint() -> None:
    filed = INTAKE.model_copy(update={"case": CaseFlag(case_type="legal_threat")})
    complaint = open_complaint("c-1", filed, POLICY, MONDAY, CALENDAR)
    assert complaint.running_case_types == {"legal_threat"}
    injury = CaseFlag(case_type="injury_or_damage")
    assert file_again(complaint, MONDAY, AGENT, "again, now hurt", injury)
    assert complaint.running_case_types == {"legal_threat", "injury_or_damage"}
    file_again(complaint, MONDAY, AGENT, "and again", CaseFlag(case_type="no_diagnosis"))
    note = complaint.history[-1]
    assert note.kind is StepKind.NOTE_ADDED and "case not started" in (note.text or "")
    assert complaint.contacts == 3


def test_the_customer_sees_a_case_by_its_title_never_the_staff_instructions() -> None:
    """Seed 003 gives agents their steps ("Enviar un correo al centro de servicio…"); the
    customer's view shows the case by its title, and none of the staff's tasks or follow-ups."""
    fields = {"part": "bomba de agua", "service_centre": "SAT Norte", "service_order": "SO-1"}
    complaint = flagged("parts_unavailable", fields)
    advance(complaint, complaint.opened_at + timedelta(days=14))  # the day-13 follow-up
    staff = view_of(complaint)
    playbook = complaint.policy.playbooks["parts_unavailable"]
    assert any(step.kind is StepKind.FOLLOW_UP for step in staff.history)
    customer = for_customer(staff)
    opened = next(step for step in customer.history if step.kind is StepKind.CASE_OPENED)
    assert opened.reason == playbook.title and opened.text is None
    shown = " ".join(f"{step.reason} {step.text}" for step in customer.history)
    assert playbook.first_action not in shown
    assert not {StepKind.FOLLOW_UP, StepKind.CASE_TASK} & {s.kind for s in customer.history}
