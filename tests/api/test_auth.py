"""Who may call the API and what each role may do, over real HTTP against real Temporal."""

import asyncio
import hashlib
import uuid
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.credentials import AuthSettings
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import (
    ADMIN,
    CUSTOMER_ID_SECRET,
    JWT_SECRET,
    TEST_AUTH,
    auth_settings,
    bearer,
    customer_bearer,
)
from harness.samples import FORM
from tests.support.processes import BIN, api_process_output, without_complaints_settings

UNKNOWN = "/complaints/0000000000000000"
OWN_FORM: dict[str, Any] = {**FORM, "recorded_by": {"role": "customer"}}
"""Filed by Lucía herself."""
LUCIA = customer_bearer("lucia@example.mx")
OTHER_CUSTOMER = customer_bearer("mateo@example.mx")
AGENT = bearer("agent", "priya", "Priya")
SUPERVISOR = bearer("supervisor", "ana", "Ana")
LUCIA_ID = jwt.decode(LUCIA["Authorization"].removeprefix("Bearer "), JWT_SECRET, ["HS256"])["sub"]
ROLES = {"customer": LUCIA, "agent": AGENT, "supervisor": SUPERVISOR, "admin": ADMIN}


def serve_without_worker(
    env: WorkflowEnvironment, opened_workflows: set[str], auth: AuthSettings
) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """Enough to test authentication: it refuses before Temporal is asked anything."""
    return serve_api(env, ApiSettings(), opened_workflows, auth=auth, headers={})


NO_DIAGNOSIS = {
    "case_type": "no_diagnosis",
    "fields": {"service_centre": "SAT Norte", "service_order": "SO-1"},
}
ASSESSMENT = {
    "company_responsible": True,
    "first_handling_appropriate": False,
    "appeal_reasonable": True,
}
GIVE_PRIYA = ("/give", {"assignee": {"sub": "priya", "name": "Priya"}})
"""The agent holds it: an agent gives and releases only what they hold."""
# route: (method, path after /complaints/{id}, body, steps an admin takes first)
ROUTES: dict[str, tuple[str, str, dict[str, Any] | None, list[tuple[str, dict[str, Any]]]]] = {
    "file": ("POST", "", OWN_FORM, []),
    "read": ("GET", "", None, []),
    "resolution": ("POST", "/resolution", {"resolution": "New unit"}, []),
    "feedback": (
        "POST",
        "/feedback",
        {"decision": "accept"},
        [("/resolution", {"resolution": "x"})],
    ),
    "notes": ("POST", "/notes", {"text": "Called."}, []),
    "reopen": (
        "POST",
        "/reopen",
        {"reason": "Broke again"},
        [("/resolution", {"resolution": "x"}), ("/feedback", {"decision": "accept"})],
    ),
    "pause": ("POST", "/pause", {"reason": "Asked for the invoice"}, []),
    "resume": ("POST", "/resume", {}, [("/pause", {"reason": "Asked for the invoice"})]),
    "contacts": ("POST", "/contacts", {"note": "Called again."}, []),
    "high-frequency": ("POST", "/high-frequency", {"reason": "Fourth this year."}, []),
    "supervisor-request": ("POST", "/supervisor-request", {"reason": "Refund"}, []),
    "supervisor-joined": (
        "POST",
        "/supervisor-joined",
        None,
        [("/supervisor-request", {"reason": "x"})],
    ),
    "escalation": ("POST", "/escalation", {"reason": "Profeco"}, []),
    "cases": ("POST", "/cases", {"case_type": "legal_threat"}, []),
    "case-answer": (
        "POST",
        "/cases/{case_type}/answer",
        {"answer": "Diagnosis sent"},
        [("/cases", NO_DIAGNOSIS)],
    ),
    "case-events": (
        "POST",
        "/cases/{case_type}/events",
        {"event": "claim"},
        [("/cases", {"case_type": "injury_or_damage"})],
    ),
    "case-notes": (
        "POST",
        "/cases/{case_type}/notes",
        {"text": "Centre called back."},
        [("/cases", NO_DIAGNOSIS)],
    ),
    "reply-approval": (
        "POST",
        "/reply-approval",
        {"decision": "approve"},
        [("/contacts", {}), ("/contacts", {}), ("/resolution", {"resolution": "x"})],
    ),
    "assessment": (
        "POST",
        "/assessment",
        ASSESSMENT,
        [("/cases", {"case_type": "staff_insult"})],
    ),
    "take": ("POST", "/take", None, []),
    "give": ("POST", "/give", {"assignee": {"sub": "ravi", "name": "Ravi"}}, [GIVE_PRIYA]),
    "release": ("POST", "/release", None, [GIVE_PRIYA]),
}
CASE_OF_ROUTE = {
    "case-answer": "no_diagnosis",
    "case-events": "injury_or_damage",
    "case-notes": "no_diagnosis",
}
"""The case type each per-case route acts on (its path's `{case_type}`)."""
MATRIX: dict[str, tuple[int, int, int, int]] = {
    #                      customer agent supervisor admin
    "file": (201, 201, 201, 201),
    "read": (200, 200, 200, 200),
    "resolution": (403, 200, 200, 200),
    "feedback": (200, 403, 403, 200),
    "notes": (200, 200, 200, 200),
    "reopen": (200, 403, 403, 200),
    "pause": (403, 200, 200, 200),
    "resume": (403, 200, 200, 200),
    "contacts": (200, 200, 200, 200),
    "high-frequency": (403, 200, 200, 200),
    "supervisor-request": (403, 200, 200, 200),
    "supervisor-joined": (403, 403, 200, 200),
    "escalation": (403, 403, 200, 200),
    "cases": (403, 200, 200, 200),
    "case-answer": (403, 200, 200, 200),
    "case-events": (403, 200, 200, 200),
    "case-notes": (403, 200, 200, 200),
    "reply-approval": (403, 403, 200, 200),
    "assessment": (403, 403, 200, 200),
    "take": (403, 200, 200, 200),
    "give": (403, 200, 200, 200),
    "release": (403, 200, 200, 200),
}


