"""Decision agent: generate vs reuse vs enhance vs extend an earlier clip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment


def judgment(
    brief: dict[str, Any],
    candidates: Sequence[Mapping[str, Any]],
    reference: Mapping[str, Any] | None,
    *,
    reuse_threshold: float,
    quality_threshold: float,
) -> Judgment:
    best = candidates[0] if candidates else None
    sim = best["similarity"] if best else None
    q = float(best["meta"].get("quality", 0)) if best else None
    dur_ok = (
        best is not None
        and abs(float(best["meta"].get("duration_s", 0)) - brief["duration_s"]) <= 0.25 * brief["duration_s"]
    )
    extend = brief.get("action") == "extend" and reference is not None
    allowed = ["generate"]
    if best and sim is not None and sim >= reuse_threshold and dur_ok:
        allowed.append("reuse")
    if best and sim is not None and sim >= reuse_threshold:
        allowed.append("enhance")
    if reference is not None:
        allowed.append("extend")
    evidence = {
        "best_candidate": best["id"] if best else None,
        "similarity": sim,
        "candidate_quality": q,
        "duration_fits": dur_ok,
        "reference": reference["id"] if reference else None,
        "action": brief.get("action"),
        "reuse_threshold": reuse_threshold,
        "quality_threshold": quality_threshold,
        "n_candidates": len(candidates),
    }
    vary = brief.get("action") == "vary"
    words = {
        "request": brief.get("prompt", ""),
        "closest clip": w.similarity(sim),
        "close enough to reuse": w.yes(sim is not None and sim >= reuse_threshold),
        "its quality": w.score_vs_bar(q, quality_threshold),
        "length fits": w.yes(dur_ok),
        "asks to extend an earlier clip": w.yes(extend),
        "asks for a variation": w.yes(vary),
    }

    def rules() -> tuple[str, float, str]:
        if extend and reference is not None:
            return "extend", 0.9, f"the request extends an earlier clip ({reference['id']})"
        if best is None or sim is None or q is None:  # reuse and enhance need a candidate
            return "generate", 0.9, "the library has nothing like this yet"
        if "reuse" in allowed and q >= quality_threshold and not vary:
            return (
                "reuse",
                min(0.95, 0.5 + sim / 2),
                f"clip {best['id']} is {w.similarity(sim)} (similarity {sim:.2f}) and scored {q:.1f}/10",
            )
        if "enhance" in allowed and q < quality_threshold and not vary:
            return "enhance", 0.7, f"clip {best['id']} matches (similarity {sim:.2f}) but scored {q:.1f}/10: enhance it"
        if vary:
            return "generate", 0.8, "the request asks for a variation, not the same clip"
        if sim < reuse_threshold:
            return (
                "generate",
                0.75,
                f"closest clip {best['id']} has similarity {sim:.2f}, under the reuse bar {reuse_threshold:.2f}",
            )
        return "generate", 0.7, f"closest clip {best['id']} is similar ({sim:.2f}) but its length does not fit"

    explain = {
        "generate": "nothing in the library is close enough to serve this request",
        "reuse": f"an existing clip is {w.similarity(sim)} and good enough",
        "enhance": "an existing clip matches but needs enhancing",
        "extend": "the request continues an earlier clip",
    }
    return Judgment("decision", evidence, words, allowed, rules, explain)
