"""What the nodes of a cell's loop share: reading the cell state (budget left, the clip it works on, its best
attempt, the values the user or the plan fixed) and recording a verdict."""

from __future__ import annotations

from typing import Any

from sonicgrid.agents.verdict import Verdict
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import Best, CellState, Json


def remaining(state: CellState) -> float:
    return state["budget_s"] - state.get("spent_s", 0.0)


def reference(state: CellState) -> Json:
    """The clip an "extend" continues (Decision allows extend only when there is one)."""
    ref = state.get("reference")
    if ref is None:
        raise ValueError("extend without a reference clip")
    return ref


def best_of(state: CellState) -> Best:
    """The cell's best attempt (Continuity runs only after one was analysed)."""
    best = state.get("best")
    if best is None:
        raise ValueError("continuity before any analysed attempt")
    return best


def candidate_path(state: CellState) -> str:
    path = state.get("candidate_path")
    if not path:
        raise ValueError("analyze without a candidate")
    return path


def source(state: CellState) -> str:
    """The library clip a reuse, enhance or extend decision works on."""
    source = state.get("source_id")
    if not source:
        raise ValueError(f"{state.get('decision')} without a library clip")
    return source


def named_tool(state: CellState) -> str:
    name = state.get("tool")
    if not name:
        raise ValueError("act without an approved tool")
    return name


def capability(state: CellState) -> str:
    return f"layer:{state['cell']['layer']}"


def regen_estimate(state: CellState, svc: Services) -> float:
    """What one more generation of this cell would cost (inf when no generator can do it)."""
    tool = svc.registry.pick("generator", capability(state))
    return tool.cost.estimate(state["cell"]["duration_s"]) if tool else float("inf")


LOCKED = ("key", "mode", "tempo_bpm", "progression")


_BRIEF_FIELD = {"key": "key", "mode": "mode", "tempo_bpm": "tempo_bpm", "progression": "key"}


def locked(state: CellState) -> set[str]:
    """Values the plan fixed for every cell of the arrangement, or the user said: no agent changes them."""
    said = set(state["brief"].get("explicit") or [])
    plan = state["cell"].get("params") or {}
    return {k for k in LOCKED if k in plan or _BRIEF_FIELD[k] in said}


def unlocked(params: dict[str, Any], state: CellState) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params an agent may change, the ones it proposed on locked values)."""
    fixed = locked(state)
    return {k: v for k, v in params.items() if k not in fixed}, {k: v for k, v in params.items() if k in fixed}


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 0.02 * max(abs(float(b)), 1.0)
    return bool(a == b)


def tag(v: Verdict, state: CellState) -> dict[str, Any]:
    d = v.model_dump()
    d["cell"] = state["cell"]["index"]
    d["attempt"] = state.get("attempt", 0)
    return d


def made_by(c: dict[str, Any]) -> str | None:
    """The tool whose output a finished cell holds: its generator, or, for a reuse, the stored clip's."""
    return c.get("tool") or (c.get("meta") or {}).get("source_tool")