SEARCH_ROUTES = {"list": "/complaints", "analytics": "/analytics/complaints"}
"""Routes over visibility (GET): they need the dev server, the Java test server cannot list."""
SEARCH_MATRIX: dict[str, tuple[int, int, int, int]] = {
    #                      customer agent supervisor admin
    "list": (200, 200, 200, 200),
    "analytics": (403, 403, 403, 200),
}


async def test_the_role_matrix_covers_every_route(guest_api: httpx.AsyncClient) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in (await guest_api.get("/openapi.json")).json()["paths"].items()
        if path not in ("/health", "/ready")
        for method in operations
    }
    tested = {
        (method, "/complaints" + ("/{complaint_id}" if name != "file" else "") + suffix)
        for name, (method, suffix, _, _) in ROUTES.items()
    } | {("GET", path) for path in SEARCH_ROUTES.values()}
    assert tested == documented

    answers: dict[str, tuple[int, ...]] = {}
    for name, (method, suffix, body, steps) in ROUTES.items():
        statuses = []
        for headers in ROLES.values():
            if name == "file":  # a product of its own: a second filing would be a repeat
                form = {**(body or {}), "product": f"Dedica {uuid.uuid4().hex[:6]}"}
                response = await guest_api.post("/complaints", json=form, headers=headers)
            else:
                url = f"/complaints/{await _file(guest_api)}"
                for step, step_body in steps:
                    done = await guest_api.post(url + step, json=step_body, headers=ADMIN)
                    assert done.status_code == 200, done.text
                path = suffix.replace("{case_type}", CASE_OF_ROUTE.get(name, ""))
                response = await guest_api.request(method, url + path, json=body, headers=headers)
            statuses.append(response.status_code)
            if response.status_code == 403:
                assert "may not do this" in response.json()["detail"]
        answers[name] = tuple(statuses)
    assert answers == MATRIX


