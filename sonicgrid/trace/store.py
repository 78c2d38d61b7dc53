"""Traces on disk: settings.traces_dir/<run_id>.json, written by every run (see graph/run.py)."""

from __future__ import annotations

import json
from pathlib import Path

from sonicgrid.config import Settings
from sonicgrid.errors import UserError


def paths(settings: Settings) -> list[Path]:
    d = settings.traces_dir
    return sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime) if d.is_dir() else []


def load(run: str, settings: Settings) -> dict:
    """A run by id, unique id prefix, a path to a trace/sidecar JSON, or 'last' ('latest', 'newest' too)."""
    p = Path(run)
    if p.suffix == ".json" and p.is_file():
        return _read(p)
    found = paths(settings)
    if run.lower() in ("last", "latest", "newest"):
        if not found:
            raise UserError(f"no traces yet in {settings.traces_dir}: run sonicgrid make first")
        return _read(found[-1])
    exact = [f for f in found if f.stem == run]
    hits = exact or [f for f in found if f.stem.startswith(run)]
    if not hits:
        raise UserError(f"no trace {run!r} in {settings.traces_dir} (sonicgrid trace list shows them)")
    if len(hits) > 1:
        raise UserError(f"{run!r} matches {len(hits)} runs: {', '.join(h.stem for h in hits[:5])}")
    return _read(hits[0])


def _read(p: Path) -> dict:
    try:
        t = json.loads(p.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read trace {p}: {exc}") from exc
    if not isinstance(t, dict) or not isinstance(t.get("run_id"), str):
        raise UserError(f"{p} is not a SonicGrid trace (no run_id): pass a trace or clip.json a run wrote")
    for k in ("verdicts", "tool_calls", "timings", "cells", "plan"):
        if not isinstance(t.get(k, []), list):
            raise UserError(f"{p} is not a SonicGrid trace ({k} is not a list)")
    return t


def readable(found: list[Path]) -> tuple[list[dict], int]:
    """The traces that load, and how many did not (a damaged file never hides the rest)."""
    good, bad = [], 0
    for p in found:
        try:
            good.append(_read(p))
        except UserError:
            bad += 1
    return good, bad


def summary(t: dict) -> dict:
    res = t.get("result") or {}
    regen = sum(v["agent"] == "gatekeeper" and v["choice"] == "regenerate" for v in t.get("verdicts", []))
    return {
        "run_id": t["run_id"],
        "request": t.get("request", ""),
        "status": res.get("status"),
        "clip_id": res.get("clip_id"),
        "score": res.get("score"),
        "verdicts": len(t.get("verdicts", [])),
        "regenerations": regen,
        "spent_s": t.get("spent_s", 0.0),
        "wall_s": t.get("wall_s", 0.0),
        "brain": (t.get("models") or {}).get("brain"),
        "created": t.get("created"),
    }


def cell_segments(t: dict, cell: int) -> list[dict]:
    """A cell's story as passes through the loop: each pass is the verdicts up to a gatekeeper
    'regenerate' or continuity 'revise', paired with the tool calls of the act it approved."""
    verdicts = [v for v in t.get("verdicts", []) if v.get("cell") == cell]
    calls = [c for c in t.get("tool_calls", []) if c.get("cell") == cell]
    segs: list[dict] = [{"verdicts": [], "calls": [], "kind": "first"}]
    for v in verdicts:
        segs[-1]["verdicts"].append(v)
        if (v["agent"], v["choice"]) in (("gatekeeper", "regenerate"), ("continuity", "revise")):
            segs.append(
                {"verdicts": [], "calls": [], "kind": "regeneration" if v["agent"] == "gatekeeper" else "revision"}
            )
    acts: list[list[dict]] = []
    for c in calls:
        if c.get("role") != "analyst" or not acts:
            acts.append([])
        acts[-1].append(c)
    with_act = [s for s in segs if any(v["agent"] == "gatekeeper" for v in s["verdicts"])]  # act -> analyze -> gatekeep
    for seg, act in zip(with_act, acts):
        seg["calls"] = act
    for extra in acts[len(with_act) :]:
        segs[-1]["calls"] += extra
    return [s for s in segs if s["verdicts"] or s["calls"]]
