"""Rate limits per caller and per client address, with `limits` (moving windows, in memory).

Filing and acting count per caller (their token's subject or API key), tighter for customers
than for staff and systems; every request counts per client address; failed authentication
counts per address too, and past its limit the address gets 429 before its credentials are even
checked. One API process, one memory: behind several replicas, give each its share or point
`limits` at a shared store (Redis, Memcached).
"""

import time
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, status
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field, field_validator

from api.credentials import Principal
from api.schemas import ErrorDetail
from domain.history import ActorRole

RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorDetail,
        "description": "Too many requests from this caller or address; retry after `Retry-After`",
        "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}},
    }
}


class RateLimits(BaseModel):
    """`limits` notation, several separated by `;` (e.g. `10/minute;100/hour`)."""

    enabled: bool = True
    filing: str = Field(default="10/minute;100/hour", description="Filings per customer")
    actions: str = Field(default="60/minute;1000/hour", description="Actions per customer")
    staff: str = Field(
        default="600/minute", description="Filings and actions per staff member or system"
    )
    per_address: str = Field(default="6000/minute", description="Any request per client address")
    failed_auth: str = Field(default="60/minute", description="Refused credentials per address")

    @field_validator("filing", "actions", "staff", "per_address", "failed_auth")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_many(value)  # a ValueError names what is wrong
        return value


@dataclass
class RateLimiter:
    """Counts hits in moving windows; 429 with `Retry-After` when a window is full."""

    enabled: bool
    windows: dict[str, list[RateLimitItem]]
    """Each scope's windows, parsed once from the settings."""
    limiter: MovingWindowRateLimiter

    @classmethod
    def from_settings(cls, limits: RateLimits) -> "RateLimiter":
        scopes = ("filing", "actions", "staff", "per_address", "failed_auth")
        windows = {scope: parse_many(getattr(limits, scope)) for scope in scopes}
        return cls(limits.enabled, windows, MovingWindowRateLimiter(MemoryStorage()))

    async def filing(self, caller: Principal) -> None:
        await self._count(_customer_or_staff("filing", caller), _caller_key(caller))

    async def action(self, caller: Principal) -> None:
        await self._count(_customer_or_staff("actions", caller), _caller_key(caller))

    async def request_from(self, request: Request) -> None:
        await self._count("per_address", _address(request))

    async def ensure_may_authenticate(self, request: Request) -> None:
        """429 while the address is over its limit of refused credentials."""
        await self._count("failed_auth", _address(request), hit=False)

    async def authentication_failed(self, request: Request) -> None:
        await self._count("failed_auth", _address(request))

    async def _count(self, scope: str, key: str, hit: bool = True) -> None:
        """Count a hit (or, with `hit=False`, only test that one would fit) in every window."""
        if not self.enabled:
            return
        for item in self.windows[scope]:
            fits = self.limiter.hit if hit else self.limiter.test
            if not await fits(item, scope, key):
                raise await self._too_many(item, scope, key)

    async def _too_many(self, item: RateLimitItem, scope: str, key: str) -> HTTPException:
        stats = await self.limiter.get_window_stats(item, scope, key)
        retry_after = max(1, int(stats.reset_time - time.time()) + 1)
        return HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many requests ({item}); retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


def rate_limiter(request: Request) -> RateLimiter:
    """The app's limiter (one per process)."""
    return request.app.state.rate_limiter


def _customer_or_staff(customer_scope: str, caller: Principal) -> str:
    """A customer counts in the scope's own windows; staff and systems in their wider ones."""
    return customer_scope if caller.role is ActorRole.CUSTOMER else "staff"


def _caller_key(caller: Principal) -> str:
    return f"{caller.role}:{caller.subject}"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
