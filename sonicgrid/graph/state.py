"""Typed graph state. Audio travels as file paths in the run directory, never inside the state,
so checkpoints stay small and every candidate survives a crash on disk."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class RunState(TypedDict, total=False):
    request: str
    run_id: str
    run_dir: str
    seed: int
    budget_s: float
    duration_override: float | None
    project: str | None
    session: str | None
    history: list[dict]  # earlier turns of a conversation (clip ids, briefs)
    brief: dict
    plan: list[dict]  # the grid: one cell per (section, layer, variation)
    arrangement: dict  # sections, variations, shared key/tempo per variation, notes (graph/arrange.py)
    cells: Annotated[list[dict], operator.add]
    verdicts: Annotated[list[dict], operator.add]
    tool_calls: Annotated[list[dict], operator.add]
    timings: Annotated[list[dict], operator.add]
    result: dict


class CellState(TypedDict, total=False):
    cell: dict  # index, section, layer, duration_s
    brief: dict
    seed: int
    budget_s: float  # this cell's share of the request budget
    run_dir: str
    project: str | None
    session: str | None
    reference: dict | None  # a clip the request refers to ("the last one")
    candidates: list[dict]  # recall results
    decision: str  # generate | reuse | enhance | extend
    source_id: str | None  # library clip the decision uses
    tool: str | None
    params: dict  # adjustments from the gatekeeper / continuity targets
    attempt: int
    revision: int
    spent_s: float
    candidate_path: str | None
    candidate_meta: dict
    analysis: dict
    best: dict | None  # best attempt so far: path, score, analysis
    gate: str
    continuity: str
    outcome: str  # ok | denied
    message: str
    verdicts: Annotated[list[dict], operator.add]
    tool_calls: Annotated[list[dict], operator.add]
    timings: Annotated[list[dict], operator.add]


def cell_output(state: CellState) -> dict[str, Any]:
    """What a finished cell hands back to the run."""
    best = state.get("best") or {}
    return {
        "index": state["cell"]["index"],
        "cell": state["cell"],
        "outcome": state.get("outcome", "ok"),
        "message": state.get("message", ""),
        "decision": state.get("decision"),
        "tool": state.get("tool"),
        "source_id": state.get("source_id"),
        "path": best.get("path"),
        "score": best.get("score"),
        "analysis": best.get("analysis", {}),
        "meta": best.get("meta", {}),
        "attempts": state.get("attempt", 0),
        "revisions": state.get("revision", 0),
        "spent_s": round(state.get("spent_s", 0.0), 4),
    }
