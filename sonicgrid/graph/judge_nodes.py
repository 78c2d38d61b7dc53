"""Node functions of one grid cell's agent loop, the listening half: analyze (the analysts hear the
candidate), the Quality Gatekeeper and Continuity. Each takes (state, services), returns a partial update."""

from __future__ import annotations

import time
from typing import Any

from sonicgrid import audio as aio
from sonicgrid.agents import continuity, gatekeeper
from sonicgrid.graph import cell_common as cc
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import Best, CellState, Json
from sonicgrid.graph.timing import tool_call
from sonicgrid.memory import vectors
from sonicgrid.tools.analysts.base import AnalysisRequest, Analyst

ANALYSIS_KEYS = (
    "quality",
    "mood",
    "tempo_bpm",
    "key",
    "mode",
    "lufs",
    "tags",
    "embedding",
    "embedding_kind",
    "music_embedding",
)


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
        if meta.get("quality") is None or listen_estimate <= cc.remaining(state):
            return None
        stored = {
            "quality": {"score": float(meta["quality"]), "components": {}, "note": "from the library record"},
            "mood": {"label": meta.get("mood_estimate") or meta.get("mood")},
            **{k: meta[k] for k in ("key", "mode", "tempo_bpm", "tags") if meta.get(k) is not None},
        }
    vec = svc.library.audio_vectors([source]).get(source)
    if not vec:  # no vector of the library's kind (a library from before): listen, which gives one
        return None
    return vectors.attach(stored, vectors.Vector(svc.library.audio_kind, vec))


def _listener(svc: Services) -> Analyst:
    listener = svc.registry.pick("analyst", "quality")
    if listener is None:  # the embedded listener is always registered
        raise RuntimeError("no analyst with the 'quality' capability is registered")
    return listener


def length_asked(state: CellState) -> float:
    """The length the candidate should have: the cell's, or for an extend the clip it continues plus the cell's
    (the continuation is joined to that clip: "make it 10 seconds longer" asks for 10 s more, not a 10 s clip)."""
    seconds = float(state["cell"]["duration_s"])
    ref = state.get("reference")
    if state.get("decision") == "extend" and ref:
        seconds += float(ref.get("meta", {}).get("duration_s") or 0.0)
    return seconds


def analyze(state: CellState, svc: Services) -> dict[str, Any]:
    t0 = time.perf_counter()
    listener = _listener(svc)
    seconds_asked = length_asked(state)
    stored = _stored_analysis(state, svc, listener.cost.estimate(seconds_asked))
    if stored is not None:  # a reused clip: judged on the analysis stored with it, not listened to again
        kept: Best = {
            "path": cc.candidate_path(state),
            "score": stored["quality"]["score"],
            "analysis": stored,
            "meta": state.get("candidate_meta", {}),
        }
        return _heard(state, stored, kept, t0, "library-analysis", seconds_asked, 0.0)
    clip_path = cc.candidate_path(state)
    clip = aio.read(clip_path)
    req = AnalysisRequest(audio=clip, brief=state["brief"], layer=state["cell"]["layer"], duration_s=seconds_asked)
    a = listener.run(req).as_dict()
    analysis = {k: a[k] for k in ANALYSIS_KEYS if k in a}
    best = state.get("best")
    score = a["quality"]["score"]
    if best is None or score > best["score"]:
        best = {"path": clip_path, "score": score, "analysis": analysis, "meta": state.get("candidate_meta", {})}
    return _heard(state, analysis, best, t0, listener.name, clip.duration, listener.cost.estimate(clip.duration))


def _heard(
    state: CellState, analysis: Json, best: Best, t0: float, tool: str, audio_s: float, est_s: float
) -> dict[str, Any]:
    """analyze's update: the analysis, the best take so far, the time spent and the analyst's tool call."""
    seconds = time.perf_counter() - t0
    return {
        "analysis": analysis,
        "best": best,
        "spent_s": state.get("spent_s", 0.0) + seconds,
        "tool_calls": [tool_call(tool, "analyst", state["cell"]["index"], seconds, audio_s, est_s)],
    }


