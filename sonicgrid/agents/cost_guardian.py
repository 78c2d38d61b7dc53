"""Cost Guardian: does this justify the compute? approve, downgrade to a cheaper tool, or deny."""

from __future__ import annotations

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment

CHOICES = ("approve", "downgrade", "deny")


def judgment(
    *,
    tool: str,
    estimate_s: float,
    remaining_s: float,
    budget_s: float,
    expected_gain: float,
    cheaper: list[tuple[str, float]],
    has_fallback: bool,
) -> Judgment:
    """cheaper: (tool name, estimate) alternatives that cost less. has_fallback: a reuse candidate exists."""
    fits = [c for c in cheaper if c[1] <= remaining_s]
    allowed = []
    if estimate_s <= remaining_s:
        allowed.append("approve")
    if fits:
        allowed.append("downgrade")
    # Denying leaves the user nothing unless a library clip can stand in, or nothing is affordable:
    # deny is on the table only then.
    if has_fallback or not allowed:
        allowed.append("deny")
    evidence = {
        "tool": tool,
        "estimate_s": round(estimate_s, 3),
        "remaining_s": round(remaining_s, 3),
        "budget_s": budget_s,
        "expected_gain": round(expected_gain, 2),
        "cheaper": [{"tool": n, "estimate_s": round(e, 3)} for n, e in cheaper],
        "has_fallback": has_fallback,
    }
    words = {
        "cost": w.budget(estimate_s, remaining_s),
        "expected improvement": w.gain(expected_gain),
        "cheaper tool that fits": w.yes(bool(fits)),
        "existing clip to fall back on": w.yes(has_fallback),
    }

    def rules() -> tuple[str, float, str]:
        if "approve" in allowed and (expected_gain > 0 or not has_fallback):
            return "approve", 0.9, f"{tool} needs ~{estimate_s:.2f}s of {remaining_s:.2f}s left"
        if "approve" in allowed and has_fallback and estimate_s < w.CHEAP_SHARE * remaining_s:
            return "approve", 0.6, f"cheap enough (~{estimate_s:.2f}s) to try for a gain"
        if "downgrade" in allowed:
            name, est = fits[0]
            return (
                "downgrade",
                0.8,
                f"{tool} (~{estimate_s:.2f}s) exceeds {remaining_s:.2f}s left; {name} fits (~{est:.2f}s)",
            )
        if has_fallback:
            return "deny", 0.85, "not worth the compute: an existing clip is as good as this would be"
        return "deny", 0.95, f"no tool fits the remaining budget ({remaining_s:.2f}s)"

    explain = {
        "approve": f"the cost is {w.budget(estimate_s, remaining_s)} for the expected gain",
        "downgrade": "a cheaper tool does the job within the budget",
        "deny": "the compute is not justified or not affordable",
    }
    return Judgment("cost_guardian", evidence, words, allowed, rules, explain)
