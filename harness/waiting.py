"""Waiting for things that happen in other processes or threads (a bound, not a speed check)."""

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

T = TypeVar("T")


async def eventually(
    probe: Callable[[], T | Awaitable[T | None] | None], within: float = 30.0
) -> T:
    """Poll `probe` until it returns something truthy; fail after `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            result = probe()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return cast(T, result)
            await asyncio.sleep(0.05)
