"""Quality Gatekeeper: is this good enough to exist, and is it what was asked? Below the bar, regenerate
(within limits).

Two judgments, both in the evidence: (1) the critic's P(good audio) and the 1-10 score it gives (or the DSP
score where the pretrained ears are absent); (2) the brief checks (layers asked/excluded, tempo, key, mood
energy, length). A violation caps the score below the bar (BRIEF_MARGIN under it, whatever the bar), so
the words the LLM judge reads ("below the bar", the weakest aspect) carry the violation and the rules and
the LLM choose alike."""

from __future__ import annotations

from typing import Any

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment

BRIEF_MARGIN = 1.0  # a clip that ignores the brief scores at least this far under the bar


def adjustments(components: dict[str, Any], brief: dict[str, Any], attempt: int) -> dict[str, Any]:
    """Concrete parameter changes for a regeneration, from the weakest score components."""
    params: dict[str, Any] = {"seed_offset": 101 * (attempt + 1)}
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
        elif name in ("tempo", "brief_tempo") and brief.get("tempo_bpm"):
            params["tempo_bpm"] = brief["tempo_bpm"]
        elif name == "brief_key" and brief.get("key"):
            params["key"] = brief["key"]
            params["mode"] = brief.get("mode") or "major"
        elif name in ("brief_layers", "brief_mood", "critic"):
            params["program_shift"] = 5 + attempt
            params["density"] = 0.5 if "drums" in comp.get("measured", "") else params.get("density", 0.7)
    return params


def brief_violations(quality: dict[str, Any] | None) -> list[str]:
    return list(((quality or {}).get("brief") or {}).get("violations") or [])


def judgment(
    *,
    score: float,
    components: dict[str, Any],
    threshold: float,
    attempt: int,
    max_retries: int,
    remaining_s: float,
    regen_estimate_s: float,
    quality: dict[str, Any] | None = None,
) -> Judgment:
    violations = brief_violations(quality)
    heard = score
    if violations:  # sounds fine or not, a clip that ignores the brief is below the bar
        score = min(score, threshold - BRIEF_MARGIN)
    can_retry = attempt < max_retries and regen_estimate_s <= remaining_s
    allowed = ["pass"] if score >= threshold else (["regenerate", "accept_best"] if can_retry else ["accept_best"])
    weakest = min(components, key=lambda k: components[k]["value"]) if components else None
    if violations:
        weakest = next((k for k, c in components.items() if k.startswith("brief_") and c["value"] <= 0), weakest)
    q = quality or {}
    evidence = {
        "score": score,
        "audio_score": heard,
        "critic": q.get("critic"),
        "brief": {"violations": violations, "checks": (q.get("brief") or {}).get("checks", {})},
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

    ignored = f"; ignores the brief ({'; '.join(violations)})" if violations else ""

    def rules() -> tuple[str, float, str]:
        if score >= threshold:
            return "pass", min(0.99, 0.6 + (score - threshold) / 10), f"scored {score:.1f}/10, bar is {threshold:.1f}"
        if "regenerate" in allowed:
            return "regenerate", 0.85, f"scored {score:.1f}/10 < {threshold:.1f}; weakest: {weakest}{ignored}"
        why = "no retries left" if attempt >= max_retries else "no budget for another try"
        return (
            "accept_best",
            0.5,
            f"scored {score:.1f}/10 < {threshold:.1f}{ignored} but {why}: keeping the best attempt",
        )

    explain = {
        "pass": f"the clip is {w.score_vs_bar(score, threshold)}",
        "regenerate": f"the clip is {w.score_vs_bar(score, threshold)}; weakest: {weakest}{ignored}",
        "accept_best": "below the bar and out of retries or budget: keep the best attempt",
    }
    return Judgment("gatekeeper", evidence, words, allowed, rules, explain)
