"""Cost Guardian: does this justify the compute? approve, downgrade to a cheaper tool, or deny."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment

# A library clip can stand in for a denied job when it is within this share of the reuse bar (and above
# the quality bar): not close enough to reuse outright, close enough to keep rather than nothing.
FALLBACK_SHARE_OF_REUSE_BAR = 0.9


def fallback_quality(
    candidates: Sequence[Mapping[str, Any]], *, reuse_threshold: float, quality_threshold: float
) -> float | None:
    """The quality of the best library candidate if it could stand in for a denied job, else None."""
    if not candidates:
        return None
    best = candidates[0]
    q = float(best["meta"].get("quality", 0))
    close = best["similarity"] >= reuse_threshold * FALLBACK_SHARE_OF_REUSE_BAR
    return q if close and q >= quality_threshold else None


def for_job(
    *,
    tool: str,
    quality_prior: float,
    estimate_s: float,
    remaining_s: float,
    budget_s: float,
    candidates: Sequence[Mapping[str, Any]],
    cheaper: list[tuple[str, float]],
    reuse_threshold: float,
    quality_threshold: float,
) -> Judgment:
    """The judgment for running `tool`: the expected gain is its quality prior over what a fallback clip
    already gives (over nothing when no clip can stand in)."""
    fallback = fallback_quality(candidates, reuse_threshold=reuse_threshold, quality_threshold=quality_threshold)
    return judgment(
        tool=tool,
        estimate_s=estimate_s,
        remaining_s=remaining_s,
        budget_s=budget_s,
        expected_gain=quality_prior - (fallback or 0.0),
        cheaper=cheaper,
        has_fallback=fallback is not None,
    )


def downgrade_to(cheaper: list[tuple[str, float]], remaining_s: float) -> str:
    """The tool a downgrade runs: the first (most capable) cheaper one that fits what is left."""
    return next(name for name, est in cheaper if est <= remaining_s)


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
