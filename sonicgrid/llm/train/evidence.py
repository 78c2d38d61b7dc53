"""Randomised evidence for the four judgment agents, decided by the REAL judgment builders.

Each sample calls the agent's own `judgment(...)` (sonicgrid/agents/*.py): the label is the rules
brain's choice and the allowed list is the code-enforced limit, exactly as in a run. Values are
drawn around the thresholds on purpose (hard cases), plus the easy bulk.
"""

from __future__ import annotations

import random

from sonicgrid.agents import continuity, cost_guardian, decision, gatekeeper
from sonicgrid.agents.base import Judgment

QUALITY_ASPECTS = ("clipping", "loudness", "silence", "brightness", "mood_match", "tempo")
FIT_ASPECTS = ("key", "tempo", "timbre", "mood")
TOOLS = ("soundfont-composer", "musicgen-small", "riffusion-v1", "spectral-painter")


def _near(rng: random.Random, centre: float, spread: float, lo: float, hi: float) -> float:
    """Half the time close to a threshold, half the time anywhere in range."""
    x = rng.gauss(centre, spread) if rng.random() < 0.5 else rng.uniform(lo, hi)
    return min(hi, max(lo, x))


def decision_j(rng: random.Random) -> Judgment:
    reuse_t = rng.choice([0.8, 0.8, 0.75, 0.85])
    quality_t = rng.choice([5.0, 5.0, 6.0, 4.0])
    dur = rng.choice([4.0, 8.0, 12.0, 16.0, 30.0])
    action = rng.choices(["new", "extend", "vary"], [0.75, 0.15, 0.1])[0]
    cands = []
    if rng.random() < 0.85:
        sim = _near(rng, reuse_t, 0.06, 0.2, 1.0)
        q = _near(rng, quality_t, 0.8, 0.5, 9.8)
        cdur = dur if rng.random() < 0.6 else dur * rng.choice([0.5, 0.8, 1.1, 1.3, 2.0])
        cands.append(
            {"id": "clip_cand", "similarity": round(sim, 3), "meta": {"quality": round(q, 2), "duration_s": cdur}}
        )
    reference = {"id": "clip_prev"} if (action == "extend" and rng.random() < 0.9) or rng.random() < 0.15 else None
    brief = {"prompt": "", "duration_s": dur, "action": action}
    return decision.judgment(brief, cands, reference, reuse_threshold=reuse_t, quality_threshold=quality_t)


def gatekeeper_j(rng: random.Random) -> Judgment:
    threshold = rng.choice([5.0, 5.0, 6.0, 4.0, 7.0])
    score = _near(rng, threshold, 0.7, 0.5, 9.9)
    comps = {a: {"value": round(rng.uniform(0.1, 1.0), 2)} for a in rng.sample(QUALITY_ASPECTS, rng.randint(2, 6))}
    max_retries = rng.choice([1, 2, 2, 3])
    return gatekeeper.judgment(
        score=round(score, 2),
        components=comps,
        threshold=threshold,
        attempt=rng.randint(0, max_retries),
        max_retries=max_retries,
        remaining_s=round(rng.uniform(0.0, 60.0), 2),
        regen_estimate_s=round(rng.choice([rng.uniform(0.2, 5.0), rng.uniform(5.0, 80.0)]), 2),
    )


def cost_guardian_j(rng: random.Random) -> Judgment:
    remaining = rng.choice([rng.uniform(0.5, 60.0), rng.uniform(0.0, 5.0)])
    ratio = rng.choice(
        [rng.uniform(0.01, 0.3), rng.uniform(0.3, 1.5), rng.uniform(1.0, 5.0), _near(rng, 1.0, 0.1, 0.01, 5.0)]
    )
    estimate = ratio * max(remaining, 0.1)
    cheaper = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        cheaper.append((rng.choice(TOOLS), round(estimate * rng.uniform(0.05, 0.9), 3)))
    cheaper.sort(key=lambda c: c[1])
    gain = rng.choice([rng.uniform(-1.0, -0.01), rng.uniform(0.01, 1.0), rng.uniform(1.0, 5.0)])
    return cost_guardian.judgment(
        tool=rng.choice(TOOLS),
        estimate_s=estimate,
        remaining_s=remaining,
        budget_s=60.0,
        expected_gain=gain,
        cheaper=cheaper,
        has_fallback=rng.random() < 0.5,
    )


def continuity_j(rng: random.Random) -> Judgment:
    body = rng.choice([0, 0, 1, 3, 8])
    fit = _near(rng, 0.6, 0.08, 0.0, 1.0) if body else 1.0
    comps = (
        {a: {"value": round(rng.uniform(0.0, 1.0), 2)} for a in rng.sample(FIT_ASPECTS, rng.randint(2, 4))}
        if body
        else {}
    )
    max_rev = rng.choice([0, 1, 1, 2])
    return continuity.judgment(
        fit=round(fit, 3),
        components=comps,
        targets={},
        body_size=body,
        project=None,
        revision=rng.randint(0, max_rev),
        max_revisions=max_rev,
        remaining_s=round(rng.uniform(0.0, 60.0), 2),
        revise_estimate_s=round(rng.choice([rng.uniform(0.2, 5.0), rng.uniform(5.0, 80.0)]), 2),
    )


BUILDERS = {
    "decision": decision_j,
    "gatekeeper": gatekeeper_j,
    "cost_guardian": cost_guardian_j,
    "continuity": continuity_j,
}
