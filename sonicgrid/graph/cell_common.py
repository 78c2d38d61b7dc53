"""What the nodes of a cell's loop share: reading the cell state (budget left, the clip it works on, its best
attempt, the values the user or the plan fixed) and recording a verdict."""

from __future__ import annotations

from typing import Any

from sonicgrid.agents.verdict import Verdict
from sonicgrid.brief import METER_NAMES
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
    """What the cell's generator must do: its layer; an atmosphere with an instrument said for its pad ("a calm loop
    with strings", "an ambient pad with a choir") is played by that instrument, which a painted pad is not."""
    layer = state["cell"]["layer"]
    if layer == "atmosphere" and "pad" in ((state["cell"].get("params") or {}).get("instruments") or {}):
        return PLAYED_PAD
    return f"layer:{layer}"


PLAYED_PAD = "layer:atmosphere:played"  # the composer's: a GM instrument on the pad


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


KEYLESS_LAYERS = ("rhythm", "texture")  # drums and grit carry no key (as honour.py judges them)


PULSE_LAYERS = ("rhythm", "harmony")  # layers that play the bar: a stem in another meter is out of step


def breaks_said(
    brief: dict[str, Any], layer: str, meta: dict[str, Any], meter: int = 4, roles: dict[str, int] | None = None
) -> str | None:
    """Why a library clip cannot stand as it is for a cell whose request said a key, mode or tempo: a tonal stem
    in another key or mode ("in D minor" is not an A minor stem, nor its relative F major), or any stem more than
    4 % off the tempo said (half and double time aside). A beat or a harmony in another meter than the cell's
    plays against it, said or not (a 4/4 drum loop under a waltz). Instruments said (`roles`, the cell's), parts
    turned down and an instrument alone hold too: a calm stem with an electric piano is no "just piano".
    None when it keeps what was said."""
    if layer in PULSE_LAYERS and int(meta.get("meter") or 4) != meter:
        return f"in {METER_NAMES[int(meta.get('meter') or 4)]}, not the {METER_NAMES[meter]} planned"
    from sonicgrid.tools.generators.parts import not_as_said

    stored = {str(r[6]): int(r[0]) for r in meta["midi"] if not r[5]} if meta.get("midi") else None
    why = not_as_said(stored, layer, roles or {}, list(brief.get("exclude_parts") or []), bool(brief.get("alone")))
    if why:
        return why
    from sonicgrid.memory.search import tempo_ratio_score

    said = set(brief.get("explicit") or [])
    if layer not in KEYLESS_LAYERS and meta.get("key"):
        if "key" in said and brief.get("key") and meta["key"] != brief["key"]:
            return f"in {meta['key']}, not the {brief['key']} asked for"
        if "mode" in said and brief.get("mode") and meta.get("mode") and meta["mode"] != brief["mode"]:
            return f"in {meta['mode']}, not the {brief['mode']} asked for"
    tempo, heard = brief.get("tempo_bpm"), meta.get("tempo_bpm")
    if "tempo_bpm" in said and tempo and heard and tempo_ratio_score(float(heard), float(tempo), 0.04) < 1.0:
        return f"at {float(meta['tempo_bpm']):.0f} bpm, not the {float(brief['tempo_bpm']):.0f} asked for"
    return None
