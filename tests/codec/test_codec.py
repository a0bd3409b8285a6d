"""The payload codec on its own: encryption, rotation, and never failing a decode."""

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError

from harness.samples import sample_intake
from workflows.codec import (
    COMPRESSION,
    ENCODING,
    KEY_ID,
    NONCE_BYTES,
    CodecKey,
    CodecKeyError,
    EncryptedFailureConverter,
    EncryptionCodec,
    parse_keys,
)
from workflows.sealed import REFUSAL_TYPE, UNSEALED

OLD, NEW = CodecKey.generate("2026-06"), CodecKey.generate("2026-12")
INTAKE = pydantic_data_converter.payload_converter.to_payloads([sample_intake()])[0]


async def test_a_payload_is_encrypted_under_the_first_key_and_decrypts_exactly() -> None:
    codec = EncryptionCodec([NEW, OLD])
    [sealed] = await codec.encode([INTAKE])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"2026-12"
    assert b"Asha" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [INTAKE]


async def test_an_older_key_still_decrypts_after_rotation() -> None:
    [sealed_before] = await EncryptionCodec([OLD]).encode([INTAKE])
    assert await EncryptionCodec([NEW, OLD]).decode([sealed_before]) == [INTAKE]


async def test_a_payload_no_key_opens_passes_through_marked_with_the_reason() -> None:
    [sealed] = await EncryptionCodec([OLD]).encode([INTAKE])
    [unopened] = await EncryptionCodec([NEW]).decode([sealed])
    assert unopened.data == sealed.data and unopened.metadata[UNSEALED] == b"unknown key '2026-06'"
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + b"\0")
    [forged] = await EncryptionCodec([OLD]).decode([tampered])
    assert forged.metadata[UNSEALED] == b"does not authenticate"


async def test_a_large_payload_is_compressed_before_it_is_encrypted() -> None:
    codec = EncryptionCodec([NEW])
    [sealed] = await codec.encode([INTAKE])
    assert sealed.metadata[COMPRESSION] == b"zlib"
    assert len(sealed.data) < len(INTAKE.SerializeToString())
    assert await codec.decode([sealed]) == [INTAKE]
    small = pydantic_data_converter.payload_converter.to_payloads(["a1b2c3"])[0]
    [kept] = await codec.encode([small])
    assert COMPRESSION not in kept.metadata and await codec.decode([kept]) == [small]


async def test_a_payload_sealed_before_compression_still_decrypts() -> None:
    """Histories written before the codec compressed: the tag covered the key id alone."""
    nonce = b"\1" * NONCE_BYTES
    cipher = AESGCM(NEW.secret)
    data = nonce + cipher.encrypt(nonce, INTAKE.SerializeToString(), NEW.key_id.encode())
    before = Payload(metadata={"encoding": ENCODING, KEY_ID: NEW.key_id.encode()}, data=data)
    assert await EncryptionCodec([NEW]).decode([before]) == [INTAKE]


async def test_the_compression_mark_is_authenticated() -> None:
    [sealed] = await EncryptionCodec([NEW]).encode([INTAKE])
    unmarked = Payload(metadata=dict(sealed.metadata), data=sealed.data)
    del unmarked.metadata[COMPRESSION]
    [forged] = await EncryptionCodec([NEW]).decode([unmarked])
    assert forged.metadata[UNSEALED] == b"does not authenticate"


async def test_a_plain_payload_passes_through_marked_so_old_histories_replay() -> None:
    [plain] = await EncryptionCodec([NEW]).decode([INTAKE])
    assert plain.data == INTAKE.data and plain.metadata[UNSEALED] == b"sent unencrypted"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no key given"),
        ("just-a-key", "expected id:base64-key"),
        ("k1:c2hvcnQ", "has 5 bytes; AES-256 needs 32"),
        ("k1:!!!", "is not base64"),
        (f"{OLD.encoded()},{OLD.encoded()}", "key ids appear twice: 2026-06"),
    ],
)
def test_a_wrong_key_setting_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CodecKeyError, match=message):
        parse_keys(text)


def test_keys_parse_newest_first() -> None:
    assert parse_keys(f" {NEW.encoded()} , {OLD.encoded()} ") == (NEW, OLD)


def test_failure_messages_are_encrypted_but_a_refused_write_says_why() -> None:
    converter = EncryptedFailureConverter()
    failure = Failure()
    converter.to_failure(
        ValueError("Asha Verma"), pydantic_data_converter.payload_converter, failure
    )
    assert "Asha" not in failure.message and failure.encoded_attributes.data
    refusal = ApplicationError("refused: add_note was not encrypted", type=REFUSAL_TYPE)
    converter.to_failure(refusal, pydantic_data_converter.payload_converter, failure := Failure())
    assert failure.message == "refused: add_note was not encrypted"
