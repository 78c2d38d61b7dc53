"""Typed graph state. Audio travels as file paths in the run directory, never inside the state,
so checkpoints stay small and every candidate survives a crash on disk."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

Json = dict[str, Any]  # a JSON object: what the checkpointer stores as it is
CompiledGraph = Any  # a compiled LangGraph StateGraph (its generic parameters say nothing more here)
OnEvent = Callable[[str, Json], None]  # (node, its update): the graph's progress, live


class Cell(TypedDict, total=False):
    """One grid cell: a (section, layer) of one variation, placed on the clip's timeline (graph/arrange.py)."""

    index: int
    section: str
    layer: str
    variant: int
    start_s: float
    duration_s: float
    section_start_s: float
    params: Json  # the arrangement's shared key/tempo/arc for this cell


class Candidate(TypedDict):
    """A library clip recall found for a cell, with the similarity that ranked it (memory/search.py)."""

    id: str
    similarity: float
    text_similarity: float
    components: Json
    reasons: list[str]
    meta: Json
    path: str


class Best(TypedDict):
    """The best attempt of a cell so far: its file, the gatekeeper's score, what the analysts heard."""

    path: str
    score: float
    analysis: Json  # tools/analysts/base.py Analysis.as_dict()
    meta: Json


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
    plan: list[Cell]  # the grid: one cell per (section, layer, variation)
    arrangement: dict[str, Any]  # sections, variations, shared key/tempo per variation, notes (graph/arrange.py)
    cells: Annotated[list[dict[str, Any]], operator.add]
    verdicts: Annotated[list[dict[str, Any]], operator.add]
    tool_calls: Annotated[list[dict[str, Any]], operator.add]
    timings: Annotated[list[dict[str, Any]], operator.add]
    result: dict[str, Any]


class CellState(TypedDict, total=False):
    cell: Cell
    brief: dict[str, Any]
    seed: int
    budget_s: float  # this cell's share of the request budget
    run_dir: str
    project: str | None
    session: str | None
    reference: dict[str, Any] | None  # a clip the request refers to ("the last one")
    candidates: list[Candidate]  # recall results
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
    best: Best | None  # best attempt so far
    gate: str
    continuity: str
    outcome: str  # ok | denied
    message: str
    verdicts: Annotated[list[dict[str, Any]], operator.add]
    tool_calls: Annotated[list[dict[str, Any]], operator.add]
    timings: Annotated[list[dict[str, Any]], operator.add]


def cell_output(state: CellState) -> dict[str, Any]:
    """What a finished cell hands back to the run."""
    best: Json = dict(state.get("best") or {})
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
