"""The codec server: lets the Temporal Web UI show operators decrypted payloads.

`uvicorn api.codec_server:app` (`make run` starts it on 127.0.0.1:8081 and points the dev
server's UI at it). It decodes only: with no /encode, nothing typed into the UI can be
encrypted, so the workflows refuse what the UI sends (`workflows.sealed`) and writes go through
the complaints API. Browsers may call it from the UI's origin only; in production it requires
the operator's bearer token, which the UI forwards (docs/deploy.md).
"""

import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.api.common.v1 import Payload

from api.credentials import Authenticator, AuthSettings, InvalidCredentials
from domain.history import ActorRole
from workflows.codec import CodecSettings, EncryptionCodec
from workflows.sealed import UNSEALED

log = logging.getLogger("uvicorn.error.codec")
"""Who decoded what, an audit line per request, in uvicorn's log (its level decides)."""
bearer = HTTPBearer(auto_error=False)


class CodecServerSettings(BaseSettings):
    """COMPLAINTS_CODEC_SERVER_* variables."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_CODEC_SERVER_")

    ui_origins: list[str] = ["http://127.0.0.1:8233", "http://localhost:8233"]
    """The Web UI's origins: browsers elsewhere get no CORS answer."""
    require_token: bool = True
    """Off only where the UI cannot forward a token (the dev server of `make run`)."""
    roles: list[ActorRole] = [ActorRole.SUPERVISOR, ActorRole.ADMIN]
    """Who may read decrypted payloads: the roles of operators."""


class JsonPayload(BaseModel):
    """A payload as the UI sends it: protobuf JSON, bytes in base64."""

    metadata: dict[str, str] = Field(default_factory=dict)
    data: str = ""

    def to_proto(self) -> Payload:
        return Payload(
            metadata={
                key: base64.b64decode(value, validate=True) for key, value in self.metadata.items()
            },
            data=base64.b64decode(self.data, validate=True),
        )

    @classmethod
    def of(cls, payload: Payload) -> "JsonPayload":
        return cls(
            metadata={
                key: base64.b64encode(value).decode()
                for key, value in payload.metadata.items()
                if key != UNSEALED
            },
            data=base64.b64encode(payload.data).decode(),
        )


class Payloads(BaseModel):
    payloads: list[JsonPayload] = Field(default_factory=list, max_length=10_000)


def create_codec_app(
    codec: EncryptionCodec | None = None,
    settings: CodecServerSettings | None = None,
    auth: AuthSettings | None = None,
) -> FastAPI:
    """The decode-only app; tests pass the codec and settings, `make run` reads the env."""
    server_settings = settings or CodecServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.codec = codec or EncryptionCodec(CodecSettings().codec_keys())
        app.state.authenticator = (
            Authenticator.from_settings(auth or AuthSettings(), customers=False)
            if server_settings.require_token
            else None
        )
        yield

    app = FastAPI(title="Complaints codec server (decode only)", lifespan=lifespan)

    async def operator(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        authenticator: Authenticator | None = request.app.state.authenticator
        if authenticator is None:
            return "anyone (no token required)"
        if credentials is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the operator's bearer token")
        try:
            principal = authenticator.from_token(credentials.credentials)
        except InvalidCredentials as err:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(err)) from err
        if principal.role not in server_settings.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{principal.role} may not decode")
        if principal.brands is not None:  # a payload does not say whose complaint it is
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "credentials for some brands only may not decode: the codec server cannot tell "
                "a payload's brand, so it decodes for operators of every brand",
            )
        return principal.subject

    @app.post("/decode")
    async def decode(
        body: Payloads, request: Request, reader: Annotated[str, Depends(operator)]
    ) -> Payloads:
        """Decrypt the UI's payloads (those that were not encrypted come back as they were)."""
        codec: EncryptionCodec = request.app.state.codec
        try:
            proto = [payload.to_proto() for payload in body.payloads]
        except ValueError as err:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
        decoded = await codec.decode(proto)
        log.info("%d payloads decoded for %s", len(decoded), reader)
        return Payloads(payloads=[JsonPayload.of(payload) for payload in decoded])

    @app.post("/encode", status_code=status.HTTP_403_FORBIDDEN)
    async def encode() -> None:
        """Refused: a payload encrypted here could be sent to a workflow past the API."""
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "this codec server decodes only: complaints change through the complaints API",
        )

    app.add_middleware(
        CORSMiddleware,
        allow_origins=server_settings.ui_origins,
        allow_methods=["POST"],
        allow_headers=["Content-Type", "X-Namespace", "Authorization"],
        allow_credentials=True,
    )
    return app


app = create_codec_app()
