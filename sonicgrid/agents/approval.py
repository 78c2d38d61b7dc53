"""Human approval (--approve): the question put to the user, and their answer as a verdict."""

from __future__ import annotations

from typing import Any

from sonicgrid.agents.verdict import Verdict

YES = frozenset({"y", "yes", "ok", "approve", "true", "1", "go"})


def needs_approval(estimate_s: float, approve_over_s: float | None) -> bool:
    """Ask a human only when approval is on and the job is estimated above its limit."""
    return approve_over_s is not None and estimate_s > approve_over_s


def question(*, tool: str, estimate_s: float, cell: int, layer: str, attempt: int, guardian: str) -> dict[str, Any]:
    return {
        "question": f"run {tool} for cell {cell} ({layer}), ~{estimate_s:.2f}s of compute?",
        "tool": tool,
        "estimate_s": round(estimate_s, 3),
        "cell": cell,
        "attempt": attempt,
        "guardian": guardian,
    }


def verdict(answer: object, *, tool: str, estimate_s: float, approve_over_s: float | None) -> Verdict:
    """The user's answer, recorded like any agent's verdict."""
    ok = str(answer).strip().lower() in YES
    return Verdict(
        agent="human",
        choice="approve" if ok else "deny",
        confidence=1.0,
        reason=f"the user answered {str(answer)!r}",
        evidence={"estimate_s": round(estimate_s, 3), "approve_over_s": approve_over_s, "tool": tool},
        allowed=["approve", "deny"],
        brain="human",
    )
