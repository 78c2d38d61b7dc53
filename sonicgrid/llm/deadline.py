"""An overall deadline for a call to a model outside this process.

An HTTP client's timeouts are per read: a server that trickles one byte every few seconds never
trips them. Here the whole call is cancelled when its time is up: coroutines by asyncio (the socket
is closed), blocking calls by returning on time from a worker thread (which ends with its own
client's timeout)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from sonicgrid.errors import ModelUnavailable

T = TypeVar("T")


class LLMTimeout(ModelUnavailable):
    """A model call ran past its overall deadline."""


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_async(make: Callable[[], Awaitable[T]], seconds: float, what: str) -> T:
    """Run the coroutine to completion within `seconds` (from a sync caller), else LLMTimeout."""

    async def bounded() -> T:
        return await asyncio.wait_for(make(), seconds)

    try:
        if not _in_running_loop():
            return asyncio.run(bounded())
        with ThreadPoolExecutor(1) as pool:  # this thread runs a loop already: use a fresh one elsewhere
            return pool.submit(asyncio.run, bounded()).result()
    except TimeoutError as exc:
        raise LLMTimeout(f"{what} did not answer within {seconds:g} s") from exc


_POOL = ThreadPoolExecutor(4, thread_name_prefix="sonicgrid-llm")


def run_blocking(fn: Callable[[], T], seconds: float, what: str) -> T:
    """Run a blocking call, returning within `seconds` whatever it does (else LLMTimeout)."""
    fut = _POOL.submit(fn)
    try:
        return fut.result(timeout=seconds)
    except FutureTimeout as exc:
        fut.cancel()
        raise LLMTimeout(f"{what} did not answer within {seconds:g} s") from exc
