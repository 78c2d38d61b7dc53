"""Run one request through the graph and write its outputs: clip.wav + clip.json + trace."""

from __future__ import annotations

import platform
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonicgrid import __version__
from sonicgrid import audio as aio
from sonicgrid.agents.intake import validate_duration, validate_prompt
from sonicgrid.config import Settings
from sonicgrid.crashpoints import crash_point
from sonicgrid.errors import UserError
from sonicgrid.graph import outputs as guard
from sonicgrid.graph.engine import Engine
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import CompiledGraph, OnEvent


def services_for(settings: Settings) -> Services:
    """The shared engine's services for these settings (the library, the brain)."""
    return Engine.shared(settings).services


def _settings(target: Settings | Engine) -> Settings:
    return target.settings if isinstance(target, Engine) else target


def check_writable(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{secrets.token_hex(4)}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"output directory {out} is not writable: {exc.strerror or exc}") from exc
    return out


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def model_versions(svc: Services) -> dict[str, Any]:
    import numpy

    tools = {t.name: {"version": t.version, "available": t.available()[0]} for t in svc.registry.tools}
    brain = svc.brain
    llm = getattr(brain, "llm_name", None) or getattr(getattr(brain, "llm", None), "name", None)
    from importlib.metadata import version

    return {
        "sonicgrid": __version__,
        "langgraph": version("langgraph"),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "brain": brain.name,
        "llm": llm,
        "brain_note": brain.note,
        "tools": tools,
    }


