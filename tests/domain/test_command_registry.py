"""The command registry: one definition per action, from which updates, routes and verbs come."""

import pytest

from domain.command import ANYONE, REFUSALS, Command
from domain.commands import BY_UPDATE, COMMANDS, ROUTES, VERBS
from domain.filing import open_complaint
from domain.simulation import SIMULATED
from domain.status import ComplaintStatus
from harness.samples import SEED_MATRIX, sample_intake
from tests.domain.test_complaint_lifecycle import T0

RUNNING_COMPLAINTS_SEND = {
    "propose_resolution",
    "customer_feedback",
    "add_note",
    "reopen",
    "pause",
    "resume",
    "record_contact",
    "mark_high_frequency",
    "request_supervisor",
    "supervisor_joined",
    "escalate",
    "approve_reply",
    "refuse_reply",
    "flag_case",
    "answer_case",
    "record_case_event",
    "assess",
    "take",
    "give",
    "release",
}
"""Update names running complaints and saved histories use: never rename one."""
SAMPLE_TEXT = {"flag": "legal_threat", "answer": "legal_threat ok", "case": "legal_threat claim"}


def test_each_update_name_running_complaints_know_has_its_command() -> None:
    assert set(BY_UPDATE) == RUNNING_COMPLAINTS_SEND
    assert len(BY_UPDATE) == len(COMMANDS)


def test_every_route_sends_known_updates_and_names_who_may_call_it() -> None:
    paths = [route.path for route in ROUTES]
    assert len(paths) == len(set(paths))
    for route in ROUTES:
        assert set(route.updates) <= set(BY_UPDATE), route
        assert route.roles and route.roles <= ANYONE, route
        assert route.description, route


def test_every_command_is_asked_for_by_a_route_or_a_verb() -> None:
    routed = {update for route in ROUTES for update in route.updates}
    verbed = {verb.command.update_name() for verb in VERBS.values()}
    assert routed == set(BY_UPDATE)
    assert verbed == set(BY_UPDATE) - {"assess"}  # the simulator has no third-level manager


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_refused_command_changes_nothing(verb: str) -> None:
    """`act` checks before it applies: a refusal leaves no step, message or state behind."""
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    complaint.status = ComplaintStatus.CLOSED
    before = complaint.model_dump()
    command: Command = VERBS[verb].command_for(SAMPLE_TEXT.get(verb), SIMULATED)
    with pytest.raises(REFUSALS):
        command.act(complaint, T0)
    assert complaint.model_dump() == before
