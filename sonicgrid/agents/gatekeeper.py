"""Quality Gatekeeper: is this good enough to exist? Below the bar, regenerate (within limits)."""

from __future__ import annotations

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment

CHOICES = ("pass", "regenerate", "accept_best")


def adjustments(components: dict, brief: dict, attempt: int) -> dict:
    """Concrete parameter changes for a regeneration, from the weakest score components."""
    params: dict = {"seed_offset": 101 * (attempt + 1)}
    weak = sorted(components.items(), key=lambda kv: kv[1]["value"])[:2]
    for name, comp in weak:
        if comp["value"] >= 0.8:
            continue
        if name == "clipping":
            params["velocity"] = 60
        elif name in ("loudness", "silence"):
            params["velocity"] = 100
            params["density"] = 0.5
        elif name == "brightness":
            params["lowpass_hz"] = 0 if "below" in comp.get("measured", "") else 3000
            params["program_shift"] = 1
        elif name == "mood_match":
            params["program_shift"] = 8
            if brief.get("mood") in ("moody", "tense", "epic") and not brief.get("mode"):
                params["mode"] = "minor"
        elif name == "tempo" and brief.get("tempo_bpm"):
            params["tempo_bpm"] = brief["tempo_bpm"]
    return params


def judgment(
    *,
    score: float,
    components: dict,
    threshold: float,
    attempt: int,
    max_retries: int,
    remaining_s: float,
    regen_estimate_s: float,
) -> Judgment:
    can_retry = attempt < max_retries and regen_estimate_s <= remaining_s
    allowed = ["pass"] if score >= threshold else (["regenerate", "accept_best"] if can_retry else ["accept_best"])
    weakest = min(components, key=lambda k: components[k]["value"]) if components else None
    evidence = {
        "score": score,
        "threshold": threshold,
        "attempt": attempt,
        "max_retries": max_retries,
        "remaining_s": round(remaining_s, 3),
        "regen_estimate_s": round(regen_estimate_s, 3),
        "weakest": weakest,
        "components": components,
    }
    words = {
        "score": w.score_vs_bar(score, threshold),
        "weakest aspect": weakest or "none",
        "retries left": w.yes(attempt < max_retries),
        "budget for another try": w.yes(regen_estimate_s <= remaining_s),
    }

    def rules() -> tuple[str, float, str]:
        if score >= threshold:
            return "pass", min(0.99, 0.6 + (score - threshold) / 10), f"scored {score:.1f}/10, bar is {threshold:.1f}"
        if "regenerate" in allowed:
            return "regenerate", 0.85, f"scored {score:.1f}/10 < {threshold:.1f}; weakest: {weakest}"
        why = "no retries left" if attempt >= max_retries else "no budget for another try"
        return "accept_best", 0.5, f"scored {score:.1f}/10 < {threshold:.1f} but {why}: keeping the best attempt"

    explain = {
        "pass": f"the clip is {w.score_vs_bar(score, threshold)}",
        "regenerate": f"the clip is {w.score_vs_bar(score, threshold)}; weakest: {weakest}",
        "accept_best": "below the bar and out of retries or budget: keep the best attempt",
    }
    return Judgment("gatekeeper", evidence, words, allowed, rules, explain)