async def test_the_search_routes_admit_roles_by_the_matrix(dev_env: WorkflowEnvironment) -> None:
    answers: dict[str, tuple[int, ...]] = {}
    async with serve_api(dev_env, ApiSettings(), set(), headers={}) as api:
        for name, path in SEARCH_ROUTES.items():
            statuses = []
            for headers in ROLES.values():
                response = await api.get(path, headers=headers)
                statuses.append(response.status_code)
                if response.status_code == 403:
                    assert "may not do this" in response.json()["detail"]
            answers[name] = tuple(statuses)
    assert answers == SEARCH_MATRIX


async def test_the_history_records_the_caller_not_the_body(guest_api: httpx.AsyncClient) -> None:
    url = f"/complaints/{await _file(guest_api)}"
    cases = [
        (AGENT, {"role": "agent", "name": "Priya"}),
        (bearer("agent", "raul"), {"role": "agent", "name": "raul"}),
        (LUCIA, {"role": "customer", "name": LUCIA_ID}),
    ]
    for headers, actor in cases:
        noted = await guest_api.post(f"{url}/notes", json={"text": "Called."}, headers=headers)
        assert noted.json()["history"][-1]["actor"] == actor
    claimed = await guest_api.post(
        f"{url}/notes", json={"text": "x", "author": "CEO", "author_role": "admin"}, headers=AGENT
    )
    assert claimed.status_code == 422
    assert ["body", "author"] in [error["loc"] for error in claimed.json()["detail"]]


async def test_a_customer_sees_and_acts_only_on_their_own_complaints(
    guest_api: httpx.AsyncClient,
) -> None:
    own = await guest_api.post("/complaints", json=OWN_FORM, headers=LUCIA)
    assert own.status_code == 201, own.text
    url = f"/complaints/{own.json()['id']}"
    await guest_api.post(f"{url}/resolution", json={"resolution": "New unit"}, headers=AGENT)

    missing = await guest_api.get(UNKNOWN, headers=OTHER_CUSTOMER)
    foreign = await guest_api.get(url, headers=OTHER_CUSTOMER)
    assert (foreign.status_code, foreign.json()["detail"]) == (
        404,
        missing.json()["detail"].replace("0000000000000000", own.json()["id"]),
    )
    for suffix, body in [
        ("/notes", {"text": "Not mine."}),
        ("/contacts", {}),
        ("/feedback", {"decision": "reject", "reason": "Not mine."}),
        ("/reopen", {"reason": "Not mine."}),
    ]:
        acted = await guest_api.post(url + suffix, json=body, headers=OTHER_CUSTOMER)
        assert (acted.status_code, acted.json()["detail"]) == (404, foreign.json()["detail"])
    untouched = (await guest_api.get(url, headers=LUCIA)).json()
    assert (untouched["status"], untouched["contacts"]) == ("awaiting_customer", 1)
    assert all(step["actor"]["role"] != "customer" for step in untouched["history"])

    in_her_name = await guest_api.post("/complaints", json=OWN_FORM, headers=OTHER_CUSTOMER)
    assert in_her_name.status_code == 403
    assert "only for themselves" in in_her_name.json()["detail"]


async def test_a_customer_files_by_phone_and_records_only_themself(
    guest_api: httpx.AsyncClient,
) -> None:
    by_phone = {**OWN_FORM, "customer": {"name": "Lucía", "phone": "+52 55 1234 5678"}}
    phone_token = customer_bearer(None, "+525512345678")
    assert (
        await guest_api.post("/complaints", json=by_phone, headers=phone_token)
    ).status_code == 201
    # With an email on the form, the email is what identifies the customer.
    both = {**OWN_FORM, "customer": {**FORM["customer"]}}
    assert (await guest_api.post("/complaints", json=both, headers=phone_token)).status_code == 403
    as_clerk = await guest_api.post("/complaints", json=FORM, headers=LUCIA)
    assert as_clerk.status_code == 403
    assert "recorded_by.role must be customer" in as_clerk.json()["detail"]


def _expired_token() -> str:
    past = datetime.now(UTC) - timedelta(hours=2)
    return jwt.encode(
        {"sub": "priya", "role": "agent", "exp": past + timedelta(hours=1)}, JWT_SECRET, "HS256"
    )


