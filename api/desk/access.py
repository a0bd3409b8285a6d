"""Who is at the desk (the SSO proxy's bearer token, else the session cookie; staff only), and
the fields of a posted form, refused unless it carries the session's CSRF token."""

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request
from temporalio.client import Client

from api.credentials import Authenticator, InvalidCredentials
from api.desk.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    DeskKeys,
    DeskRefusal,
    DeskUser,
    csrf_matches,
    refuse_customers,
)
from api.rate_limits import RateLimiter
from domain.policy_files import PolicySet

T = TypeVar("T")


def keys(request: Request) -> DeskKeys:
    return request.app.state.desk


def authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


def limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


def temporal(request: Request) -> Client:
    return request.app.state.temporal_client


def policies(request: Request) -> PolicySet:
    return request.app.state.policies


async def limited(call: Awaitable[T]) -> T:
    """A rate limit's 429 as a desk page."""
    try:
        return await call
    except HTTPException as err:
        raise DeskRefusal(
            err.status_code, "Too many requests", str(err.detail), dict(err.headers or {})
        ) from None


async def desk_user(request: Request) -> DeskUser:
    """The SSO proxy's bearer token when there is one, else the session cookie; staff only."""
    rates = limiter(request)
    await limited(rates.request_from(request))
    header = request.headers.get("authorization")
    if header is not None:
        await limited(rates.ensure_may_authenticate(request))
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidCredentials("the Authorization header must be 'Bearer <token>'")
            principal = authenticator(request).from_token(token.strip())
        except InvalidCredentials as err:
            await limited(rates.authentication_failed(request))
            raise DeskRefusal(401, "Not signed in", str(err)) from None
        refuse_customers(principal)
        return keys(request).from_bearer(principal)
    cookie = request.cookies.get(SESSION_COOKIE)
    user = keys(request).from_cookie(cookie, datetime.now(UTC)) if cookie else None
    if user is None:
        raise DeskRefusal(
            401,
            "Please sign in",
            "Open the desk with a sign-in link (`make tokens` prints one per role), or through "
            "the company's single sign-on." + (" Your session has ended." if cookie else ""),
        )
    refuse_customers(user.principal)
    return user


async def form_data(request: Request, user: DeskUser) -> dict[str, str]:
    """A posted form's fields; 403 unless it carries the session's CSRF token."""
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise DeskRefusal(400, "Unreadable form", "The form's data is not UTF-8 text.") from None
    data: dict[str, str] = {}
    for name, value in pairs:
        data.setdefault(name, value)
    if not csrf_matches(user, data.get(CSRF_FIELD)):
        raise DeskRefusal(
            403,
            "This form cannot be accepted",
            "It did not carry this session's security token (it may come from another site, "
            "or from a page older than your session). Nothing was changed: reload the page "
            "and send it again.",
        )
    return data


User = Depends(desk_user)
