"""Node functions of one grid cell's agent loop. Each takes (state, services), returns a partial update."""

from __future__ import annotations

import time
from pathlib import Path

from sonicgrid import audio as aio
from sonicgrid.agents import continuity, cost_guardian, decision, gatekeeper
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import CellState
from sonicgrid.graph.timing import tool_call
from sonicgrid.tools.base import GenRequest

ANALYSIS_KEYS = ("quality", "mood", "tempo_bpm", "key", "mode", "lufs", "tags", "embedding")


def _remaining(state: CellState) -> float:
    return state["budget_s"] - state.get("spent_s", 0.0)


def _capability(state: CellState) -> str:
    return f"layer:{state['cell']['layer']}"


def _regen_estimate(state: CellState, svc: Services) -> float:
    """What one more generation of this cell would cost (inf when no generator can do it)."""
    tool = svc.registry.pick("generator", _capability(state))
    return tool.cost.estimate(state["cell"]["duration_s"]) if tool else float("inf")


def recall(state: CellState, svc: Services) -> dict:
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


def decide(state: CellState, svc: Services) -> dict:
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
        src = state["reference"]["id"]
    return {"decision": v.choice, "source_id": src, "verdicts": [_tag(v, state)]}


LOCKED = ("key", "mode", "tempo_bpm", "progression")
_BRIEF_FIELD = {"key": "key", "mode": "mode", "tempo_bpm": "tempo_bpm", "progression": "key"}


def _locked(state: CellState) -> set[str]:
    """Values the plan fixed for every cell of the arrangement, or the user said: no agent changes them."""
    said = set(state["brief"].get("explicit") or [])
    plan = state["cell"].get("params") or {}
    return {k for k in LOCKED if k in plan or _BRIEF_FIELD[k] in said}


def _unlocked(params: dict, state: CellState) -> tuple[dict, dict]:
    """(params an agent may change, the ones it proposed on locked values)."""
    locked = _locked(state)
    return {k: v for k, v in params.items() if k not in locked}, {k: v for k, v in params.items() if k in locked}


def _without_user_word(fit: float, comps: dict, state: CellState) -> tuple[float, dict]:
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


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 0.02 * max(abs(float(b)), 1.0)
    return a == b


def _tag(v, state: CellState) -> dict:
    d = v.model_dump()
    d["cell"] = state["cell"]["index"]
    d["attempt"] = state.get("attempt", 0)
    return d


def _job(state: CellState, svc: Services):
    """(tool, capability, audio seconds) the current decision would run."""
    dec = state["decision"]
    secs = state["cell"]["duration_s"]
    if dec == "reuse":
        return None, None, secs
    if dec == "enhance":
        return svc.registry.pick("enhancer", "music"), "music", secs
    cap = _capability(state) if dec == "generate" else "continue"
    tool = svc.registry.get(state["tool"]) if state.get("tool") and state.get("attempt", 0) else None
    if tool is not None and cap not in tool.capabilities:  # an enhance attempt's enhancer cannot generate
        tool = None
    return tool or svc.registry.pick("generator", cap), cap, secs


def cost_guard(state: CellState, svc: Services) -> dict:
    tool, cap, secs = _job(state, svc)
    if state["decision"] == "reuse" or (tool is None and state["decision"] == "enhance"):
        return {"tool": None}  # loading from the library costs nothing worth guarding
    cands = state.get("candidates", [])
    if tool is None:
        return {"outcome": "denied", "message": f"no available tool for {cap}"}
    est = tool.cost.estimate(secs)
    best_q = float(cands[0]["meta"].get("quality", 0)) if cands else 0.0
    fallback = (
        bool(cands)
        and cands[0]["similarity"] >= svc.settings.reuse_threshold * 0.9
        and best_q >= svc.settings.quality_threshold
    )
    gain = tool.quality_prior - (best_q if fallback else 0.0)
    cheaper = [(t.name, t.cost.estimate(secs)) for t in svc.registry.cheaper(tool, cap, secs)]
    j = cost_guardian.judgment(
        tool=tool.name,
        estimate_s=est,
        remaining_s=_remaining(state),
        budget_s=state["budget_s"],
        expected_gain=gain,
        cheaper=cheaper,
        has_fallback=fallback,
    )
    v = svc.brain.decide(j)
    out: dict = {"verdicts": [_tag(v, state)]}
    if v.choice in ("approve", "downgrade") and _ask_human(state, svc, v, tool.name, est, out):
        v = v.model_copy(update={"choice": "deny", "reason": f"the user declined {tool.name} (~{est:.2f}s)"})
    if v.choice == "approve":
        out["tool"] = tool.name
    elif v.choice == "downgrade":
        out["tool"] = next(n for n, e in cheaper if e <= _remaining(state))
    elif fallback and not state.get("best"):
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


