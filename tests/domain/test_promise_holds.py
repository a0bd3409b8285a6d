"""A case's promise to the customer holds the level (issue 16, item 1; Switch.PROMISE_HOLDS_LEVEL).

The De'Longhi level windows (72 h, then 5 business days twice) are the brand's choice; seed 003
gives the case promises and says to escalate when they are missed. While a case waits on its
promise, or on the deadline its service centre was given, the level does not breach, warn or
re-alert; a miss ends the hold and the level's clock takes over again.
"""

from datetime import datetime

from domain.cases import CaseFlag
from domain.commands import AnswerCase, CustomerFeedback, FlagCase, Pause, ProposeResolution, Resume
from domain.complaint import Complaint
from domain.engine_room import complaint_details
from domain.filing import open_complaint
from domain.history import StepKind
from domain.ladder import advance
from domain.simulation import InputEvent, TimelineEntry, simulate
from domain.view import view_of
from harness.samples import AGENT, CUSTOMER
from tests.domain.test_playbooks import CALENDAR, CENTRE, INTAKE, MONDAY, POLICY

PARTS = {**CENTRE, "part": "bomba"}
PROMISE_ENDS = datetime.fromisoformat("2026-12-13T10:00:00-06:00")
"""15-20 days from Monday 23 Nov 10:00: the promise breaches at its upper bound."""
L1_WINDOW_ENDS = datetime.fromisoformat("2026-11-26T10:00:00-06:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def timeline(
    case_type: str, fields: dict[str, str], *events: str, until: str
) -> list[TimelineEntry]:
    return simulate(
        INTAKE,
        POLICY,
        CALENDAR,
        MONDAY,
        [InputEvent.parse(event) for event in events],
        at(until),
        CaseFlag(case_type=case_type, fields=fields),
    )


def ladder(entries: list[TimelineEntry]) -> list[tuple[str, str, str]]:
    """(local time, level, event) of the ladder's own steps."""
    kinds = {"warning", "breached", "escalated", "realert", "new_round"}
    return [
        (entry.at.isoformat(timespec="minutes"), entry.level, entry.event)
        for entry in entries
        if entry.event in kinds
    ]


def flagged(case_type: str, fields: dict[str, str], revision: int | None = None) -> Complaint:
    extra = {"revision": revision} if revision is not None else {}
    complaint = open_complaint("c-1", INTAKE, POLICY, MONDAY, CALENDAR, **extra)
    flag = CaseFlag(case_type=case_type, fields=fields)
    FlagCase(by=AGENT, flag=flag).act(complaint, MONDAY)
    return complaint


def test_parts_unavailable_holds_the_level_until_the_promise_is_missed() -> None:
    """Seed 003, case 2: "Notificar al cliente que procederemos a escalar el caso con un
    departamento de resoluciones, solicitando un tiempo de espera de 15 a 20 días."

    Before: L1 breached at 72 h (26 Nov), the supervisor level on 3 Dec, re-alerts from 11 Dec,
    all before the promise ended on 13 Dec. Now nothing of the ladder happens while the promise
    runs; at its end the case escalates (promise_missed) and the level with it.
    """
    entries = timeline("parts_unavailable", PARTS, until="2026-12-16T00:00:00-06:00")
    assert ladder(entries) == [
        ("2026-12-13T10:00-06:00", "L1", "breached"),
        ("2026-12-13T10:00-06:00", "L2", "escalated"),
    ]
    at_the_end = [(e.level, e.event) for e in entries if e.at == PROMISE_ENDS]
    assert at_the_end == [
        ("L1", "promise_missed"),
        ("L1", "case_escalated"),
        ("L1", "breached"),
        ("L2", "escalated"),
    ]
    breach = next(e for e in entries if e.event == "breached")
    assert breach.reason == (
        "L1 window of 72h ran out; parts_unavailable held it until the promise to the customer "
        "of 15-20 days was missed"
    )


