"""Malformed input is a 4xx, never a 500: lone UTF-16 surrogates and numbers JSON has no value
for (NaN, Infinity, 1e999999) in bodies, odd bytes in headers and query strings, moments
outside UTC. The property at the end throws them at every route of the OpenAPI schema."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.json_bodies import MAX_ERRORS, unrepresentable
from harness.credentials import ADMIN, customer_bearer
from harness.samples import FORM

LUCIA = customer_bearer("lucia@example.mx")
"""FORM's customer: the complaints filed here are hers."""
JSON = {"Content-Type": "application/json"}
RAW_ADMIN = {name.encode(): value.encode() for name, value in ADMIN.items()}
SURROGATES = ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"\\ud83d"']
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999999", "-1e999999", "1E400"]
ODD_BUT_FINE = ['"\\ud83d\\ude00"', '"\\u0000"', "1e308", "-0", "null", "[]", "{}", '""']
"""Valid JSON values that are no attack: a surrogate pair (😀), a NUL, the largest float."""


@dataclass
class Filed:
    complaint_id: str
    """Lucía's complaint, open, with a no-diagnosis case flagged."""


@pytest.fixture(scope="module")
async def filed(module_api: httpx.AsyncClient) -> Filed:
    answer = await module_api.post("/complaints", json={**FORM, "brand": "delonghi-mx"})
    assert answer.status_code == 201, answer.text
    complaint_id = answer.json()["id"]
    case = {"case_type": "no_diagnosis", "fields": {"service_centre": "N", "service_order": "1"}}
    flagged = await module_api.post(f"/complaints/{complaint_id}/cases", json=case)
    assert flagged.status_code == 200, flagged.text
    return Filed(complaint_id)


async def _post(
    api: httpx.AsyncClient, path: str, text: str, headers: dict[str, str] = ADMIN
) -> httpx.Response:
    """POST a body given as JSON text, exactly as written (escapes and all)."""
    return await api.post(path, content=text.encode(), headers={**headers, **JSON})


def _filing_with(token: str, field: str = "description") -> str:
    """FORM as JSON text with `token` as the value of `field` (`customer.name` for a nested one)."""
    form: dict[str, Any] = {**FORM, "customer": dict(FORM["customer"])}
    *parents, name = field.split(".")
    holder = form
    for parent in parents:
        holder = holder[parent]
    holder[name] = "@token@"
    return json.dumps(form).replace('"@token@"', token)


def _locs(answer: httpx.Response) -> list[list[Any]]:
    return [error["loc"] for error in answer.json()["detail"]]


@pytest.mark.parametrize("token", SURROGATES)
@pytest.mark.parametrize("field", ["description", "customer.name"])
@pytest.mark.parametrize("caller", [ADMIN, LUCIA], ids=["staff", "customer"])
async def test_a_lone_surrogate_in_a_filing_is_a_422_naming_the_field(
    module_api: httpx.AsyncClient, caller: dict[str, str], field: str, token: str
) -> None:
    answer = await _post(module_api, "/complaints", _filing_with(token, field), caller)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", *field.split(".")]
    assert "surrogate" in error["msg"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"text": "Called \\ud800 the centre."}', ["body", "text"]),
        ('{"text": "ok", "\\udfff": "key"}', ["body", "\\udfff"]),
        ('{"text": ["\\ud800"]}', ["body", "text", 0]),
        ('"\\ud800"', ["body"]),
    ],
)
async def test_a_lone_surrogate_in_a_note_is_a_422_naming_where(
    module_api: httpx.AsyncClient, filed: Filed, body: str, where: list[Any]
) -> None:
    answer = await _post(module_api, f"/complaints/{filed.complaint_id}/notes", body)
    assert answer.status_code == 422, answer.text
    assert _locs(answer) == [where]


async def test_a_lone_surrogate_in_a_case_field_is_a_422(
    module_api: httpx.AsyncClient, filed: Filed
) -> None:
    body = '{"case_type": "legal_threat", "fields": {"\\ud800": "x", "court": "\\udbff"}}'
    answer = await _post(module_api, f"/complaints/{filed.complaint_id}/cases", body)
    assert answer.status_code == 422, answer.text
    assert _locs(answer) == [["body", "fields", "\\ud800"], ["body", "fields", "court"]]


@pytest.mark.parametrize("token", NON_FINITE)
@pytest.mark.parametrize(
    ("route", "body", "where"),
    [
        ("notes", '{"text": @}', ["body", "text"]),
        ("notes", '{"text": "ok", "extra": [1, @]}', ["body", "extra", 1]),
        ("notes", "@", ["body"]),
        (
            "assessment",
            '{"company_responsible": @, "first_handling_appropriate": true, '
            '"appeal_reasonable": true}',
            ["body", "company_responsible"],
        ),
    ],
)
async def test_a_number_json_has_no_value_for_is_a_422_naming_where(
    module_api: httpx.AsyncClient, filed: Filed, route: str, body: str, where: list[Any], token: str
) -> None:
    path = f"/complaints/{filed.complaint_id}/{route}"
    answer = await _post(module_api, path, body.replace("@", token))
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == where
    assert error["input"] == token
    assert "finite" in error["msg"]


