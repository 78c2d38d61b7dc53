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
    history: list[dict[str, Any]]  # earlier turns of a conversation (clip ids, briefs)
    brief: dict[str, Any]
    plan: list[dict[str, Any]]  # the grid: one cell per (section, layer, variation)
    arrangement: dict[str, Any]  # sections, variations, shared key/tempo per variation, notes (graph/arrange.py)
    cells: Annotated[list[dict[str, Any]], operator.add]
    verdicts: Annotated[list[dict[str, Any]], operator.add]
    tool_calls: Annotated[list[dict[str, Any]], operator.add]
    timings: Annotated[list[dict[str, Any]], operator.add]
    result: dict[str, Any]


class CellState(TypedDict, total=False):
    cell: dict[str, Any]  # index, section, layer, duration_s
    brief: dict[str, Any]
    seed: int
    budget_s: float  # this cell's share of the request budget
    run_dir: str
    project: str | None
    session: str | None
    reference: dict[str, Any] | None  # a clip the request refers to ("the last one")
    candidates: list[dict[str, Any]]  # recall results
    decision: str  # generate | reuse | enhance | extend
    source_id: str | None  # library clip the decision uses
    tool: str | None
    params: dict[str, Any]  # adjustments from the gatekeeper / continuity targets
    attempt: int
    revision: int
    spent_s: float
    candidate_path: str | None
    candidate_meta: dict[str, Any]
    analysis: dict[str, Any]
    best: dict[str, Any] | None  # best attempt so far: path, score, analysis
    gate: str
    continuity: str
    outcome: str  # ok | denied
    message: str
    verdicts: Annotated[list[dict[str, Any]], operator.add]
    tool_calls: Annotated[list[dict[str, Any]], operator.add]
    timings: Annotated[list[dict[str, Any]], operator.add]


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