def _token(secret: str = JWT_SECRET, **claims: Any) -> str:
    exp = datetime.now(UTC) + timedelta(hours=1)
    return jwt.encode({"sub": "priya", "role": "agent", "exp": exp, **claims}, secret, "HS256")


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "authentication required"),
        ({"Authorization": "Basic cHJpeWE6cGFzcw=="}, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer"}, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer not.a.jwt"}, "invalid token"),
        ({"Authorization": f"Bearer {_expired_token()}"}, "Signature has expired"),
        ({"Authorization": f"Bearer {_token('another-secret-' + 'x' * 32)}"}, "verification"),
        ({"Authorization": f"Bearer {_token(exp=None)}"}, "exp"),
        ({"Authorization": f"Bearer {_token(aud='other-api')}"}, "audience"),
        ({"Authorization": f"Bearer {_token(role='system')}"}, "role"),
        ({"Authorization": f"Bearer {_token(role='customer')}"}, "customer id"),
        ({**ADMIN, "X-API-Key": "k"}, "not both"),
        ({"X-API-Key": "no-such-key"}, "API key"),
    ],
    ids=[
        "missing",
        "basic",
        "empty-bearer",
        "malformed",
        "expired",
        "wrong-signature",
        "no-exp",
        "unexpected-audience",
        "system-role",
        "customer-without-customer-id",
        "two-credentials",
        "unknown-api-key",
    ],
)
async def test_bad_credentials_are_401_with_a_bearer_challenge(
    env: WorkflowEnvironment,
    opened_workflows: set[str],
    headers: dict[str, str],
    detail: str,
) -> None:
    async with serve_without_worker(env, opened_workflows, TEST_AUTH) as api:
        for method, url in [
            ("GET", UNKNOWN),
            ("POST", f"{UNKNOWN}/notes"),
            ("POST", "/complaints"),
        ]:
            answer = await api.request(method, url, headers=headers, json={"text": "x"})
            assert answer.status_code == 401, answer.text
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert detail in answer.json()["detail"]


async def test_issuer_and_audience_are_checked_when_configured(
    env: WorkflowEnvironment, opened_workflows: set[str]
) -> None:
    auth = auth_settings(jwt_issuer="https://id.example.com", jwt_audience="complaints")
    good = bearer("agent", "priya", settings=auth)
    async with serve_without_worker(env, opened_workflows, auth) as api:
        assert (await api.get(UNKNOWN, headers=good)).status_code == 404
        for token, detail in [
            (_token(iss="https://id.example.com", aud="billing"), "Audience doesn't match"),
            (_token(iss="https://evil.example", aud="complaints"), "Invalid issuer"),
            (_token(iss="https://id.example.com"), 'missing the "aud" claim'),
        ]:
            answer = await api.get(UNKNOWN, headers={"Authorization": f"Bearer {token}"})
            assert (answer.status_code, answer.headers["WWW-Authenticate"]) == (
                401,
                'Bearer error="invalid_token"',
            )
            assert detail in answer.json()["detail"]


async def test_rs256_tokens_are_checked_with_the_configured_public_key(
    env: WorkflowEnvironment, opened_workflows: set[str], tmp_path: Path
) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "idp.pem").write_bytes(public_pem)
    auth = auth_settings(jwt_secret=None, jwt_public_key_file=tmp_path / "idp.pem")
    claims = {"sub": "priya", "role": "agent", "exp": datetime.now(UTC) + timedelta(hours=1)}
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with serve_without_worker(env, opened_workflows, auth) as api:
        signed = jwt.encode(claims, private_key, "RS256")
        answer = await api.get(UNKNOWN, headers={"Authorization": f"Bearer {signed}"})
        assert answer.status_code == 404  # through authentication, to a complaint that is not there
        for forged in [
            jwt.encode(claims, stranger, "RS256"),
            jwt.encode(claims, JWT_SECRET, "HS256"),
        ]:
            answer = await api.get(UNKNOWN, headers={"Authorization": f"Bearer {forged}"})
            assert answer.status_code == 401, answer.text


