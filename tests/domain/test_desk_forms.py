"""The case desk without a server: its forms come from the command registry and read back into
the API's bodies; its sessions and form tokens are signed, bounded and bound to the session."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from api.credentials import AuthConfigError, Authenticator, Principal, mint_token
from api.desk.forms import forms_for, read_posted
from api.desk.session import DeskKeys, DeskRefusal
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.commands import ROUTES, ProposeResolution, RequestSupervisor
from domain.engine_room import STEP_WORDS, timer_name, upcoming
from domain.filing import open_complaint
from domain.history import ActorRole, StepKind
from domain.intake import ComplaintIntake
from domain.policy_files import load_policy_set
from domain.resolution import ResolutionRequest
from domain.staff_actions import NoteRequest
from domain.view import view_of
from harness.credentials import TEST_AUTH, auth_settings
from harness.samples import AGENT, FORM, POLICY_DIR

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
POLICIES = load_policy_set(POLICY_DIR)
DELONGHI = POLICIES.for_brand("delonghi-mx")
INTAKE = ComplaintIntake.model_validate({**FORM, "brand": "delonghi-mx"})
VIEW = view_of(open_complaint("c1", INTAKE, DELONGHI, NOW, None))
KEYS = DeskKeys.from_settings(TEST_AUTH)
AUTH = Authenticator.from_settings(TEST_AUTH)


def _token(role: str = "agent", ttl: timedelta = timedelta(minutes=10)) -> str:
    return mint_token(TEST_AUTH, "priya", role, "Priya", ttl=ttl)  # type: ignore[arg-type]


def test_an_admin_gets_a_form_for_every_route_and_a_flag_form_per_playbook() -> None:
    forms = forms_for(VIEW, DELONGHI, ActorRole.ADMIN)
    case_routes = {route.name for route in ROUTES if "case_type" in route.path_parameters}
    assert {form.route.name for form in forms} == {route.name for route in ROUTES} - case_routes
    flags = [form for form in forms if form.route.name == "flag_case"]
    assert [form.case_type for form in flags] == list(DELONGHI.playbooks)
    assert len({form.key for form in forms}) == len(forms), "form ids are unique on the page"


def test_an_agent_gets_only_the_routes_agents_may_use() -> None:
    names = {form.route.name for form in forms_for(VIEW, DELONGHI, ActorRole.AGENT)}
    assert "escalate" not in names and "assess" not in names and "customer_feedback" not in names
    assert {"add_note", "propose_resolution", "pause", "flag_case"} <= names


def test_fields_labels_and_types_come_from_the_body_models() -> None:
    forms = {form.key: form for form in forms_for(VIEW, DELONGHI, ActorRole.ADMIN)}
    note = {field.name: field for field in forms["add_note"].fields}
    assert (note["text"].widget, note["text"].required, note["text"].max_length) == (
        "text",
        True,
        5000,
    )
    assert note["internal"].widget == "yes_no" and note["internal"].preselected == "yes"
    assert note["internal"].choices[1] == ("no", "Public: the customer sees it")
    assessment = {field.name: field for field in forms["assess"].fields}
    assert assessment["company_responsible"].label == "Is the company responsible?"
    review = {field.name: field for field in forms["review_reply"].fields}
    assert review["decision"].choices == (("approve", "Approve"), ("refuse", "Refuse"))
    flag = {field.name: field for field in forms["flag_case-no_diagnosis"].fields}
    assert set(flag) == {"fields.service_centre", "fields.service_order", "description"}
    assert forms["resume"].why_not == "the clock is running"  # open: resuming does not fit


def test_a_posted_form_reads_back_into_the_apis_body() -> None:
    forms = {form.key: form for form in forms_for(VIEW, DELONGHI, ActorRole.AGENT)}
    note = read_posted(forms["add_note"], {"text": " Called. ", "internal": "no"})
    assert note.body == NoteRequest(text="Called.", internal=False)
    empty = read_posted(forms["propose_resolution"], {"resolution": "  "})
    assert (empty.body, empty.errors) == (None, {"resolution": "Field required"})
    assert read_posted(forms["propose_resolution"], {"resolution": "A new one."}).body == (
        ResolutionRequest(resolution="A new one.")
    )
    flagged = read_posted(
        forms["flag_case-no_diagnosis"],
        {"fields.service_centre": "SAT Norte", "fields.service_order": "SO-1", "description": ""},
    )
    assert flagged.body is not None
    assert flagged.body.model_dump() == {
        "case_type": "no_diagnosis",
        "fields": {"service_centre": "SAT Norte", "service_order": "SO-1"},
        "description": None,
    }


def test_a_session_lasts_its_lifetime_and_its_form_token_is_its_own() -> None:
    user, cookie = KEYS.sign_in(AUTH, _token(), NOW)
    assert user.principal == Principal(role=ActorRole.AGENT, subject="priya", name="Priya")
    assert user.expires_at == NOW + timedelta(hours=8)
    again = KEYS.from_cookie(cookie, NOW + timedelta(hours=7))
    assert again is not None and again.csrf == user.csrf
    assert KEYS.from_cookie(cookie, NOW + timedelta(hours=8)) is None
    assert KEYS.from_cookie(cookie[:-2] + "xx", NOW) is None
    other, _ = KEYS.sign_in(AUTH, _token(), NOW)
    assert other.csrf != user.csrf, "each sign-in has its own form token"


def test_sign_in_takes_short_lived_staff_tokens_only() -> None:
    with pytest.raises(DeskRefusal, match="takes tokens of at most 0:15:00") as refused:
        KEYS.sign_in(AUTH, _token(ttl=timedelta(hours=1)), NOW)
    assert refused.value.status == 400
    with pytest.raises(DeskRefusal, match="the case desk is for agents"):
        KEYS.sign_in(AUTH, mint_token(TEST_AUTH, "cus_" + "0" * 32, "customer"), NOW)


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "set COMPLAINTS_SESSION_SECRET"), (SecretStr("short"), "at least 32 bytes")],
)
def test_the_desk_needs_a_strong_session_secret(secret: SecretStr | None, message: str) -> None:
    with pytest.raises(AuthConfigError, match=message):
        DeskKeys.from_settings(auth_settings(session_secret=secret))


def test_every_step_kind_has_words_and_the_schedule_names_the_timers() -> None:
    assert set(STEP_WORDS) == set(StepKind)
    schedule = [(timer_name(due, "L1"), due.at) for due in upcoming(VIEW, DELONGHI)]
    assert schedule == [("L1 breach", VIEW.deadline)]


def test_the_schedule_lists_what_the_complaint_will_do_on_its_own() -> None:
    complaint = open_complaint("c1", INTAKE, DELONGHI, NOW, None)
    flag = CaseFlag(
        case_type="no_diagnosis", fields={"service_centre": "SAT Norte", "service_order": "S1"}
    )
    FlagCase(by=AGENT, flag=flag).act(complaint, NOW)
    RequestSupervisor(by=AGENT, reason="Wants a refund now.").act(complaint, NOW)
    ProposeResolution(by=AGENT, resolution="A new pump.").act(complaint, NOW + timedelta(hours=1))
    named = [
        (timer_name(due, "L1"), due.at - NOW) for due in upcoming(view_of(complaint), DELONGHI)
    ]
    assert named == [
        ("supervisor call missed", timedelta(minutes=30)),
        ("playbook promise due (no_diagnosis)", timedelta(hours=72)),
        ("the proposed resolution stands", timedelta(days=14, hours=1)),
    ]