def _ask_human(state: CellState, svc: Services, v, tool: str, est: float, out: dict) -> bool:
    """--approve: pause (LangGraph interrupt) before a job estimated above approve_over_s.
    Returns True when the human refused it; the refusal is recorded as a verdict."""
    limit = svc.settings.approve_over_s
    if limit is None or est <= limit:
        return False
    from langgraph.types import interrupt

    answer = interrupt(
        {
            "question": f"run {tool} for cell {state['cell']['index']} ({state['cell']['layer']}), "
            f"~{est:.2f}s of compute?",
            "tool": tool,
            "estimate_s": round(est, 3),
            "cell": state["cell"]["index"],
            "attempt": state.get("attempt", 0),
            "guardian": v.choice,
        }
    )
    ok = str(answer).strip().lower() in ("y", "yes", "ok", "approve", "true", "1", "go")
    out["verdicts"].append(
        {
            "agent": "human",
            "choice": "approve" if ok else "deny",
            "confidence": 1.0,
            "reason": f"the user answered {str(answer)!r}",
            "evidence": {"estimate_s": round(est, 3), "approve_over_s": limit, "tool": tool},
            "allowed": ["approve", "deny"],
            "brain": "human",
            "overridden": None,
            "latency_ms": 0.0,
            "data": {},
            "cell": state["cell"]["index"],
            "attempt": state.get("attempt", 0),
        }
    )
    return not ok


def act(state: CellState, svc: Services) -> dict:
    cell, brief = state["cell"], state["brief"]
    dec = state["decision"]
    attempt = state.get("attempt", 0)
    params = dict(state.get("params", {}))
    seed = int(state["seed"]) + int(params.pop("seed_offset", 0))
    t0 = time.perf_counter()
    meta: dict = {"decision": dec}
    est = 0.0
    if dec == "reuse":
        clip = svc.library.load(state["source_id"])
        clip = aio.Audio(aio.fit_length(clip.samples, int(round(cell["duration_s"] * clip.sr))), clip.sr)
        name, role = "library", "library"
        meta["source_id"] = state["source_id"]
    else:
        tool = svc.registry.get(state["tool"]) if state.get("tool") else None
        prompt_audio = svc.library.load(state["source_id"]) if dec in ("enhance", "extend") else None
        if dec == "extend":
            ref = state["reference"]["meta"]
            params = {**{k: ref[k] for k in ("key", "mode", "tempo_bpm", "arrangement") if ref.get(k)}, **params}
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
        clip, name, role, est = res.audio, tool.name, tool.role, tool.cost.estimate(cell["duration_s"])
        meta.update(res.meta)
        if dec == "extend" and prompt_audio is not None and "continued" not in res.meta:
            clip = _crossfade_join(prompt_audio, clip)
    seconds = time.perf_counter() - t0
    path = Path(state["run_dir"]) / "candidates" / f"cell{cell['index']}_try{attempt}_rev{state.get('revision', 0)}.wav"
    aio.write(path, clip)
    spent = 0.0 if dec == "reuse" else seconds
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


def _stored_analysis(state: CellState, svc: Services) -> dict | None:
    """A reused library clip was analysed when it was made: read that instead of listening again."""
    if state.get("decision") != "reuse" or not state.get("source_id"):
        return None
    rec = svc.library.get(state["source_id"])
    stored = (rec or {}).get("meta", {}).get("analysis")
    if not isinstance(stored, dict) or "quality" not in stored:
        return None
    vec = svc.library.audio_vectors([state["source_id"]]).get(state["source_id"])
    return dict(stored, embedding=vec) if vec else None


def analyze(state: CellState, svc: Services) -> dict:
    t0 = time.perf_counter()
    stored = _stored_analysis(state, svc)
    if stored is not None:
        best = {
            "path": state["candidate_path"],
            "score": stored["quality"]["score"],
            "analysis": stored,
            "meta": state.get("candidate_meta", {}),
        }
        return {
            "analysis": stored,
            "best": best,
            "tool_calls": [
                tool_call(
                    "library-analysis",
                    "analyst",
                    state["cell"]["index"],
                    time.perf_counter() - t0,
                    state["cell"]["duration_s"],
                    0.0,
                )
            ],
        }
    listener = svc.registry.pick("analyst", "quality")
    clip = aio.read(state["candidate_path"])
    a = listener.run(clip, state["brief"])
    seconds = time.perf_counter() - t0
    analysis = {k: a[k] for k in ANALYSIS_KEYS if k in a}
    best = state.get("best")
    score = a["quality"]["score"]
    if best is None or score > best["score"]:
        best = {
            "path": state["candidate_path"],
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


def gatekeep(state: CellState, svc: Services) -> dict:
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
    )
    v = svc.brain.decide(j)
    out: dict = {"gate": v.choice, "verdicts": [_tag(v, state)]}
    if v.choice == "regenerate":
        out["attempt"] = state.get("attempt", 0) + 1
        free, _ = _unlocked(gatekeeper.adjustments(q["components"], state["brief"], out["attempt"]), state)
        out["params"] = {**state.get("params", {}), **free}
        if state["decision"] in ("reuse", "enhance"):
            out["decision"] = "generate"
    return out


def check_continuity(state: CellState, svc: Services) -> dict:
    s = svc.settings
    body = svc.library.body(project=state.get("project"), session=state.get("session"), limit=50)
    a = dict(state["best"]["analysis"])
    from sonicgrid.memory.continuity import centroid_hz

    snd = aio.read(state["best"]["path"])
    mood = a.get("mood") if isinstance(a.get("mood"), dict) else {}
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
    out: dict = {"continuity": v.choice, "verdicts": [_tag(v, state)]}
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