def test_what_people_see_while_the_promise_holds_the_level() -> None:
    """Seed 003, case 2: "Documentar el caso adecuadamente. Detallando el tiempo de resolución
    brindado": the deadline shown is the promise's, and says so."""
    complaint = flagged("parts_unavailable", PARTS)
    advance(complaint, L1_WINDOW_ENDS)
    view = view_of(complaint)
    assert view.deadline == PROMISE_ENDS
    assert view.held_by is not None
    assert view.held_by.by == "the promise to the customer of 15-20 days"
    assert view.held_by.case_type == "parts_unavailable"
    assert not view.breached
    details = complaint_details(complaint, L1_WINDOW_ENDS)
    assert (
        "- deadline: Sun 13 Dec 10:00 CST, held past the level's window by the promise to the "
        "customer of 15-20 days (parts_unavailable), 17 d left"
    ) in details
    assert "- next: playbook follow-up (parts_unavailable) at Sun 6 Dec 10:00 CST" in details


def test_the_parts_arriving_early_keeps_the_date_told_to_the_customer() -> None:
    """Seed 003, case 2: the customer was told "un tiempo de espera de 15 a 20 días": parts that
    arrive sooner end the case, and the level keeps that date (no breach the day they arrive)."""
    entries = timeline(
        "parts_unavailable",
        PARTS,
        "2026-12-01T10:00:00-06:00 case parts_unavailable parts_arrived",
        until="2026-12-14T00:00:00-06:00",
    )
    assert ladder(entries) == [
        ("2026-12-13T10:00-06:00", "L1", "breached"),
        ("2026-12-13T10:00-06:00", "L2", "escalated"),
    ]
    breach = next(e for e in entries if e.event == "breached")
    assert breach.reason == (
        "L1 window of 72h ran out; parts_unavailable held it until the end of the promise to "
        "the customer of 15-20 days"
    )


def test_a_missed_centre_deadline_ends_the_hold() -> None:
    """Seed 003, case 8a: "Si el Centro de Servicio no quiere hacerse responsable por la
    reparación o no nos proporciona el estatus de esta, debes de escalar el caso con tu
    supervisor." Flagged on day 2, the centre's 72 h outlast L1's window: L1 waits for them, and
    the centre's silence escalates the case and the level together."""
    entries = timeline(
        "no_diagnosis",
        CENTRE,
        "2026-11-25T10:00:00-06:00 flag unit_returned_damaged service_centre='SAT Norte' "
        "service_order=SO-2 packing=box",
        "2026-11-25T10:30:00-06:00 answer no_diagnosis diagnosis sent",
        until="2026-11-29T00:00:00-06:00",
    )
    assert ladder(entries)[-2:] == [
        ("2026-11-28T10:00-06:00", "L1", "breached"),
        ("2026-11-28T10:00-06:00", "L2", "escalated"),
    ]
    assert not any(e.event == "breached" and e.at < at("2026-11-28T10:00-06:00") for e in entries)
    silent = [(e.event, e.case) for e in entries if e.at == at("2026-11-28T10:00-06:00")][:2]
    assert silent == [
        ("silent", "unit_returned_damaged"),
        ("case_escalated", "unit_returned_damaged"),
    ]


def test_one_missed_promise_ends_the_hold_of_several_cases() -> None:
    """Seed 003, case 1: "Si no hay una respuesta dentro del tiempo de resolución que se le
    proporciono al cliente debes de escalar el caso con tu supervisor." A second case's 72 h
    missed on 30 Nov escalates the level then, though the parts' promise runs to 13 Dec."""
    entries = timeline(
        "parts_unavailable",
        PARTS,
        "2026-11-27T10:00:00-06:00 flag no_diagnosis service_centre='SAT Norte' service_order=SO-1",
        until="2026-12-01T00:00:00-06:00",
    )
    assert ladder(entries) == [
        ("2026-11-30T10:00-06:00", "L1", "breached"),
        ("2026-11-30T10:00-06:00", "L2", "escalated"),
    ]
    missed = next(e for e in entries if e.event == "promise_missed")
    assert (missed.at, missed.case) == (at("2026-11-30T10:00-06:00"), "no_diagnosis")