def make(
    request: str,
    settings: Settings | Engine,
    *,
    seed: int = 0,
    duration: float | None = None,
    out: Path | None = None,
    project: str | None = None,
    session: str | None = None,
    history: list[dict[str, Any]] | None = None,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Produce one clip. Raises UserError for anything the user can fix."""
    request = validate_prompt(request)
    validate_duration(duration)
    seed = guard.check_seed(seed)
    guard.check_data_dir(_settings(settings).data_dir)
    out_dir = check_writable(Path(out or _settings(settings).out_dir))
    engine = Engine.of(settings)
    settings, svc, graph = engine.settings, engine.services, engine.graph
    run_id = new_run_id()
    run_dir = out_dir / run_id
    run_dir.mkdir(parents=True, exist_ok=False)
    config = {"configurable": {"thread_id": run_id}, "recursion_limit": 50}
    init = {
        "request": request,
        "run_id": run_id,
        "run_dir": str(run_dir),
        "seed": int(seed),
        "budget_s": float(settings.budget_s),
        "duration_override": duration,
        "project": project,
        "session": session,
        "history": history or [],
    }
    t0 = time.perf_counter()
    try:
        _stream(graph, init, config, on_event, guard.Deadline(settings.run_deadline_s))
    except UserError:
        _cleanup(run_dir)
        raise
    except Exception as exc:  # a crash: the checkpoints and candidates stay, the run can go on
        raise _stopped(graph, config, svc, run_id, exc, run_dir) from exc
    return _finish_or_pause(graph, config, svc, run_dir, time.perf_counter() - t0)


def _stopped(
    graph: CompiledGraph, config: dict[str, Any], svc: Services, run_id: str, exc: BaseException, run_dir: Path
) -> UserError:
    """One line; the --resume hint only when a checkpoint exists to resume from."""
    try:
        resumable = bool(graph.get_state(config).values)
    except Exception:  # the checkpoint store itself is what failed
        resumable = False
    return UserError(guard.crash_message(run_id, exc, resumable, [Path(run_dir), Path(svc.settings.data_dir)]))


def continue_run(
    run_id: str, settings: Settings | Engine, *, on_event: Callable[[str, dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Go on with a run that crashed or was interrupted, from its last checkpoint: nodes that
    finished are not run again."""
    guard.check_data_dir(_settings(settings).data_dir)
    engine = Engine.of(settings)
    settings, svc, graph = engine.settings, engine.services, engine.graph
    config: dict[str, Any] = {"configurable": {"thread_id": run_id}, "recursion_limit": 50}
    snap = graph.get_state(config)
    if not snap.values:
        raise UserError(f"no run {run_id} in {settings.checkpoint_path}")
    start = config
    if not snap.next and not snap.values.get("result"):
        # killed while a step's fan-out was being saved: the last checkpoint has no next node and no
        # result. Go on from the latest earlier checkpoint that has a next node (that step runs again).
        earlier = guard.last_resumable(graph, config)
        if earlier is None:
            raise UserError(f"run {run_id} has no step to continue from: run the request again")
        start = {**earlier, "recursion_limit": 50}
    elif not snap.next:
        run_dir = Path(snap.values.get("run_dir", ""))
        if snap.values.get("result") and guard.missing_outputs(snap.values, run_dir, settings.traces_dir):
            # killed between the final checkpoint and the outputs: derive them from the checkpoint now
            guard.restore_clip(snap.values, svc.library)
            return write_outputs(snap.values, svc, run_dir, 0.0)
        res = snap.values.get("result", {})
        raise UserError(f"run {run_id} already finished ({res.get('status')}: {res.get('path') or res.get('message')})")
    if pending_interrupts(graph, config):
        raise UserError(f"run {run_id} is waiting for an approval: answer it in `sonicgrid chat --approve`")
    t0 = time.perf_counter()
    try:
        _stream(graph, None, start, on_event, guard.Deadline(settings.run_deadline_s))
    except UserError:
        raise
    except Exception as exc:
        raise _stopped(graph, config, svc, run_id, exc, _run_dir(graph, config)) from exc
    return _finish_or_pause(graph, config, svc, _run_dir(graph, config), time.perf_counter() - t0)


def _run_dir(graph: Any, config: dict[str, Any]) -> Path:
    """The run's folder from its latest state: a run killed before intake's checkpoint had none yet when
    it was resumed (its first snapshot is the input), so the snapshot read before resuming may lack it."""
    return Path(graph.get_state(config).values.get("run_dir", ""))


def _stream(
    graph: CompiledGraph,
    payload: Any,
    config: dict[str, Any],
    on_event: OnEvent | None,
    deadline: guard.Deadline | None = None,
) -> None:
    """Run the graph; on_event(node, update) after every node, also inside the cells' loops, which
    are named "cell/<node>" (e.g. "cell/decide") so a watcher sees each verdict as it is made."""
    deadline = deadline or guard.Deadline(float("inf"))
    with deadline.alarm():
        for ns, chunk in graph.stream(payload, config, stream_mode="updates", subgraphs=True):
            for node, update in chunk.items():
                name = f"{ns[-1].split(':')[0]}/{node}" if ns else node
                crash_point(f"node:{name}")
                if on_event and node != "__interrupt__":
                    on_event(name, update or {})
            deadline.check()


def pending_interrupts(graph: CompiledGraph, config: dict[str, Any]) -> list[Any]:
    snap = graph.get_state(config)
    found = list(getattr(snap, "interrupts", ()) or ())
    for task in snap.tasks:
        for i in task.interrupts:
            if all(i.id != f.id for f in found):
                found.append(i)
    return found


def _finish_or_pause(
    graph: CompiledGraph, config: dict[str, Any], svc: Services, run_dir: Path, wall: float
) -> dict[str, Any]:
    """Write the outputs; or, when a node asked a human (settings.approve_over_s), return the
    question: the run stays checkpointed under its thread and resume() continues it."""
    waiting = pending_interrupts(graph, config) if svc.settings.approve_over_s is not None else []
    state = graph.get_state(config).values
    if waiting:
        return {
            "run_id": state["run_id"],
            "request": state["request"],
            "run_dir": str(run_dir),
            "result": {"status": "awaiting_approval"},
            "wall_s": round(wall, 4),
            "interrupts": [
                {"id": i.id, **(i.value if isinstance(i.value, dict) else {"question": str(i.value)})} for i in waiting
            ],
        }
    crash_point("outputs:before")
    return write_outputs(state, svc, run_dir, wall)


def resume(
    run_id: str,
    answer: object,
    settings: Settings | Engine,
    *,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
    prior_wall_s: float = 0.0,
) -> dict[str, Any]:
    """Answer a paused run's question(s) (the same answer for every pending one) and continue it."""
    from langgraph.types import Command

    engine = Engine.of(settings)
    settings, svc, graph = engine.settings, engine.services, engine.graph
    config = {"configurable": {"thread_id": run_id}, "recursion_limit": 50}
    waiting = pending_interrupts(graph, config)
    if not waiting:
        raise UserError(f"run {run_id} is not waiting for an answer")
    state = graph.get_state(config).values
    t0 = time.perf_counter()
    _stream(graph, Command(resume={i.id: answer for i in waiting}), config, on_event)
    return _finish_or_pause(graph, config, svc, Path(state["run_dir"]), prior_wall_s + time.perf_counter() - t0)


def _cleanup(run_dir: Path) -> None:
    import shutil

    shutil.rmtree(run_dir, ignore_errors=True)


def _without_vectors(cells: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The cells as clip.json shows them: each analysis without its audio vectors (the library keeps those)."""
    from sonicgrid.memory.vectors import without

    if cells is None:
        return None
    return [dict(c, analysis=without(c["analysis"])) if isinstance(c.get("analysis"), dict) else c for c in cells]


def write_outputs(state: dict[str, Any], svc: Services, run_dir: Path, wall: float) -> dict[str, Any]:
    result = state.get("result", {})
    tool_s = sum(c["seconds"] for c in state.get("tool_calls", []))
    sidecar = {
        "run_id": state["run_id"],
        "request": state["request"],
        "seed": state["seed"],
        "budget_s": state["budget_s"],
        "brief": state.get("brief"),
        "plan": state.get("plan"),
        "cells": _without_vectors(state.get("cells")),
        "verdicts": state.get("verdicts", []),
        "tool_calls": state.get("tool_calls", []),
        "timings": state.get("timings", []),
        "result": result,
        "wall_s": round(wall, 4),
        "tool_s": round(tool_s, 4),
        "spent_s": round(sum(c.get("spent_s", 0) for c in state.get("cells", [])), 4),
        "project": state.get("project"),
        "session": state.get("session"),
        "models": model_versions(svc),
        "created": time.time(),
    }
    aio.write_json(run_dir / ("clip.json" if result.get("status") == "ok" else "run.json"), sidecar)
    aio.write_json(svc.settings.traces_dir / f"{state['run_id']}.json", sidecar | {"run_dir": str(run_dir)})
    return sidecar
