"""The YAML suite format. Everything that forces a situation is data: preloaded clips, budget,
thresholds, project, session. See docs/evals.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sonicgrid.errors import UserError

AGENTS = ("intake", "decision", "cost_guardian", "gatekeeper", "continuity")


class ClipSpec(BaseModel):
    """A clip to preload, made by the embedded generator for its layer; `quality` overrides the score."""

    model_config = ConfigDict(extra="forbid")
    prompt: str
    mood: str = "calm"
    section: str = "loop"
    layer: str = "harmony"
    duration_s: float = 3.0
    key: str | None = None
    mode: str | None = None
    tempo_bpm: float | None = None
    seed: int = 0
    quality: float | None = None
    project: str | None = None
    session: str | None = None


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    duration_s: float | None = None
    seed: int = 0
    expect: dict[str, Any] = Field(
        default_factory=dict, description="agent -> choice (or list of choices); intake -> {field: value}"
    )


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    description: str = ""
    library: list[ClipSpec] = Field(default_factory=list)
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="Settings overrides: budget_s, quality_threshold, reuse_threshold, max_retries, max_revisions",
    )
    project: str | None = None
    session: str | None = None
    requests: list[Request]


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["agents", "e2e"] = Field(
        default="agents", description="agents: score verdicts; e2e: the analysts check the rendered audio"
    )
    description: str = ""
    settings: dict[str, Any] = Field(default_factory=dict, description="defaults for every scenario")
    scenarios: list[Scenario]


ALLOWED_SETTINGS = {
    "budget_s",
    "quality_threshold",
    "reuse_threshold",
    "max_retries",
    "max_revisions",
    "target_lufs",
    "sample_rate",
}


def load(path: Path) -> Suite:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such suite: {path}")
    try:
        suite = Suite(**(yaml.safe_load(path.read_text()) or {}))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        e = exc.errors()[0]
        raise UserError(f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}") from exc
    ids = set()
    for sc in suite.scenarios:
        if sc.id in ids:
            raise UserError(f"{path}: duplicate scenario id {sc.id!r}")
        ids.add(sc.id)
        bad = set(suite.settings | sc.settings) - ALLOWED_SETTINGS
        if bad:
            raise UserError(f"{path}: scenario {sc.id}: unknown setting(s) {', '.join(sorted(bad))}")
        for r in sc.requests:
            unknown = set(r.expect) - set(AGENTS) - ({"audio"} if suite.kind == "e2e" else set())
            if unknown:
                raise UserError(f"{path}: scenario {sc.id}: unknown agent(s) {', '.join(sorted(unknown))}")
    if suite.kind == "e2e":
        from sonicgrid.evals.e2e import CHECKS

        for sc in suite.scenarios:
            for r in sc.requests:
                bad = set(r.expect.get("audio", {})) - set(CHECKS)
                if bad:
                    raise UserError(f"{path}: scenario {sc.id}: unknown audio check(s) {', '.join(sorted(bad))}")
    return suite