def gatekeep(state: CellState, svc: Services) -> dict[str, Any]:
    s = svc.settings
    q = state["analysis"]["quality"]
    est = cc.regen_estimate(state, svc)
    j = gatekeeper.judgment(
        score=q["score"],
        components=q["components"],
        threshold=s.quality_threshold,
        attempt=state.get("attempt", 0),
        max_retries=s.max_retries,
        remaining_s=cc.remaining(state),
        regen_estimate_s=est,
        quality=q,
    )
    v = svc.brain.decide(j)
    out: dict[str, Any] = {"gate": v.choice, "verdicts": [cc.tag(v, state)]}
    if v.choice == "regenerate":
        out["attempt"] = state.get("attempt", 0) + 1
        free, _ = cc.unlocked(gatekeeper.adjustments(q["components"], state["brief"], out["attempt"]), state)
        out["params"] = {**state.get("params", {}), **free}
        if state["decision"] in ("reuse", "enhance"):
            out["decision"] = "generate"
    return out


# A build rises away from what came before by design (energy, density, brightness): its mood and timbre
# are not a misfit with the body of work; its key and tempo still are, unless the user set them.
CONTRAST_SECTIONS = frozenset({"build"})


def _judged_parts(fit: float, comps: dict[str, Any], state: CellState) -> tuple[float, dict[str, Any]]:
    """The fit on what Continuity may act on. A key or tempo the user stated is not a misfit to act on
    (the clash is still proposed in the reason); in a contrast section neither are mood and timbre."""
    said = set(state["brief"].get("explicit") or [])
    drop = ({"key"} if {"key", "mode"} & said else set()) | ({"tempo"} if "tempo_bpm" in said else set())
    if state["brief"].get("section") in CONTRAST_SECTIONS:
        drop |= {"mood", "timbre"}
    if not drop & set(comps):
        return fit, comps
    from sonicgrid.memory.continuity import WEIGHTS

    kept = {k: v for k, v in comps.items() if k not in drop}
    total = sum(WEIGHTS[k] for k in kept)
    return (round(sum(WEIGHTS[k] * kept[k]["value"] for k in kept) / total, 3) if total else 1.0), kept


def check_continuity(state: CellState, svc: Services) -> dict[str, Any]:
    s = svc.settings
    body = svc.library.body(project=state.get("project"), session=state.get("session"), limit=50)
    best = cc.best_of(state)
    a = dict(best["analysis"])
    from sonicgrid.memory.continuity import centroid_hz

    snd = aio.read(best["path"])
    mood: Json = a["mood"] if isinstance(a.get("mood"), dict) else {}
    clip = {
        "key": a.get("key"),
        "mode": a.get("mode"),
        "tempo_bpm": a.get("tempo_bpm"),
        "key_confidence": mood.get("key_confidence", 1.0),
        # compared with the body's vectors: the library's kind (the music embedding), heard if the analysis lacks it
        "embedding": getattr(vectors.for_clip(a, svc.library.audio_kind, snd), "values", None),
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
    fit, comps = _judged_parts(fit, comps, state)
    if "timbre" not in comps:  # a palette it does not judge is not a target to revise toward
        targets = {k: v for k, v in targets.items() if k not in ("lowpass_hz", "palette")}
    targets, proposed = cc.unlocked(targets, state)
    proposed = {
        k: v for k, v in proposed.items() if not cc.same(v, plan.get(k, state["brief"].get(k)))
    }  # the user's word and the plan's key stay; Continuity proposes
    actionable = [k for k in targets if k != "palette"]  # "palette" only describes; lowpass etc. act
    est = cc.regen_estimate(state, svc) if actionable else float("inf")
    j = continuity.judgment(
        fit=fit,
        components=comps,
        targets=targets,
        body_size=len(body),
        project=state.get("project") or state.get("session"),
        revision=state.get("revision", 0),
        max_revisions=s.max_revisions,
        remaining_s=cc.remaining(state),
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
    out: dict[str, Any] = {"continuity": v.choice, "verdicts": [cc.tag(v, state)]}
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
