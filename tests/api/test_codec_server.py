"""The codec server over real HTTP: decodes for operators of the Web UI, and nothing else."""

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from api.codec_server import CodecServerSettings
from harness.codec import serve_codec_server
from harness.credentials import TEST_AUTH, bearer, customer_bearer
from harness.samples import CUSTOMER_EMAIL, sample_intake
from harness.temporal import TEST_KEYS
from workflows.codec import CodecKey, EncryptionCodec

UI = "http://127.0.0.1:8233"
SUPERVISOR = bearer("supervisor", "sam")
pytestmark = pytest.mark.server


@pytest.fixture
async def codec_url() -> AsyncIterator[str]:
    async with serve_codec_server(CodecServerSettings(ui_origins=[UI])) as url:
        yield url


async def sealed_intake() -> dict[str, object]:
    payload = pydantic_data_converter.payload_converter.to_payloads([sample_intake()])[0]
    [sealed] = await EncryptionCodec(TEST_KEYS).encode([payload])
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in sealed.metadata.items()},
        "data": base64.b64encode(sealed.data).decode(),
    }


async def test_an_operator_reads_what_the_engine_encrypted(codec_url: str) -> None:
    body = {"payloads": [await sealed_intake()]}
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{codec_url}/decode", json=body, headers=SUPERVISOR)
    assert answer.status_code == 200
    [payload] = answer.json()["payloads"]
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"
    assert CUSTOMER_EMAIL in base64.b64decode(payload["data"]).decode()


async def test_it_requires_an_operators_token(codec_url: str) -> None:
    body = {"payloads": [await sealed_intake()]}
    async with httpx.AsyncClient() as http:
        nobody = await http.post(f"{codec_url}/decode", json=body)
        agent = await http.post(f"{codec_url}/decode", json=body, headers=bearer("agent", "a"))
        customer = await http.post(
            f"{codec_url}/decode", json=body, headers=customer_bearer(CUSTOMER_EMAIL)
        )
    assert (nobody.status_code, agent.status_code, customer.status_code) == (401, 403, 403)


async def test_it_refuses_credentials_for_some_brands_only(codec_url: str) -> None:
    """A payload does not say whose brand it is: decoding is all or nothing."""
    body = {"payloads": [await sealed_intake()]}
    scoped = bearer("supervisor", "sam", brands=("xiaomi-in",))
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{codec_url}/decode", json=body, headers=scoped)
    assert answer.status_code == 403
    assert "cannot tell a payload's brand" in answer.json()["detail"]


async def test_it_cannot_encode_so_the_ui_cannot_write(codec_url: str) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{codec_url}/encode", json={"payloads": []}, headers=SUPERVISOR)
    assert answer.status_code == 403 and "decodes only" in answer.json()["detail"]


async def test_browsers_may_call_it_from_the_ui_origin_only(codec_url: str) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
    }
    async with httpx.AsyncClient() as http:
        ui = await http.options(f"{codec_url}/decode", headers={**preflight, "Origin": UI})
        elsewhere = await http.options(
            f"{codec_url}/decode", headers={**preflight, "Origin": "https://evil.example"}
        )
    assert ui.headers["access-control-allow-origin"] == UI
    assert "access-control-allow-origin" not in elsewhere.headers


async def test_what_no_key_opens_comes_back_as_it_was(codec_url: str) -> None:
    payload = pydantic_data_converter.payload_converter.to_payloads(["x"])[0]
    [foreign] = await EncryptionCodec([CodecKey.generate("other")]).encode([payload])
    body = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in foreign.metadata.items()},
                "data": base64.b64encode(foreign.data).decode(),
            },
            {"metadata": {"encoding": "!!"}, "data": ""},
        ]
    }
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{codec_url}/decode", json=body, headers=SUPERVISOR)
    assert answer.status_code == 422  # the second is not base64
    body["payloads"].pop()
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{codec_url}/decode", json=body, headers=SUPERVISOR)
    assert answer.json() == body


async def test_it_needs_no_customer_id_secret() -> None:
    auth = TEST_AUTH.model_copy(update={"customer_id_secret": None})
    settings = CodecServerSettings(ui_origins=[UI])
    async with serve_codec_server(settings, auth) as url, httpx.AsyncClient() as http:
        answer = await http.post(f"{url}/decode", json={"payloads": []}, headers=SUPERVISOR)
    assert answer.status_code == 200
