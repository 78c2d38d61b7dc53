"""Node functions of one grid cell's agent loop, the deciding half: recall, Decision, Cost Guardian, act.
Each takes (state, services) and returns a partial update; judge_nodes.py holds the listening half."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sonicgrid import audio as aio
from sonicgrid.agents import approval, cost_guardian, decision
from sonicgrid.agents.verdict import Verdict
from sonicgrid.graph import cell_common as cc
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import CellState
from sonicgrid.graph.timing import tool_call
from sonicgrid.memory import vectors
from sonicgrid.tools.base import AudioRequest, Enhancer, Generator, GenRequest


def recall(state: CellState, svc: Services) -> dict[str, Any]:
    """Library candidates for this cell, ranked by text + audio + metadata compatibility (memory/search.py)."""
    brief, cell = state["brief"], state["cell"]
    ref = state.get("reference") or {}
    vec = svc.library.audio_vectors([ref["id"]]).get(ref["id"]) if ref.get("id") else None
    audio_vec = vectors.Vector(svc.library.audio_kind, vec) if vec else None  # the reference's sound
    if ref.get("id") and vec is None:
        vectors.note(
            f"the reference clip has no {svc.library.audio_kind} vector yet (`sonicgrid library rebuild` adds it): "
            "candidates are ranked by text and metadata"
        )
    want = {k: brief.get(k) for k in ("mood", "key", "mode", "tempo_bpm")} | {
        "section": cell["section"],
        "duration_s": cell["duration_s"],
    }
    cands = []
    for rec in svc.library.search(
        f"{brief['prompt']} | {brief['mood']} {cell['section']} {cell['layer']}",
        k=5,
        where={"layer": cell["layer"]},
        audio_vec=audio_vec,
        brief=want,
    ):
        planned = cell.get("params") or {}
        meter, roles = int(planned.get("meter") or 4), planned.get("instruments")
        if cc.breaks_said(brief, cell["layer"], rec["meta"], meter, roles):  # what the user said is a hard limit
            continue
        cands.append(
            {
                "id": rec["id"],
                "similarity": rec["score"],
                "text_similarity": rec["components"]["text"],
                "components": rec["components"],
                "reasons": rec["reasons"],
                "meta": rec["meta"],
                "path": rec["path"],
            }
        )
    return {"candidates": cands}


def decide(state: CellState, svc: Services) -> dict[str, Any]:
    s = svc.settings
    j = decision.judgment(
        state["brief"] | {"duration_s": state["cell"]["duration_s"]},
        state.get("candidates", []),
        state.get("reference"),
        reuse_threshold=s.reuse_threshold,
        quality_threshold=s.quality_threshold,
    )
    v = svc.brain.decide(j)
    src = None
    if v.choice in ("reuse", "enhance"):
        src = state["candidates"][0]["id"]
    elif v.choice == "extend":
        src = cc.reference(state)["id"]
    return {"decision": v.choice, "source_id": src, "verdicts": [cc.tag(v, state)]}


def _job(state: CellState, svc: Services) -> tuple[Generator | Enhancer | None, str | None, float]:
    """(tool, capability, audio seconds) the current decision would run."""
    dec = state["decision"]
    secs = state["cell"]["duration_s"]
    if dec == "reuse":
        return None, None, secs
    if dec == "enhance":
        return svc.registry.pick("enhancer", "music"), "music", secs
    cap = cc.capability(state) if dec == "generate" else "continue"
    name = state.get("tool")
    prior = svc.registry.get(name) if name and state.get("attempt", 0) else None
    # a regeneration keeps the tool that made the attempt, if it can generate this (an enhancer cannot)
    tool = prior if isinstance(prior, Generator) and cap in prior.capabilities else None
    return tool or svc.registry.pick("generator", cap), cap, secs


def cost_guard(state: CellState, svc: Services) -> dict[str, Any]:
    tool, cap, secs = _job(state, svc)
    if state["decision"] == "reuse" or (tool is None and state["decision"] == "enhance"):
        return {"tool": None}  # loading from the library costs nothing worth guarding
    if tool is None:
        return {"outcome": "denied", "message": f"no available tool for {cap}"}
    s = svc.settings
    cands = state.get("candidates", [])
    est = tool.cost.estimate(secs)
    cheaper = [(t.name, t.cost.estimate(secs)) for t in svc.registry.cheaper(tool, cap, secs)]
    j = cost_guardian.for_job(
        tool=tool.name,
        quality_prior=tool.quality_prior,
        estimate_s=est,
        remaining_s=cc.remaining(state),
        budget_s=state["budget_s"],
        candidates=cands,
        cheaper=cheaper,
        reuse_threshold=s.reuse_threshold,
        quality_threshold=s.quality_threshold,
    )
    v = svc.brain.decide(j)
    out: dict[str, Any] = {"verdicts": [cc.tag(v, state)]}
    if v.choice in ("approve", "downgrade") and approval.needs_approval(est, s.approve_over_s):
        human = _ask_human(state, v.choice, tool.name, est, s.approve_over_s)
        out["verdicts"].append(cc.tag(human, state))
        if human.choice == "deny":
            v = v.model_copy(update={"choice": "deny", "reason": f"the user declined {tool.name} (~{est:.2f}s)"})
    if v.choice == "approve":
        out["tool"] = tool.name
    elif v.choice == "downgrade":
        out["tool"] = cost_guardian.downgrade_to(cheaper, cc.remaining(state))
    elif j.evidence["has_fallback"] and not state.get("best"):
        out.update(tool=None, decision="reuse", source_id=cands[0]["id"])
    elif state.get("best"):
        out.update(
            tool=None,
            gate="accept_best",
            outcome="ok",
            message="budget denied a further attempt: keeping the best so far",
        )
    else:
        out.update(tool=None, outcome="denied", message=v.reason)
    return out


def _ask_human(state: CellState, guardian: str, tool: str, est: float, limit: float | None) -> Verdict:
    """--approve: pause (LangGraph interrupt) before a job estimated above approve_over_s; the answer
    comes back as the human's verdict."""
    from langgraph.types import interrupt

    cell = state["cell"]
    ask = approval.question(
        tool=tool,
        estimate_s=est,
        cell=cell["index"],
        layer=cell["layer"],
        attempt=state.get("attempt", 0),
        guardian=guardian,
    )
    return approval.verdict(interrupt(ask), tool=tool, estimate_s=est, approve_over_s=limit)


def act(state: CellState, svc: Services) -> dict[str, Any]:
    cell, brief = state["cell"], state["brief"]
    dec = state["decision"]
    attempt = state.get("attempt", 0)
    params = dict(state.get("params", {}))
    seed = int(state["seed"]) + int(params.pop("seed_offset", 0))
    t0 = time.perf_counter()
    meta: dict[str, Any] = {"decision": dec}
    est = 0.0
    same_file = None  # a library file used as it is: copied, not decoded and encoded again
    if dec == "reuse":
        stored = svc.library.path_of(cc.source(state))
        whole = aio.read(stored)
        frames = int(round(cell["duration_s"] * whole.sr))
        fit = aio.loop_to if cell["section"] == "loop" else aio.fit_length  # a shorter loop plays on, no hole
        clip = aio.Audio(fit(whole.samples, frames), whole.sr)
        same_file = stored if len(clip.samples) == len(whole.samples) else None
        name, role = "library", "library"
        meta["source_id"] = state["source_id"]
        rec = next((c for c in state.get("candidates", []) if c["id"] == state["source_id"]), None)
        if rec and rec["meta"].get("tool"):  # what made the stored sound (finish skips re-enhancing a synth's)
            meta["source_tool"] = rec["meta"]["tool"]
        if rec and rec["meta"].get("midi"):  # its composed notes, for clip.mid
            meta["midi"] = rec["meta"]["midi"]
    else:
        tool = svc.registry.get(cc.named_tool(state))
        prompt_audio = svc.library.load(cc.source(state)) if dec in ("enhance", "extend") else None
        if dec == "extend":
            ref = cc.reference(state)["meta"]
            params = {**{k: ref[k] for k in ("key", "mode", "tempo_bpm", "arrangement") if ref.get(k)}, **params}
        if isinstance(tool, Enhancer) and prompt_audio is not None:  # enhance a library clip
            res = tool.run(AudioRequest(prompt_audio, brief, params, seed))
        elif isinstance(tool, Generator):
            req = GenRequest(
                prompt=brief["prompt"],
                brief=brief,
                layer=cell["layer"],
                section=cell["section"],
                duration_s=cell["duration_s"],
                seed=seed,
                params=params,
                audio_prompt=prompt_audio,
            )
            res = tool.run(req)
        else:
            raise TypeError(f"act: {getattr(tool, 'name', tool)!r} is neither a generator nor an enhancer")
        clip, name, role, est = res.audio, tool.name, tool.role, tool.cost.estimate(cell["duration_s"])
        meta.update(res.meta)
        if dec == "extend" and prompt_audio is not None and "continued" not in res.meta:
            clip = _crossfade_join(prompt_audio, clip)
    seconds = time.perf_counter() - t0
    path = Path(state["run_dir"]) / "candidates" / f"cell{cell['index']}_try{attempt}_rev{state.get('revision', 0)}.wav"
    if same_file is not None:
        aio.copy(same_file, path)
    else:
        aio.write(path, clip)
    spent = seconds  # every path is priced, a library load included
    return {
        "candidate_path": str(path),
        "candidate_meta": meta,
        "spent_s": state.get("spent_s", 0.0) + spent,
        "tool_calls": [tool_call(name, role, cell["index"], seconds, clip.duration, est, attempt=attempt, seed=seed)],
    }


def _crossfade_join(a: aio.Audio, b: aio.Audio, seconds: float = 0.5) -> aio.Audio:
    import numpy as np

    if b.sr != a.sr:
        import librosa

        b = aio.Audio(librosa.resample(b.samples.T, orig_sr=b.sr, target_sr=a.sr).T, a.sr)
    x, y = a.stereo().samples, b.stereo().samples
    n = min(int(seconds * a.sr), len(x), len(y))
    ramp = np.linspace(0, 1, n, dtype=np.float32)[:, None]
    mid = x[len(x) - n :] * (1 - ramp) + y[:n] * ramp
    return aio.Audio(np.concatenate([x[: len(x) - n], mid, y[n:]]), a.sr)