@pytest.mark.parametrize("token", NON_FINITE)
async def test_a_filing_with_a_number_json_has_no_value_for_is_a_422(
    module_api: httpx.AsyncClient, token: str
) -> None:
    answer = await _post(module_api, "/complaints", _filing_with(token, "channel"))
    assert answer.status_code == 422, answer.text
    assert _locs(answer) == [["body", "channel"]]


def test_a_refusal_names_at_most_twenty_places_in_document_order() -> None:
    errors = unrepresentable(b'{"a": [' + b"NaN, " * 30 + b'1], "\\ud800": 0}')
    assert len(errors) == MAX_ERRORS
    assert [error["loc"] for error in errors[:2]] == [("body", "a", 0), ("body", "a", 1)]
    assert unrepresentable(b"[" * 100_000 + b"]" * 100_000) == []  # FastAPI refuses it: 400


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_that_is_not_json_is_a_4xx_whatever_its_bytes(
    module_api: httpx.AsyncClient, filed: Filed, content_type: str | None
) -> None:
    headers = {**ADMIN, **({"Content-Type": content_type} if content_type else {})}
    for body in [b"\xff\xfe\x00", b'{"text": "\xed\xa0\x80"}', b"NaN"]:
        path = f"/complaints/{filed.complaint_id}/notes"
        answer = await module_api.post(path, content=body, headers=headers)
        assert 400 <= answer.status_code < 500, (body, answer.text)


@pytest.mark.parametrize(
    ("headers", "answers"),
    [
        ({b"Authorization": b"Bearer \xff\xfe\x80"}, {401}),
        ({b"Authorization": b"\xc3\x28"}, {401}),
        ({b"X-API-Key": b"\xff\x80"}, {401}),
        ({b"X-API-Key": b"\xed\xa0\x80"}, {401}),
        ({**RAW_ADMIN, b"Idempotency-Key": b"\xed\xa0\x80"}, {422}),
        ({**RAW_ADMIN, b"Content-Type": b"application/json; charset=\xff"}, {200, 201}),
        ({**RAW_ADMIN, b"Content-Type": b"application/\xff+json"}, {200, 201}),
    ],
)
async def test_odd_bytes_in_a_header_are_never_a_500(
    module_api: httpx.AsyncClient, headers: dict[bytes, bytes], answers: set[int]
) -> None:
    async with httpx.AsyncClient(base_url=module_api.base_url) as client:
        answer = await client.post("/complaints", content=json.dumps(FORM), headers=headers)
    assert answer.status_code in answers, answer.text


# The property: no request built from the schema, with one hostile part, is a server error.

HOSTILE_JSON = [*SURROGATES, *NON_FINITE, *ODD_BUT_FINE]
HEADER_BYTES = [*range(0x21, 0x7F), *range(0x80, 0x100)]
"""What h11 lets a client send in a header value (no controls)."""
HEADERS = ["Authorization", "X-API-Key", "Idempotency-Key", "Content-Type", "Accept"]


@st.composite
def moments_outside_utc(draw: st.DrawFn) -> str:
    """Year 1 east of Greenwich or year 9999 west of it, or the edges themselves."""
    first = draw(st.booleans())
    day = "0001-01-01" if first else "9999-12-31"
    time = draw(st.times()).isoformat()
    sign = draw(st.sampled_from(["+", "-"] if draw(st.booleans()) else ["+" if first else "-"]))
    offset = f"{sign}{draw(st.integers(0, 23)):02}:{draw(st.integers(0, 59)):02}"
    return f"{day}T{time}{draw(st.sampled_from([offset, 'Z', '']))}"


QUERY_VALUES = st.one_of(
    moments_outside_utc(),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999999", "-1e999999", "", "0"]),
    st.text(max_size=30),
)
"""Query values, sent as their UTF-8 (lone surrogates as the bytes UTF-8 would give them)."""
RAW_QUERY_VALUES = st.sampled_from(["%ED%A0%80", "%FF", "%00", "%C0%80", "%F0%9F", "%", "%zz"])
"""Percent-escapes of no UTF-8 text, and broken escapes."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    query: tuple[str, ...]
    body: Any
    """The first example of its request body's schema; None if it takes no body."""


def _operations(schema: dict[str, Any]) -> Iterator[Operation]:
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            query = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            content = operation.get("requestBody", {}).get("content", {})
            body = None
            if "application/json" in content:
                ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                body = components[ref].get("examples", [{}])[0]
            yield Operation(method.upper(), path, query, body)