async def test_systems_call_with_api_keys_stored_as_hashes(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    opened_workflows: set[str],
    tmp_path: Path,
) -> None:
    key = "crm-sync-key-8c1f0a6e5d"
    keys = tmp_path / "api-keys.yaml"
    keys.write_text(
        f"- name: crm-sync\n  role: agent\n  sha256: {hashlib.sha256(key.encode()).hexdigest()}\n"
    )
    auth = auth_settings(jwt_secret=None, api_keys_file=keys)
    settings = ApiSettings(task_queue=task_queue)
    async with serve_api(env, settings, opened_workflows, auth=auth, headers={}) as api:
        filed = await api.post("/complaints", json=FORM, headers={"X-API-Key": key})
        assert filed.status_code == 201, filed.text
        url = f"/complaints/{filed.json()['id']}"
        noted = await api.post(f"{url}/notes", json={"text": "Synced."}, headers={"X-API-Key": key})
        assert noted.json()["history"][-1]["actor"] == {"role": "agent", "name": "crm-sync"}
        refused = await api.post(
            f"{url}/feedback", json={"decision": "accept"}, headers={"X-API-Key": key}
        )
        assert refused.status_code == 403
        wrong = await api.get(url, headers={"X-API-Key": key + "x"})
        assert (wrong.status_code, wrong.json()["detail"]) == (401, "unknown API key")
        no_jwt = await api.get(url, headers=ADMIN)
        assert no_jwt.status_code == 401
        assert "bearer tokens are not accepted here" in no_jwt.json()["detail"]


async def test_the_token_command_mints_tokens_the_api_accepts(guest_api: httpx.AsyncClient) -> None:
    agent = await _cli_token("--role", "agent", "--sub", "alice", "--name", "Alice", "--ttl", "30m")
    filed = await guest_api.post("/complaints", json=FORM, headers=agent)
    assert filed.status_code == 201, filed.text
    url = f"/complaints/{filed.json()['id']}"
    noted = await guest_api.post(f"{url}/notes", json={"text": "Hello."}, headers=agent)
    assert noted.json()["history"][-1]["actor"] == {"role": "agent", "name": "Alice"}

    lucia = await _cli_token("--role", "customer", "--email", " Lucia@Example.MX")
    assert (await guest_api.get(url, headers=lucia)).status_code == 200
    mateo = await _cli_token("--role", "customer", "--email", "mateo@example.mx")
    assert (await guest_api.get(url, headers=mateo)).status_code == 404


async def _cli_token(*args: str) -> dict[str, str]:
    process = await asyncio.create_subprocess_exec(
        str(BIN / "complaints"),
        "token",
        *args,
        env={
            **without_complaints_settings(),
            "COMPLAINTS_JWT_SECRET": JWT_SECRET,
            "COMPLAINTS_CUSTOMER_ID_SECRET": CUSTOMER_ID_SECRET,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    token = out.decode().strip()
    assert token.count(".") == 2 and "\n" not in token  # the token only
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agent", "--sub", "alice"], "minting tokens needs COMPLAINTS_JWT_SECRET"),
        (["--role", "customer", "--email", "lucia@example.mx"], "need COMPLAINTS_CUSTOMER_ID"),
        (["--role", "customer", "--sub", "lucia"], "takes --email or --phone; its sub is derived"),
        (["--role", "customer", "--email", "lucia"], "--email: value is not a valid email"),
    ],
)
async def test_the_token_command_explains_what_is_missing(args: list[str], message: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(BIN / "complaints"),
        "token",
        *args,
        env=without_complaints_settings(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert (process.returncode, out) == (2, b"")
    assert message in err.decode()


async def test_the_api_process_refuses_to_start_open() -> None:
    returncode, stdout, stderr = await api_process_output(without_complaints_settings())
    assert returncode != 0
    assert "no way to authenticate is configured" in stdout + stderr


async def _file(guest_api: httpx.AsyncClient) -> str:
    """Lucía's complaint under De'Longhi's policy, which has the playbooks."""
    form = {**OWN_FORM, "brand": "delonghi-mx", "product": f"Dedica {uuid.uuid4().hex[:6]}"}
    filed = await guest_api.post("/complaints", json=form, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]
