"""What operators read in the Temporal UI (`domain.engine_room`): a case file by category, role
and local time, never what the customer typed."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import BusinessCalendar
from domain.commands import CustomerFeedback, Pause, ProposeResolution
from domain.complaint import Complaint
from domain.engine_room import (
    complaint_details,
    complaint_static_details,
    complaint_summary,
    delivery_summary,
    due_summary,
    matter_details,
    matter_summary,
    quiet_hours_summary,
    span,
)
from domain.filing import open_complaint
from domain.intake import ComplaintIntake
from domain.ladder import advance, next_due
from domain.messages import DeliveryChannel, Recipient
from domain.outbox import take_outbox
from domain.policy_files import load_policy_set
from domain.timers import Due, Timer
from harness.samples import AGENT, CUSTOMER, FORM, POLICY_DIR, sample_intake

T0 = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
"""Monday 23 November 2026, 11:00 in Mexico City, 22:30 in India."""
H = timedelta(hours=1)
POLICIES = load_policy_set(POLICY_DIR)
DELONGHI = POLICIES.for_brand("delonghi-mx")
XIAOMI = POLICIES.for_brand("xiaomi-in")
MX_CALENDAR = BusinessCalendar(timezone="America/Mexico_City")
INTAKE = ComplaintIntake.model_validate({**FORM, "brand": "delonghi-mx"})
TYPED_BY_THE_CUSTOMER = [
    "Lucía",
    "Hernández",
    "lucia@example.mx",
    "5512345678",
    "Reforma",
    "three weeks",
    "Asha",
    "Verma",
    "asha@example.in",
    "9812345678",
    "MG Road",
    "stopped booting",
    "serial",
]


def filed_in_mexico() -> Complaint:
    return open_complaint("c1", INTAKE, DELONGHI, T0, MX_CALENDAR)


def test_the_summary_is_id_brand_country_reason_category_and_known_model() -> None:
    assert complaint_summary("c1", INTAKE, DELONGHI) == (
        "Complaint c1 · De'Longhi · MX · No diagnosis from service centre · Dedica EC685"
    )
    spelled_otherwise = INTAKE.model_copy(update={"product": "dedica  ec685"})
    assert complaint_summary("c1", spelled_otherwise, DELONGHI).endswith(" · Dedica EC685")
    assert matter_summary("mat_1f", INTAKE, DELONGHI) == (
        "Matter mat_1f · De'Longhi · MX · No diagnosis from service centre · Dedica EC685"
    )


def test_a_product_or_reason_outside_the_policys_lists_is_left_out() -> None:
    typed = INTAKE.model_copy(
        update={"product": "Dedica, serial 4471, Lucía's", "reason": "Lucía Hernández is angry"}
    )
    assert (
        complaint_summary("c1", typed, DELONGHI) == "Complaint c1 · De'Longhi · MX · other reason"
    )
    assert (
        matter_summary("mat_1f", typed, DELONGHI) == "Matter mat_1f · De'Longhi · MX · other reason"
    )


def test_the_static_details_show_the_channel_and_the_matrix_with_its_owners() -> None:
    assert complaint_static_details(INTAKE, DELONGHI) == (
        f"Filed via **phone** under policy **delonghi-mexico** (version {DELONGHI.version})\n"
        "\n"
        "**Escalation matrix**\n"
        "\n"
        "- L1 Agente de Servicio al Cliente (agent): 72h\n"
        "- L2 Supervisor (supervisor): 5 business days\n"
        "- L3 De'Longhi México (brand_escalations): 5 business days"
    )


def test_a_new_complaint_shows_its_deadline_in_local_time_and_its_next_timer() -> None:
    assert complaint_details(filed_in_mexico(), T0 + 2 * H) == (
        "**Open** at **L1 Agente de Servicio al Cliente** (owner: agent)\n"
        "\n"
        "- deadline: Thu 26 Nov 11:00 CST, 2 d 22 h left\n"
        "- next: L1 50 % warning at Tue 24 Nov 23:00 CST\n"
        "- last step: opened by the escalation engine at Mon 23 Nov 11:00 CST\n"
        "- as of Mon 23 Nov 13:00 CST"
    )


def test_a_breached_complaint_says_how_late_it_is_and_when_it_alerts_again() -> None:
    complaint = open_complaint("c2", sample_intake(), XIAOMI, T0)  # India: 48 h, 24 h, 12 h
    now = T0 + 100 * H
    advance(complaint, now)
    assert complaint_details(complaint, now) == (
        "**Open** at **L3 Office of the President** (owner: office_of_the_president)\n"
        "\n"
        "- deadline: Fri 27 Nov 10:30 IST, breached, late by 16 h\n"
        "- next: L3 re-alert at Sat 28 Nov 06:30 IST\n"
        "- last step: realerted by the escalation engine at Fri 27 Nov 14:30 IST\n"
        "- as of Sat 28 Nov 02:30 IST"
    )


def test_a_paused_complaint_shows_the_time_left_on_its_stopped_clock() -> None:
    complaint = filed_in_mexico()
    Pause(by=AGENT, reason="asked for the invoice").act(complaint, T0 + 10 * H)
    assert complaint_details(complaint, T0 + 12 * H) == (
        "**Paused** at **L1 Agente de Servicio al Cliente** (owner: agent)\n"
        "\n"
        "- deadline: clock stopped, 2 d 14 h of the window left\n"
        "- next: nothing scheduled\n"
        "- last step: paused by agent Priya at Mon 23 Nov 21:00 CST\n"
        "- as of Mon 23 Nov 23:00 CST"
    )


def test_a_customer_who_acted_is_the_customer_never_their_name() -> None:
    complaint = filed_in_mexico()
    ProposeResolution(by=AGENT, resolution="A new boiler").act(complaint, T0 + 5 * H)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + 6 * H)
    details = complaint_details(complaint, T0 + 6 * H)
    assert details == (
        "**Resolved** at **L1 Agente de Servicio al Cliente** (owner: agent)\n"
        "\n"
        "- deadline: none, resolved\n"
        "- next: reopen window ends at Mon 7 Dec 17:00 CST\n"
        "- last step: resolved by the customer at Mon 23 Nov 17:00 CST\n"
        "- as of Mon 23 Nov 17:00 CST"
    )
    assert CUSTOMER.name not in details


def test_timers_say_what_they_are_and_when_with_the_year_when_it_differs() -> None:
    complaint = filed_in_mexico()
    warning = next_due(complaint)
    assert warning is not None
    assert due_summary(complaint, warning, T0) == "L1 50 % warning at Tue 24 Nov 23:00 CST"
    breach = Due(Timer.BREACH, complaint.clock.deadline or T0)
    assert due_summary(complaint, breach, T0) == "L1 breach at Thu 26 Nov 11:00 CST"
    new_year = Due(Timer.FOLLOW_UP, datetime(2027, 1, 4, 16, tzinfo=UTC), case="no_diagnosis")
    assert due_summary(complaint, new_year, T0) == (
        "playbook follow-up (no_diagnosis) at Mon 4 Jan 2027 10:00 CST"
    )


def test_messages_are_summarised_by_role_and_channel_never_by_name() -> None:
    complaint = filed_in_mexico()
    customer, owner = take_outbox(complaint)
    assert delivery_summary(complaint, customer, DeliveryChannel.EMAIL) == (
        "acknowledgement to the customer, email"
    )
    assert delivery_summary(complaint, owner, DeliveryChannel.SMS) == (
        "assignment to the Agente de Servicio al Cliente (agent), sms"
    )
    team_leader = owner.model_copy(
        update={"recipient": Recipient(role="team_leader", name="Marta Ruiz", email="t@x.mx")}
    )
    release = T0 + 20 * H
    assert quiet_hours_summary(complaint, team_leader, DeliveryChannel.SMS, release, T0) == (
        "quiet hours for sms to the team leader until Tue 24 Nov 07:00 CST"
    )


def test_a_matters_details_show_its_filings_open_complaint_and_repeat_window() -> None:
    window_ends = T0 + 30 * 24 * H
    zone = "Asia/Kolkata"
    assert matter_details(2, "c1", ["c1"], window_ends, zone, T0) == (
        "**Complaint c1 open**\n"
        "\n"
        "- filings: 2\n"
        "- complaints started: c1\n"
        "- repeat window: until Wed 23 Dec 22:30 IST\n"
        "- as of Mon 23 Nov 22:30 IST"
    )
    after = window_ends + H
    assert matter_details(3, None, ["c1", "c7"], window_ends, zone, after) == (
        "**No complaint open**\n"
        "\n"
        "- filings: 3\n"
        "- complaints started: c1, c7\n"
        "- repeat window: ended Wed 23 Dec 22:30 IST\n"
        "- as of Wed 23 Dec 23:30 IST"
    )


def test_no_text_holds_what_the_customer_typed() -> None:
    typed = INTAKE.model_copy(update={"product": "serial 4471", "reason": "Lucía is angry"})
    complaint = open_complaint("c3", typed, DELONGHI, T0, MX_CALENDAR)
    texts = [complaint_summary("c3", typed, DELONGHI), complaint_static_details(typed, DELONGHI)]
    for hours in range(0, 24 * 30, 7):
        now = T0 + hours * H
        advance(complaint, now)
        texts.append(complaint_details(complaint, now))
        due = next_due(complaint)
        texts += [due_summary(complaint, due, now)] if due else []
        texts += [
            delivery_summary(complaint, n, c) for n in take_outbox(complaint) for c in n.channels
        ]
    found = [word for word in TYPED_BY_THE_CUSTOMER if any(word in text for text in texts)]
    assert found == []


@pytest.mark.parametrize(
    ("length", "words"),
    [
        (timedelta(seconds=59), "less than a minute"),
        (timedelta(minutes=25, seconds=59), "25 min"),
        (timedelta(hours=3, minutes=10), "3 h 10 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(days=2, hours=5, minutes=59), "2 d 5 h"),
        (timedelta(days=1), "1 d"),
    ],
)
def test_spans_read_in_whole_minutes_hours_and_days(length: timedelta, words: str) -> None:
    assert span(length) == words