def _places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every place in a JSON value a hostile token can go: each value, and each key."""
    yield "value", at
    if isinstance(value, dict):
        for key, item in value.items():
            yield "key", (*at, key)
            yield from _places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*at, index))


def _json_text(value: Any, place: tuple[str, tuple[Any, ...]], token: str, at: tuple = ()) -> str:
    """The value as JSON text, with `token` written at `place` as it is."""
    kind, where = place
    if kind == "value" and where == at:
        return token
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            name = token if kind == "key" and where == (*at, key) else json.dumps(key)
            members.append(f"{name}: {_json_text(item, place, token, (*at, key))}")
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        items = [_json_text(item, place, token, (*at, i)) for i, item in enumerate(value)]
        return "[" + ", ".join(items) + "]"
    return json.dumps(value)


@pytest.fixture(scope="module")
async def operations(module_api: httpx.AsyncClient) -> list[Operation]:
    schema = (await module_api.get("/openapi.json")).json()
    return list(_operations(schema))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
async def test_no_hostile_request_is_a_server_error(
    module_api: httpx.AsyncClient, filed: Filed, operations: list[Operation], data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(operations), label="operation")
    complaint_id = data.draw(st.sampled_from([filed.complaint_id, "%ED%A0%80", "NaN"]))
    path = operation.path.format(complaint_id=complaint_id, case_type="no_diagnosis")
    caller = data.draw(st.sampled_from([ADMIN, LUCIA]), label="caller")
    headers = {name.encode(): value.encode() for name, value in caller.items()}
    parts = ["query", "header"] + (["body"] if operation.body is not None else [])
    hostile = data.draw(st.sampled_from(parts), label="hostile part")

    query = ""
    if operation.query and (hostile == "query" or data.draw(st.booleans())):
        name = data.draw(st.sampled_from(operation.query), label="parameter")
        if data.draw(st.booleans()):
            value = data.draw(RAW_QUERY_VALUES, label="raw value")
        else:
            text = data.draw(QUERY_VALUES, label="value")
            value = quote(text.encode("utf-8", "surrogatepass"), safe="")
        query = f"?{name}={value}"

    body = None
    if operation.body is not None:
        example = operation.body
        if hostile == "body":
            if isinstance(example, dict) and data.draw(st.booleans()):
                example = {**example, "extra": None}
            place = data.draw(st.sampled_from(list(_places(example))), label="place")
            token = data.draw(st.sampled_from(HOSTILE_JSON), label="token")
            body = _json_text(example, place, token).encode()
        else:
            body = json.dumps(example).encode()
        headers[b"Content-Type"] = b"application/json"

    if hostile == "header":
        name = data.draw(st.sampled_from(HEADERS), label="header")
        odd = data.draw(st.lists(st.sampled_from(HEADER_BYTES), max_size=60).map(bytes))
        prefix = b"Bearer " if name == "Authorization" and data.draw(st.booleans()) else b""
        headers[name.encode()] = (prefix + odd).rstrip()  # h11 sends no trailing space

    answer = await module_api.request(operation.method, path + query, content=body, headers=headers)
    assert answer.status_code < 500, (operation.method, path + query, body, headers, answer.text)


@pytest.mark.parametrize("token", ['"Eve\\u0000"', '"Eve\\u001b[2J"', '"Eve\\u0085"', '"\\u007f"'])
@pytest.mark.parametrize("field", ["description", "customer.name"])
async def test_a_control_character_in_a_filing_is_a_422_naming_the_field(
    module_api: httpx.AsyncClient, field: str, token: str
) -> None:
    """Found by the fault suite: `Eve\\x00\\x07\\x1b[2J` was filed and would reach emails."""
    answer = await _post(module_api, "/complaints", _filing_with(token, field))
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", *field.split(".")] and "control character" in error["msg"]


async def test_a_note_with_a_control_character_is_refused_and_tabs_and_lines_are_not(
    module_api: httpx.AsyncClient, filed: Filed
) -> None:
    path = f"/complaints/{filed.complaint_id}/notes"
    refused = await _post(module_api, path, '{"text": "a\\u0000b"}')
    assert refused.status_code == 422 and _locs(refused) == [["body", "text"]]
    taken = await _post(module_api, path, '{"text": "Called:\\n\\tno answer\\r\\n"}')
    assert taken.status_code == 200, taken.text


@pytest.mark.parametrize("country", ["ZZ", "zz", "XX", "EU"])
async def test_a_country_no_one_lives_in_is_a_422(
    module_api: httpx.AsyncClient, country: str
) -> None:
    answer = await module_api.post("/complaints", json={**FORM, "country": country}, headers=ADMIN)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", "country"] and "ISO 3166-1" in error["msg"]
