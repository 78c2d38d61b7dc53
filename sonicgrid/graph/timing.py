"""Wrap node functions so each records its wall time in the state's `timings` list."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any


def timed(name: str, fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(fn)
    def node(state: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        update = fn(state, *args, **kwargs) or {}
        cell = state.get("cell", {}).get("index") if isinstance(state, dict) else None
        update = dict(update)
        update["timings"] = list(update.get("timings", [])) + [
            {"node": name, "cell": cell, "ms": round((time.perf_counter() - t0) * 1000, 2)}
        ]
        return update

    return node


def tool_call(
    tool: str, role: str, cell: int | None, seconds: float, audio_s: float, estimate_s: float, **extra: Any
) -> dict[str, Any]:
    return {
        "tool": tool,
        "role": role,
        "cell": cell,
        "seconds": round(seconds, 4),
        "audio_s": round(audio_s, 3),
        "estimate_s": round(estimate_s, 4),
        **extra,
    }
