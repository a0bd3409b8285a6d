"""Payload encryption: no customer data reaches the Temporal server in plain text.

Every payload (workflow input, signals, updates and their results, queries, activity input and
results, memos, summaries, failure messages) is encrypted with AES-256-GCM under the newest key;
the key id travels in the payload's metadata, so older keys keep decrypting after a rotation.
Keys come from `COMPLAINTS_CODEC_KEYS`; docs/deploy.md says how to rotate and retire them.
A payload of `COMPRESS_FROM` bytes or more is compressed (zlib) before it is encrypted, when that
makes it smaller: JSON shrinks to a third or less, and histories with it (issue 18).
"""

import base64
import binascii
import dataclasses
import logging
import os
import zlib
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    PayloadCodec,
    PayloadConverter,
)
from temporalio.exceptions import ApplicationError

from workflows.sealed import REFUSAL_TYPE, UNSEALED, SealAwarePayloadConverter

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32
COMPRESSION = "compression"
ZLIB = b"zlib"
COMPRESS_FROM = 256
"""Smaller payloads (an id, an acknowledgement) gain nothing worth zlib's header and time."""

log = logging.getLogger(__name__)


class CodecKeyError(ValueError):
    """A key setting a person must fix: what is wrong and the expected form."""


@dataclasses.dataclass(frozen=True)
class CodecKey:
    key_id: str
    secret: bytes = dataclasses.field(repr=False)

    def __post_init__(self) -> None:
        if not self.key_id or any(c in self.key_id for c in ",: "):
            raise CodecKeyError(f"key id {self.key_id!r} must be non-empty, without , : or spaces")
        if len(self.secret) != KEY_BYTES:
            raise CodecKeyError(
                f"key {self.key_id!r} has {len(self.secret)} bytes; AES-256 needs {KEY_BYTES} "
                "(make one with `complaints codec-key`)"
            )

    @classmethod
    def generate(cls, key_id: str) -> "CodecKey":
        return cls(key_id, AESGCM.generate_key(bit_length=KEY_BYTES * 8))

    def encoded(self) -> str:
        """`id:base64url`, one entry of COMPLAINTS_CODEC_KEYS."""
        return f"{self.key_id}:{base64.urlsafe_b64encode(self.secret).decode()}"


def parse_keys(text: str) -> tuple[CodecKey, ...]:
    """`id:base64url,id:base64url,…`: the first encrypts, every one decrypts."""
    keys: list[CodecKey] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key_id, separator, encoded = entry.partition(":")
        if not separator:
            raise CodecKeyError(f"{entry[:8]}…: expected id:base64-key")
        try:
            padded = encoded.strip() + "=" * (-len(encoded.strip()) % 4)
            secret = base64.b64decode(padded, altchars=b"-_", validate=True)
        except (binascii.Error, ValueError) as err:
            raise CodecKeyError(f"key {key_id!r} is not base64: {err}") from None
        keys.append(CodecKey(key_id.strip(), secret))
    if not keys:
        raise CodecKeyError("no key given")
    duplicates = {k.key_id for k in keys if [x.key_id for x in keys].count(k.key_id) > 1}
    if duplicates:
        raise CodecKeyError(f"key ids appear twice: {', '.join(sorted(duplicates))}")
    return tuple(keys)


class CodecSettings(BaseSettings):
    """COMPLAINTS_CODEC_KEYS: `id:base64url` keys separated by commas, the newest first."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_CODEC_")

    keys: SecretStr | None = None

    def codec_keys(self) -> tuple[CodecKey, ...]:
        if self.keys is None:
            raise CodecKeyError(
                "COMPLAINTS_CODEC_KEYS is not set: every process that talks to Temporal needs "
                "the payload keys (`make run` makes .data/codec.env; docs/deploy.md for production)"
            )
        return parse_keys(self.keys.get_secret_value())


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM under the first key; decrypts with any key it holds, by the id in metadata.

    Decoding never raises: a payload that is not encrypted, or that no key opens, passes through
    marked `UNSEALED` (with the reason), so old plain histories replay and a stray write from the
    UI cannot fail workflow tasks; the handlers refuse marked input (`workflows.sealed`).
    """

    def __init__(self, keys: Sequence[CodecKey]) -> None:
        if not keys:
            raise CodecKeyError("no key given")
        self._current = keys[0]
        self._ciphers = {key.key_id: AESGCM(key.secret) for key in keys}

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._ciphers)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        key_id = self._current.key_id
        metadata = {"encoding": ENCODING, KEY_ID: key_id.encode()}
        plain = payload.SerializeToString()
        if len(plain) >= COMPRESS_FROM and len(packed := zlib.compress(plain)) < len(plain):
            plain, metadata[COMPRESSION] = packed, ZLIB
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, plain, _associated(metadata))
        return Payload(metadata=metadata, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return _unsealed(payload, "sent unencrypted")
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            log.error(
                "a payload is encrypted with key %r, which this process lacks (it has %s): "
                "add the key to COMPLAINTS_CODEC_KEYS",
                key_id,
                ", ".join(self._ciphers),
            )
            return _unsealed(payload, f"unknown key {key_id!r}")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        compression = payload.metadata.get(COMPRESSION)
        if compression not in (None, ZLIB):
            return _unsealed(payload, f"unknown compression {compression!r}")
        try:
            plain = cipher.decrypt(nonce, sealed, _associated(payload.metadata))
        except InvalidTag:
            log.warning("a payload under key %r failed authentication: ignored", key_id)
            return _unsealed(payload, "does not authenticate")
        return Payload.FromString(zlib.decompress(plain) if compression == ZLIB else plain)


def _associated(metadata: Mapping[str, bytes]) -> bytes:
    """What the tag authenticates beside the data: the key id, and the compression when there
    is one (so that a payload cannot be passed off as compressed, or as not)."""
    key_id = metadata[KEY_ID]
    compression = metadata.get(COMPRESSION)
    return key_id if compression is None else key_id + b"|" + compression


def _unsealed(payload: Payload, reason: str) -> Payload:
    marked = Payload()
    marked.CopyFrom(payload)
    marked.metadata[UNSEALED] = reason.encode()
    return marked


class EncryptedFailureConverter(DefaultFailureConverter):
    """Failure messages and stack traces encrypted (they may quote a customer), except the
    refusal of an unencrypted write: it quotes nobody, and the operator who sent the write from
    the Temporal UI or CLI, without the key, must be able to read why it was refused."""

    def __init__(self) -> None:
        super().__init__(encode_common_attributes=True)

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        if isinstance(exception, ApplicationError) and exception.type == REFUSAL_TYPE:
            DefaultFailureConverter().to_failure(exception, payload_converter, failure)
        else:
            super().to_failure(exception, payload_converter, failure)


def encrypted_data_converter(keys: Sequence[CodecKey]) -> DataConverter:
    """Pydantic payloads, encrypted; failure messages and stack traces encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SealAwarePayloadConverter,
        payload_codec=EncryptionCodec(keys),
        failure_converter_class=EncryptedFailureConverter,
    )


def configured_data_converter() -> DataConverter:
    """The converter every process uses, with the keys from COMPLAINTS_CODEC_KEYS."""
    return encrypted_data_converter(CodecSettings().codec_keys())
