"""The case desk over real HTTP, as a browser uses it: sign-in links and sessions, the case page,
actions through its forms (recorded under the signed-in person, refused with the API's reasons),
CSRF, and registering a complaint."""

import re
from datetime import timedelta

import httpx

from api.credentials import mint_token
from harness.credentials import ADMIN, TEST_AUTH, bearer, customer_bearer
from harness.samples import FORM
from tests.desk.conftest import SignIn, csrf_of, file_complaint, sign_in_token


def _text(page: httpx.Response) -> str:
    """The page's words, tags and extra spaces left out."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


async def test_a_sign_in_link_sets_a_session_cookie_and_opens_the_desk(
    api: httpx.AsyncClient,
) -> None:
    browser = httpx.AsyncClient(base_url=api.base_url)
    signed = await browser.get(
        "/desk/sign-in", params={"token": sign_in_token("agent", "priya", "Priya")}
    )
    assert (signed.status_code, signed.headers["location"]) == (303, "/desk")
    cookie = next(
        value
        for value in signed.headers.get_list("set-cookie")
        if value.startswith("desk_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/desk", "samesite=strict", "max-age=28800"} <= flags
    assert "secure" not in flags  # plain HTTP here; over HTTPS the cookie is Secure

    home = await browser.get("/desk")
    assert home.status_code == 200
    assert "Signed in as Priya (agent)" in _text(home)
    assert "Register a complaint" in _text(home)
    assert home.headers["content-security-policy"].startswith("default-src 'self'")
    assert home.headers["referrer-policy"] == "no-referrer"
    await browser.aclose()


async def test_without_a_session_the_desk_asks_to_sign_in(api: httpx.AsyncClient) -> None:
    page = await api.get("/desk")
    assert page.status_code == 401
    assert "Please sign in" in _text(page)
    forged = {"desk_session": "eyJyb2xlIjoiYWRtaW4ifQ.x.y"}
    async with httpx.AsyncClient(base_url=api.base_url, cookies=forged) as browser:
        assert (await browser.get("/desk")).status_code == 401


async def test_a_customer_may_not_sign_in_to_the_desk(api: httpx.AsyncClient) -> None:
    customer = customer_bearer("lucia@example.mx")["Authorization"].removeprefix("Bearer ")
    refused = await api.get("/desk/sign-in", params={"token": customer})
    assert refused.status_code == 403
    assert "The desk is for staff" in _text(refused)
    assert "desk_session" not in refused.headers.get("set-cookie", "")
    through_proxy = await api.get("/desk", headers=customer_bearer("lucia@example.mx"))
    assert through_proxy.status_code == 403


async def test_a_long_lived_token_is_no_sign_in_link(api: httpx.AsyncClient) -> None:
    token = mint_token(TEST_AUTH, "priya", "agent", "Priya", ttl=timedelta(hours=12))
    refused = await api.get("/desk/sign-in", params={"token": token})
    assert refused.status_code == 400
    assert "complaints token --ttl 10m" in _text(refused)
    forged = await api.get("/desk/sign-in", params={"token": token[:-4] + "abcd"})
    assert forged.status_code == 401


async def test_an_agent_adds_an_internal_note_and_proposes_a_resolution(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    complaint_id = await file_complaint(api)
    desk = await sign_in("agent", "priya", "Priya")
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    assert page.status_code == 200
    shown = _text(page)
    assert "Lucía Hernández" in shown and "lucia@example.mx" in shown  # staff see the customer
    assert "L1 Grievance Desk" in shown
    assert "L1 breach" in shown  # what happens next

    noted = await desk.post(
        f"/desk/complaints/{complaint_id}/notes",
        data={"csrf_token": csrf_of(page), "text": "Called the customer.", "internal": "yes"},
    )
    assert (noted.status_code, noted.headers["location"]) == (
        303,
        f"/desk/complaints/{complaint_id}",
    )
    after_note = await desk.get(noted.headers["location"])
    assert "Done: agent Priya added a note" in _text(after_note)

    proposed = await desk.post(
        f"/desk/complaints/{complaint_id}/resolution",
        data={"csrf_token": csrf_of(after_note), "resolution": "Free pump replacement."},
    )
    assert proposed.status_code == 303
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    shown = _text(page)
    assert "agent Priya added a note at L1 internal Called the customer." in shown
    assert "agent Priya proposed a resolution at L1 Free pump replacement." in shown
    assert "awaiting customer" in shown

    recorded = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()["history"]
    by_priya = [step for step in recorded if step["actor"] == {"role": "agent", "name": "Priya"}]
    assert [(step["kind"], step["internal"]) for step in by_priya] == [
        ("note_added", True),
        ("resolution_proposed", False),
    ]


async def test_a_form_posted_without_its_csrf_token_is_refused(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    complaint_id = await file_complaint(api)
    desk = await sign_in()
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    steps = len((await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()["history"])

    missing = await desk.post(f"/desk/complaints/{complaint_id}/notes", data={"text": "Forged."})
    assert missing.status_code == 403
    assert "security token" in _text(missing)
    other = await sign_in("agent", "ravi", "Ravi")  # another session's token does not do either
    wrong = await other.post(
        f"/desk/complaints/{complaint_id}/notes",
        data={"csrf_token": csrf_of(page), "text": "Forged."},
    )
    assert wrong.status_code == 403
    sign_out = await desk.post("/desk/sign-out", data={})
    assert sign_out.status_code == 403

    history = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()["history"]
    added = {step["kind"] for step in history[steps:]}
    assert added <= {"notified"}, "nothing was recorded (but the filing's own messages, sent)"
    assert not [step for step in history if step["text"] == "Forged."]


async def test_a_refused_action_shows_the_apis_reason(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    complaint_id = await file_complaint(api)
    desk = await sign_in()
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    csrf = csrf_of(page)

    resumed = await desk.post(f"/desk/complaints/{complaint_id}/resume", data={"csrf_token": csrf})
    assert resumed.status_code == 409
    assert "cannot resume: the clock is running" in _text(resumed)
    api_says = await api.post(
        f"/complaints/{complaint_id}/resume", json={}, headers=bearer("agent", "priya")
    )
    assert api_says.json()["detail"] == "cannot resume: the clock is running"

    empty = await desk.post(
        f"/desk/complaints/{complaint_id}/resolution", data={"csrf_token": csrf, "resolution": " "}
    )
    assert empty.status_code == 422
    field = re.search(r'<textarea id="propose_resolution-resolution"[^>]*>', empty.text)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'id="propose_resolution-resolution-error">Field required</p>' in empty.text

    unknown = await desk.post(
        f"/desk/complaints/{complaint_id}/cases",
        data={"csrf_token": csrf, "case_type": "no_diagnosis"},
    )
    assert unknown.status_code == 404  # the default policy has no such playbook: no such form
    view = await api.get(f"/complaints/{complaint_id}", headers=bearer("agent", "priya"))
    assert view.json()["cases"] == []


async def test_each_playbooks_flag_form_flags_its_own_case_type(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    """Every flagging form posts to `cases`; its hidden case type says which playbook."""
    complaint_id = await file_complaint(api, brand="delonghi-mx")
    desk = await sign_in()
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    flagged = await desk.post(
        f"/desk/complaints/{complaint_id}/cases",
        data={
            "csrf_token": csrf_of(page),
            "case_type": "legal_threat",
            "description": "The customer says he filed with Profeco.",
        },
    )
    assert flagged.status_code == 303, _text(flagged)
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert [case["case_type"] for case in view["cases"]] == ["legal_threat"]


async def test_a_supervisor_gets_the_supervisors_forms_and_an_agent_not(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    complaint_id = await file_complaint(api)
    agent = await (await sign_in()).get(f"/desk/complaints/{complaint_id}")
    assert "<summary>Escalate</summary>" not in agent.text
    escalated = await (await sign_in("agent")).post(
        f"/desk/complaints/{complaint_id}/escalation",
        data={"csrf_token": csrf_of(agent), "reason": "Angry."},
    )
    assert escalated.status_code in (403, 404)
    supervisor = await sign_in("supervisor", "ana", "Ana")
    page = await supervisor.get(f"/desk/complaints/{complaint_id}")
    assert "<summary>Escalate</summary>" in page.text
    done = await supervisor.post(
        f"/desk/complaints/{complaint_id}/escalation",
        data={"csrf_token": csrf_of(page), "reason": "Third call today."},
    )
    assert done.status_code == 303
    page = await supervisor.get(f"/desk/complaints/{complaint_id}")
    assert "supervisor Ana escalated at L2 escalated by Ana: Third call today." in _text(page)


async def test_behind_the_sso_proxy_its_bearer_token_signs_the_desk_in(
    api: httpx.AsyncClient,
) -> None:
    complaint_id = await file_complaint(api)
    proxy = bearer("agent", "priya", "Priya")  # what the OIDC proxy adds to every request
    page = await api.get(f"/desk/complaints/{complaint_id}", headers=proxy)
    assert page.status_code == 200
    noted = await api.post(
        f"/desk/complaints/{complaint_id}/notes",
        data={"csrf_token": csrf_of(page), "text": "Through single sign-on."},
        headers=proxy,
    )
    assert noted.status_code == 303
    forged = await api.post(
        f"/desk/complaints/{complaint_id}/notes", data={"text": "No token."}, headers=proxy
    )
    assert forged.status_code == 403
    bad = await api.get("/desk", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


async def test_signing_out_ends_the_session(api: httpx.AsyncClient, sign_in: SignIn) -> None:
    desk = await sign_in()
    home = await desk.get("/desk")
    out = await desk.post("/desk/sign-out", data={"csrf_token": csrf_of(home)})
    assert out.status_code == 303
    assert (await desk.get("/desk")).status_code == 401


async def test_an_agent_registers_a_complaint_and_a_repeat_joins_it(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    desk = await sign_in()
    form = await desk.get("/desk/complaints/new")
    assert form.status_code == 200
    assert 'name="recorded_by.name"' in form.text and 'value="Priya"' in form.text
    fields = {
        "csrf_token": csrf_of(form),
        "idempotency_key": "k1",
        "customer.name": "Lucía Hernández",
        "customer.company": "Cafés Reforma S.A.",
        "customer.address": "Av. Reforma 1, CDMX",
        "customer.phone": "+52 55 1234 5678",
        "customer.email": "not an email",
        "country": "mx",
        "brand": "delonghi-mx",
        "product": "Dedica EC685",
        "channel": "phone",
        "reason": "No diagnosis from service centre",
        "description": "Three weeks at the centre without a diagnosis.",
        "recorded_by.role": "agent",
        "recorded_by.name": "Priya",
    }
    invalid = await desk.post("/desk/complaints", data=fields)
    assert invalid.status_code == 422
    assert re.search(r'id="f-customer-email-error">[^<]*email address', invalid.text)
    assert 'value="Dedica EC685"' in invalid.text  # what was typed stays
    unreachable = await desk.post(
        "/desk/complaints", data={**fields, "customer.email": "", "customer.phone": ""}
    )
    assert unreachable.status_code == 422
    assert 'id="customer-error">give an email or a phone number' in unreachable.text

    filed = await desk.post("/desk/complaints", data={**fields, "customer.email": FORM_EMAIL})
    assert filed.status_code == 303
    case = await desk.get(filed.headers["location"])
    complaint_id = filed.headers["location"].rsplit("/", 1)[-1]
    assert f"Complaint {complaint_id} registered." in _text(case)
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert view["intake"]["recorded_by"] == {"role": "agent", "name": "Priya"}
    assert view["intake"]["customer"]["company"] == "Cafés Reforma S.A."  # seed 004's form
    assert "Cafés Reforma S.A." in _text(case)
    assert view["policy_name"] == "delonghi-mexico"

    again = await desk.post("/desk/complaints", data={**fields, "customer.email": FORM_EMAIL})
    assert again.headers["location"] == filed.headers["location"], "a retry files nothing new"
    repeat = await desk.post(
        "/desk/complaints", data={**fields, "customer.email": FORM_EMAIL, "idempotency_key": "k2"}
    )
    assert repeat.headers["location"] == f"/desk/complaints/{complaint_id}"
    joined = await desk.get(repeat.headers["location"])
    assert f"already had complaint {complaint_id} open about this product" in _text(joined)
    assert "contact 2" in _text(joined)


FORM_EMAIL = FORM["customer"]["email"]
