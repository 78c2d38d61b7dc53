"""Continuity agent: does this clip fit the body of work (the session or a named project)?"""

from __future__ import annotations

import numpy as np

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment
from sonicgrid.tools.analysts.keytempo import key_distance
from sonicgrid.tools.analysts.mood import MOOD_POINTS

CHOICES = ("fit", "revise")


def fit_components(clip: dict, body: list[dict]) -> tuple[float, dict, dict]:
    """Fit 0..1 of a clip's analysis against the body of work's metadata; components; revise targets."""
    if not body:
        return 1.0, {}, {}
    keys = [(b["key"], b.get("mode", "major")) for b in body if b.get("key")]
    comps: dict[str, dict] = {}
    targets: dict = {}
    if keys:
        k, m = max(set(keys), key=keys.count)
        dist = key_distance(clip["key"], clip["mode"], k, m)
        comps["key"] = {"value": round(float(max(0.0, 1 - dist / 3)), 3), "measured": f"{clip['key']} {clip['mode']} vs {k} {m}"}
        targets.update(key=k, mode=m)
    tempos = [float(b["tempo_bpm"]) for b in body if b.get("tempo_bpm")]
    if tempos and clip.get("tempo_bpm"):
        med = float(np.median(tempos))
        r = abs(np.log2(clip["tempo_bpm"] / med))
        r = min(r, abs(r - 1))  # half/double time is related
        comps["tempo"] = {"value": round(float(max(0.0, 1 - r * 4)), 3), "measured": f"{clip['tempo_bpm']:.0f} vs {med:.0f} bpm"}
        targets["tempo_bpm"] = round(med, 1)
    vecs = [b["embedding"] for b in body if b.get("embedding")]
    if vecs and clip.get("embedding"):
        c = np.mean(np.asarray(vecs, float), axis=0)
        v = np.asarray(clip["embedding"], float)
        cos = float(v @ c / (np.linalg.norm(v) * np.linalg.norm(c) + 1e-9))
        comps["timbre"] = {"value": round(max(0.0, cos), 3), "measured": f"cosine {cos:.2f} to project centroid"}
    moods = [b["mood"] for b in body if b.get("mood") in MOOD_POINTS]
    if moods and clip.get("mood") in MOOD_POINTS:
        pv = np.mean([MOOD_POINTS[m] for m in moods], axis=0)
        drift = float(np.hypot(*(np.asarray(MOOD_POINTS[clip["mood"]]) - pv)))
        comps["mood"] = {"value": round(max(0.0, 1 - drift / 1.5), 3), "measured": f"{clip['mood']} vs project"}
    weights = {"key": 0.35, "tempo": 0.25, "timbre": 0.2, "mood": 0.2}
    tot = sum(weights[k] for k in comps)
    score = sum(weights[k] * comps[k]["value"] for k in comps) / tot if tot else 1.0
    return round(float(score), 3), comps, targets


def judgment(*, fit: float, components: dict, targets: dict, body_size: int, project: str | None,
             revision: int, max_revisions: int, remaining_s: float, revise_estimate_s: float) -> Judgment:
    can_revise = body_size > 0 and revision < max_revisions and revise_estimate_s <= remaining_s
    allowed = ["fit", "revise"] if can_revise else ["fit"]
    worst = min(components, key=lambda k: components[k]["value"]) if components else None
    evidence = {"fit": fit, "components": components, "targets": targets, "body_size": body_size,
                "project": project, "revision": revision, "max_revisions": max_revisions}
    words = {"fit to the body of work": w.fit(fit) if body_size else "no earlier work",
             "worst aspect": worst or "none", "revisions left": w.yes(revision < max_revisions)}

    def rules() -> tuple[str, float, str]:
        if body_size == 0:
            return "fit", 0.9, "first clip of this body of work: nothing to clash with"
        if fit < 0.6 and "revise" in allowed:
            return "revise", 0.8, f"fit {fit:.2f} < 0.60 (worst: {worst}); revise toward {targets}"
        return "fit", min(0.95, 0.4 + fit / 2), f"fit {fit:.2f} to {body_size} earlier clips"

    explain = {"fit": f"the clip is a {w.fit(fit)} to the body of work",
               "revise": f"the clip's {worst} clashes with the body of work"}
    return Judgment("continuity", evidence, words, allowed, rules, explain)
