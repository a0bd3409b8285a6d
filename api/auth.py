"""Authentication and authorisation as FastAPI dependencies; every non-health route uses them.

A route declares who may call it with one parameter, and records who acted from it:

    async def analytics(..., caller: Admin) -> ...:

`Authenticated` admits any signed-in caller; `allow(*roles)` builds other role sets (the
actions' routes build theirs from each command's `roles`).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.credentials import Authenticator, InvalidCredentials, Principal
from api.rate_limits import RATE_LIMITED, RateLimiter, rate_limiter
from api.schemas import ErrorDetail
from domain.history import ActorRole

bearer_scheme = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT with `sub`, `role` (customer, agent, supervisor, admin), optional `name`, "
    "and `exp`; `complaints token` mints one.",
    auto_error=False,
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKey",
    description="A system's key; the API stores only its SHA-256 (COMPLAINTS_API_KEYS_FILE).",
    auto_error=False,
)
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    **RATE_LIMITED,
    401: {
        "model": ErrorDetail,
        "description": "Missing, malformed, expired or wrongly signed credentials",
        "headers": {
            "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}},
        },
    },
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorDetail, "description": "The caller's role may not do this"}
}


def authenticator(request: Request) -> Authenticator:
    """The authenticator built from the settings at start-up."""
    return request.app.state.authenticator


Authentication = Annotated[Authenticator, Depends(authenticator)]


async def authenticate(
    request: Request,
    auth: Authentication,
    limiter: Annotated[RateLimiter, Depends(rate_limiter)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """The caller, from a bearer token or an API key; 401 when neither proves who it is, 429
    when the address sends too much or has been refused too often."""
    await limiter.request_from(request)
    await limiter.ensure_may_authenticate(request)
    try:
        return _identify(request, auth, bearer, api_key)
    except HTTPException:
        await limiter.authentication_failed(request)
        raise


def _identify(
    request: Request,
    auth: Authenticator,
    bearer: HTTPAuthorizationCredentials | None,
    api_key: str | None,
) -> Principal:
    try:
        if bearer is not None and api_key is not None:
            raise InvalidCredentials("send a bearer token or an API key, not both")
        if bearer is not None:
            return auth.from_token(bearer.credentials)
        if api_key is not None:
            return auth.from_api_key(api_key)
        if "authorization" in request.headers:
            raise InvalidCredentials("the Authorization header must be 'Bearer <token>'")
    except InvalidCredentials as err:
        raise _unauthorized(str(err), 'Bearer error="invalid_token"') from None
    raise _unauthorized(
        "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key'", "Bearer"
    )


Authenticated = Annotated[Principal, Depends(authenticate)]


def allow(*roles: ActorRole) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting callers with one of these roles; 403 for the others."""
    allowed = ", ".join(roles)

    async def permitted(principal: Authenticated) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"a caller with role {principal.role} may not do this (allowed: {allowed})",
            )
        return principal

    return permitted


Admin = Annotated[Principal, Depends(allow(ActorRole.ADMIN))]


def _unauthorized(detail: str, challenge: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )
