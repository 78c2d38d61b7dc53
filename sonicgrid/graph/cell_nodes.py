"""Node functions of one grid cell's agent loop. Each takes (state, services), returns a partial update."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sonicgrid import audio as aio
from sonicgrid.agents import approval, continuity, cost_guardian, decision, gatekeeper
from sonicgrid.agents.verdict import Verdict
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import Best, CellState, Json
from sonicgrid.graph.timing import tool_call
from sonicgrid.tools.analysts.base import AnalysisRequest, Analyst
from sonicgrid.tools.base import AudioRequest, Enhancer, Generator, GenRequest

ANALYSIS_KEYS = ("quality", "mood", "tempo_bpm", "key", "mode", "lufs", "tags", "embedding")


def _remaining(state: CellState) -> float:
    return state["budget_s"] - state.get("spent_s", 0.0)


def _listener(svc: Services) -> Analyst:
    listener = svc.registry.pick("analyst", "quality")
    if listener is None:  # the embedded listener is always registered
        raise RuntimeError("no analyst with the 'quality' capability is registered")
    return listener


def _reference(state: CellState) -> Json:
    """The clip an "extend" continues (Decision allows extend only when there is one)."""
    ref = state.get("reference")
    if ref is None:
        raise ValueError("extend without a reference clip")
    return ref


def _best(state: CellState) -> Best:
    """The cell's best attempt (Continuity runs only after one was analysed)."""
    best = state.get("best")
    if best is None:
        raise ValueError("continuity before any analysed attempt")
    return best


def _candidate_path(state: CellState) -> str:
    path = state.get("candidate_path")
    if not path:
        raise ValueError("analyze without a candidate")
    return path


def _source(state: CellState) -> str:
    """The library clip a reuse, enhance or extend decision works on."""
    source = state.get("source_id")
    if not source:
        raise ValueError(f"{state.get('decision')} without a library clip")
    return source


def _named_tool(state: CellState) -> str:
    name = state.get("tool")
    if not name:
        raise ValueError("act without an approved tool")
    return name


def _capability(state: CellState) -> str:
    return f"layer:{state['cell']['layer']}"


def _regen_estimate(state: CellState, svc: Services) -> float:
    """What one more generation of this cell would cost (inf when no generator can do it)."""
    tool = svc.registry.pick("generator", _capability(state))
    return tool.cost.estimate(state["cell"]["duration_s"]) if tool else float("inf")


def recall(state: CellState, svc: Services) -> dict[str, Any]:
    """Library candidates for this cell, ranked by text + audio + metadata compatibility (memory/search.py)."""
    brief, cell = state["brief"], state["cell"]
    ref = state.get("reference") or {}
    audio_vec = svc.library.audio_vectors([ref["id"]]).get(ref["id"]) if ref.get("id") else None
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
        src = _reference(state)["id"]
    return {"decision": v.choice, "source_id": src, "verdicts": [_tag(v, state)]}


LOCKED = ("key", "mode", "tempo_bpm", "progression")
_BRIEF_FIELD = {"key": "key", "mode": "mode", "tempo_bpm": "tempo_bpm", "progression": "key"}


def _locked(state: CellState) -> set[str]:
    """Values the plan fixed for every cell of the arrangement, or the user said: no agent changes them."""
    said = set(state["brief"].get("explicit") or [])
    plan = state["cell"].get("params") or {}
    return {k for k in LOCKED if k in plan or _BRIEF_FIELD[k] in said}


def _unlocked(params: dict[str, Any], state: CellState) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params an agent may change, the ones it proposed on locked values)."""
    locked = _locked(state)
    return {k: v for k, v in params.items() if k not in locked}, {k: v for k, v in params.items() if k in locked}


def _without_user_word(fit: float, comps: dict[str, Any], state: CellState) -> tuple[float, dict[str, Any]]:
    """A key or tempo the user stated is not a misfit to act on: the fit is judged on the rest
    (the clash is still proposed in the reason)."""
    said = set(state["brief"].get("explicit") or [])
    drop = ({"key"} if {"key", "mode"} & said else set()) | ({"tempo"} if "tempo_bpm" in said else set())
    if not drop & set(comps):
        return fit, comps
    from sonicgrid.memory.continuity import WEIGHTS

    kept = {k: v for k, v in comps.items() if k not in drop}
    total = sum(WEIGHTS[k] for k in kept)
    return (round(sum(WEIGHTS[k] * kept[k]["value"] for k in kept) / total, 3) if total else 1.0), kept


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 0.02 * max(abs(float(b)), 1.0)
    return bool(a == b)


def _tag(v: Verdict, state: CellState) -> dict[str, Any]:
    d = v.model_dump()
    d["cell"] = state["cell"]["index"]
    d["attempt"] = state.get("attempt", 0)
    return d


def _job(state: CellState, svc: Services) -> tuple[Generator | Enhancer | None, str | None, float]:
    """(tool, capability, audio seconds) the current decision would run."""
    dec = state["decision"]
    secs = state["cell"]["duration_s"]
    if dec == "reuse":
        return None, None, secs
    if dec == "enhance":
        return svc.registry.pick("enhancer", "music"), "music", secs
    cap = _capability(state) if dec == "generate" else "continue"
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
        remaining_s=_remaining(state),
        budget_s=state["budget_s"],
        candidates=cands,
        cheaper=cheaper,
        reuse_threshold=s.reuse_threshold,
        quality_threshold=s.quality_threshold,
    )
    v = svc.brain.decide(j)
    out: dict[str, Any] = {"verdicts": [_tag(v, state)]}
    if v.choice in ("approve", "downgrade") and approval.needs_approval(est, s.approve_over_s):
        human = _ask_human(state, v.choice, tool.name, est, s.approve_over_s)
        out["verdicts"].append(_tag(human, state))
        if human.choice == "deny":
            v = v.model_copy(update={"choice": "deny", "reason": f"the user declined {tool.name} (~{est:.2f}s)"})
    if v.choice == "approve":
        out["tool"] = tool.name
    elif v.choice == "downgrade":
        out["tool"] = cost_guardian.downgrade_to(cheaper, _remaining(state))
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
    if dec == "reuse":
        clip = svc.library.load(_source(state))
        clip = aio.Audio(aio.fit_length(clip.samples, int(round(cell["duration_s"] * clip.sr))), clip.sr)
        name, role = "library", "library"
        meta["source_id"] = state["source_id"]
    else:
        tool = svc.registry.get(_named_tool(state))
        prompt_audio = svc.library.load(_source(state)) if dec in ("enhance", "extend") else None
        if dec == "extend":
            ref = _reference(state)["meta"]
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


def _stored_analysis(state: CellState, svc: Services, listen_estimate: float) -> dict[str, Any] | None:
    """A reused library clip was analysed when it was made (or imported): read that instead of listening
    again. Its full analysis when it was stored with one; else, when listening would cost more than the
    budget has left, the record's own readings (quality, mood, key, tempo, tags): reuse stays in budget."""
    source = state.get("source_id")
    if state.get("decision") != "reuse" or not source:
        return None
    rec = svc.library.get(source)
    meta = (rec or {}).get("meta", {})
    stored = meta.get("analysis")
    if not isinstance(stored, dict) or "quality" not in stored:
        if meta.get("quality") is None or listen_estimate <= _remaining(state):
            return None
        stored = {
            "quality": {"score": float(meta["quality"]), "components": {}, "note": "from the library record"},
            "mood": {"label": meta.get("mood_estimate") or meta.get("mood")},
            **{k: meta[k] for k in ("key", "mode", "tempo_bpm", "tags") if meta.get(k) is not None},
        }
    vec = svc.library.audio_vectors([source]).get(source)
    return dict(stored, embedding=vec) if vec else None


def analyze(state: CellState, svc: Services) -> dict[str, Any]:
    t0 = time.perf_counter()
    listener = _listener(svc)
    stored = _stored_analysis(state, svc, listener.cost.estimate(state["cell"]["duration_s"]))
    if stored is not None:
        seconds = time.perf_counter() - t0
        kept: Best = {
            "path": _candidate_path(state),
            "score": stored["quality"]["score"],
            "analysis": stored,
            "meta": state.get("candidate_meta", {}),
        }
        return {
            "analysis": stored,
            "best": kept,
            "spent_s": state.get("spent_s", 0.0) + seconds,
            "tool_calls": [
                tool_call(
                    "library-analysis",
                    "analyst",
                    state["cell"]["index"],
                    seconds,
                    state["cell"]["duration_s"],
                    0.0,
                )
            ],
        }
    clip_path = _candidate_path(state)
    clip = aio.read(clip_path)
    req = AnalysisRequest(
        audio=clip, brief=state["brief"], layer=state["cell"]["layer"], duration_s=state["cell"]["duration_s"]
    )
    a = listener.run(req).as_dict()
    seconds = time.perf_counter() - t0
    analysis = {k: a[k] for k in ANALYSIS_KEYS if k in a}
    best = state.get("best")
    score = a["quality"]["score"]
    if best is None or score > best["score"]:
        best = {
            "path": clip_path,
            "score": score,
            "analysis": analysis,
            "meta": state.get("candidate_meta", {}),
        }
    return {
        "analysis": analysis,
        "best": best,
        "spent_s": state.get("spent_s", 0.0) + seconds,
        "tool_calls": [
            tool_call(
                listener.name,
                "analyst",
                state["cell"]["index"],
                seconds,
                clip.duration,
                listener.cost.estimate(clip.duration),
            )
        ],
    }


def gatekeep(state: CellState, svc: Services) -> dict[str, Any]:
    s = svc.settings
    q = state["analysis"]["quality"]
    est = _regen_estimate(state, svc)
    j = gatekeeper.judgment(
        score=q["score"],
        components=q["components"],
        threshold=s.quality_threshold,
        attempt=state.get("attempt", 0),
        max_retries=s.max_retries,
        remaining_s=_remaining(state),
        regen_estimate_s=est,
        quality=q,
    )
    v = svc.brain.decide(j)
    out: dict[str, Any] = {"gate": v.choice, "verdicts": [_tag(v, state)]}
    if v.choice == "regenerate":
        out["attempt"] = state.get("attempt", 0) + 1
        free, _ = _unlocked(gatekeeper.adjustments(q["components"], state["brief"], out["attempt"]), state)
        out["params"] = {**state.get("params", {}), **free}
        if state["decision"] in ("reuse", "enhance"):
            out["decision"] = "generate"
    return out


def check_continuity(state: CellState, svc: Services) -> dict[str, Any]:
    s = svc.settings
    body = svc.library.body(project=state.get("project"), session=state.get("session"), limit=50)
    best = _best(state)
    a = dict(best["analysis"])
    from sonicgrid.memory.continuity import centroid_hz

    snd = aio.read(best["path"])
    mood: Json = a["mood"] if isinstance(a.get("mood"), dict) else {}
    clip = {
        "key": a.get("key"),
        "mode": a.get("mode"),
        "tempo_bpm": a.get("tempo_bpm"),
        "key_confidence": mood.get("key_confidence", 1.0),
        "embedding": a.get("embedding"),
        "mood": state["brief"]["mood"],
        "centroid_hz": centroid_hz(snd.samples, snd.sr),
    }
    plan = state["cell"].get("params") or {}
    for k in ("key", "mode", "tempo_bpm"):  # what the plan composed is the truth, not an estimate
        if plan.get(k) is not None:
            clip[k] = plan[k]
    if plan.get("key"):
        clip["key_confidence"] = 1.0
    fit, comps, targets = continuity.fit_components(clip, body)
    fit, comps = _without_user_word(fit, comps, state)
    targets, proposed = _unlocked(targets, state)
    proposed = {
        k: v for k, v in proposed.items() if not _same(v, plan.get(k, state["brief"].get(k)))
    }  # the user's word and the plan's key stay; Continuity proposes
    actionable = [k for k in targets if k != "palette"]  # "palette" only describes; lowpass etc. act
    est = _regen_estimate(state, svc) if actionable else float("inf")
    j = continuity.judgment(
        fit=fit,
        components=comps,
        targets=targets,
        body_size=len(body),
        project=state.get("project") or state.get("session"),
        revision=state.get("revision", 0),
        max_revisions=s.max_revisions,
        remaining_s=_remaining(state),
        revise_estimate_s=est,
    )
    v = svc.brain.decide(j)
    if proposed:
        v = v.model_copy(
            update={
                "reason": v.reason
                + "; proposes "
                + ", ".join(f"{k} {val}" for k, val in proposed.items())
                + " (kept as asked/planned)",
                "evidence": {**v.evidence, "proposed": proposed},
            }
        )
    out: dict[str, Any] = {"continuity": v.choice, "verdicts": [_tag(v, state)]}
    if v.choice == "revise":
        out.update(
            revision=state.get("revision", 0) + 1,
            params={**state.get("params", {}), **targets},
            decision="generate",
            best=None,
            attempt=0,
        )
    else:
        out["outcome"] = "ok"
    return out
