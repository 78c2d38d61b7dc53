"""Continuity agent: does this clip fit the body of work (the session or a named project)?"""

from __future__ import annotations

from typing import Any

from sonicgrid.agents import words as w
from sonicgrid.agents.base import Judgment


def fit_components(clip: dict[str, Any], body: list[dict[str, Any]]) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Fit 0..1 of a clip's analysis against the body of work; components; revise targets.

    The statistics live in sonicgrid.memory.continuity (key relation, tempo ratio, timbre distance
    to the project centroid, mood drift; targets for key, tempo and palette)."""
    from sonicgrid.memory.continuity import fit

    return fit(clip, body)


def judgment(
    *,
    fit: float,
    components: dict[str, Any],
    targets: dict[str, Any],
    body_size: int,
    project: str | None,
    revision: int,
    max_revisions: int,
    remaining_s: float,
    revise_estimate_s: float,
) -> Judgment:
    can_revise = body_size > 0 and revision < max_revisions and revise_estimate_s <= remaining_s
    allowed = ["fit", "revise"] if can_revise else ["fit"]
    worst = min(components, key=lambda k: components[k]["value"]) if components else None
    evidence = {
        "fit": fit,
        "components": components,
        "targets": targets,
        "body_size": body_size,
        "project": project,
        "revision": revision,
        "max_revisions": max_revisions,
    }
    words = {
        "fit to the body of work": w.fit(fit) if body_size else "no earlier work",
        "worst aspect": worst or "none",
        "revisions left": w.yes(revision < max_revisions),
    }

    def rules() -> tuple[str, float, str]:
        if body_size == 0:
            return "fit", 0.9, "first clip of this body of work: nothing to clash with"
        if fit < w.FIT_BAR and "revise" in allowed:
            return "revise", 0.8, f"fit {fit:.2f} < {w.FIT_BAR:.2f} (worst: {worst}); revise toward {targets}"
        return "fit", min(0.95, 0.4 + fit / 2), f"fit {fit:.2f} to {body_size} earlier clips"

    explain = {
        "fit": f"fit to the body of work: {w.fit(fit)}",
        "revise": f"the clip's {worst} clashes with the body of work",
    }
    return Judgment("continuity", evidence, words, allowed, rules, explain)