def test_a_dissatisfied_customer_still_escalates_at_once() -> None:
    """Seed 001: "If there is no resolution within 48 hours, or if the customer is not happy with
    the experience, the complaint is forwarded to the Head of Customer Service." A rejection
    escalates at once while the promise runs; the new level is held by it too."""
    complaint = flagged("parts_unavailable", PARTS)
    advance(complaint, at("2026-11-30T10:00:00-06:00"))
    ProposeResolution(by=AGENT, resolution="loan unit").act(complaint, at("2026-11-30T10:00-06:00"))
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="I want my machine").act(
        complaint, at("2026-11-30T11:00:00-06:00")
    )
    assert complaint.level == 2
    assert complaint.clock.deadline == at("2026-12-07T11:00:00-06:00")  # L2's own window
    assert view_of(complaint).deadline == PROMISE_ENDS
    advance(complaint, at("2026-12-13T09:59:00-06:00"))
    assert not [s for s in complaint.history if s.kind in (StepKind.BREACHED, StepKind.WARNED)]
    advance(complaint, PROMISE_ENDS)
    assert complaint.level == 3


def test_a_pause_stops_the_clock_and_the_hold_comes_back_on_resume() -> None:
    """Seed 003, case 2: the promise "de 15 a 20 días" is a date told to the customer: a pause
    stops the level's clock (no deadline), and on resume the promise still holds it."""
    complaint = flagged("parts_unavailable", PARTS)
    Pause(by=AGENT, reason="asked for photos").act(complaint, at("2026-11-24T10:00:00-06:00"))
    assert view_of(complaint).deadline is None
    assert view_of(complaint).held_by is None
    Resume(by=AGENT, reason="photos in").act(complaint, at("2026-11-25T10:00:00-06:00"))
    assert view_of(complaint).deadline == PROMISE_ENDS


def test_re_alerts_at_the_top_wait_for_a_promise_made_there() -> None:
    """Seed 003, case 7: "Notificar al cliente que procederemos a escalar el caso con un
    departamento de resoluciones, solicitando un tiempo de espera de 5 días hábiles." Flagged
    after the top level's breach, the re-alerts wait for the 5 business days promised."""
    complaint = open_complaint("c-1", INTAKE, POLICY, MONDAY, CALENDAR)
    advance(complaint, at("2026-12-10T10:00:00-06:00"))  # L3 breached on 10 Dec
    assert complaint.level == 3 and complaint.next_alert_at == at("2026-12-11T10:00-06:00")
    flag = CaseFlag(case_type="discontinued_model", fields={"service_order": "SO-9"})
    FlagCase(by=AGENT, flag=flag).act(complaint, at("2026-12-10T11:00:00-06:00"))
    promise_ends = at("2026-12-17T11:00:00-06:00")
    assert view_of(complaint).next_alert_at == promise_ends
    advance(complaint, promise_ends)
    then = [s.kind for s in complaint.history if s.at == promise_ends]
    assert then == [StepKind.PROMISE_MISSED, StepKind.CASE_ESCALATED, StepKind.REALERTED]
    assert not [
        s for s in complaint.history if s.kind is StepKind.REALERTED and s.at < promise_ends
    ]
    assert complaint.next_alert_at == at("2026-12-18T11:00:00-06:00")


def test_complaints_opened_before_revision_7_keep_the_level_clock_running() -> None:
    """Running complaints keep their rules: on revision 6 the L1 window breaches at 72 h."""
    complaint = flagged("parts_unavailable", PARTS, revision=6)
    advance(complaint, L1_WINDOW_ENDS)
    assert complaint.level == 2
    assert view_of(complaint).held_by is None


def test_an_answer_in_time_ends_the_case_and_the_level_keeps_its_window() -> None:
    """Seed 003, case 1: "Solicitar al cliente un tiempo de resolución de 72 horas": the
    promise equals L1's window when flagged at filing, so nothing moves."""
    complaint = flagged("no_diagnosis", CENTRE)
    assert view_of(complaint).deadline == L1_WINDOW_ENDS
    assert view_of(complaint).held_by is None
    AnswerCase(by=AGENT, case_type="no_diagnosis", answer="diagnosis sent").act(
        complaint, at("2026-11-24T10:00:00-06:00")
    )
    advance(complaint, L1_WINDOW_ENDS)
    assert complaint.level == 2
