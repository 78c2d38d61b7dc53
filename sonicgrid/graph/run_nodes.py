"""Run-level nodes: intake, plan (the grid), the per-cell loop, finish (mix, master, store)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sonicgrid import audio as aio
from sonicgrid.agents import intake as intake_agent
from sonicgrid.agents import lexicon
from sonicgrid.agents.verdict import Verdict
from sonicgrid.brief import Brief
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import RunState
from sonicgrid.graph.timing import tool_call
from sonicgrid.tools.analysts.base import AnalysisRequest


def intake(state: RunState, svc: Services) -> dict:
    prompt = state["request"]
    brain = svc.brain
    if getattr(brain, "name", "rules") == "llm":
        t0 = time.perf_counter()
        fields, found = lexicon.parse(intake_agent.validate_prompt(prompt))
        data = brain.ask("intake", intake_agent.INTAKE_SCHEMA, request=prompt)
        used: list[str] = []
        if data is not None:
            fields, used = intake_agent.merge_llm_fields(fields, found, data)
        brief = intake_agent.build_brief(fields, found, state.get("duration_override"), state.get("project"))
        v = Verdict(
            agent="intake",
            choice="brief",
            confidence=0.6 if data else 0.5,
            reason=(f"LLM filled {', '.join(used)}; " if used else "")
            + f"lexicon found {', '.join(found) or 'nothing'}"
            + ("" if data else " (LLM answer malformed twice: rules)"),
            evidence={"found": found, "llm": data},
            allowed=["brief"],
            brain="llm" if data else "llm-fallback",
            latency_ms=(time.perf_counter() - t0) * 1000,
            data=brief.model_dump(),
        )
    else:
        brief, v = intake_agent.rules_intake(prompt, state.get("duration_override"), state.get("project"))
    return {"brief": brief.model_dump(), "verdicts": [v.model_dump() | {"cell": None, "attempt": 0}]}


def plan(state: RunState, svc: Services) -> dict:
    brief = Brief(**state["brief"])
    cells = [
        {"index": i, "section": brief.section, "layer": layer, "duration_s": brief.duration_s, "start_s": 0.0}
        for i, layer in enumerate(brief.layers)
    ]
    return {"plan": cells}


def resolve_reference(brief: dict, state: RunState, svc: Services) -> dict | None:
    ref = brief.get("reference")
    if not ref:
        return None
    lib = svc.library
    if ref != "last":
        rec = lib.get(ref if ref.startswith("clip_") else f"clip_{ref}")
        return rec
    for turn in reversed(state.get("history") or []):
        if turn.get("clip_id"):
            rec = lib.get(turn["clip_id"])
            if rec:
                return rec
    where = (
        {"session": state["session"]}
        if state.get("session")
        else ({"project": state["project"]} if state.get("project") else None)
    )
    return lib.last(where) if where else None


def finish(state: RunState, svc: Services) -> dict:
    cells = sorted(state.get("cells", []), key=lambda c: c["index"])
    done = [c for c in cells if c.get("path")]
    run_dir = Path(state["run_dir"])
    if not done:
        why = "; ".join(c.get("message", "") for c in cells if c.get("message")) or "nothing was produced"
        return {"result": {"status": "no_clip", "message": why}}
    t0 = time.perf_counter()
    calls: list[dict] = []
    final, mastering = _reused_master(done, svc) if len(done) == 1 else (None, None)
    if final is None:
        final, mastering = _mix_and_master(done, state, svc, calls)
    wav = aio.write(run_dir / "clip.wav", final)
    if len(done) == 1:
        analysis = done[0]["analysis"]
    else:
        listener = svc.registry.pick("analyst", "quality")
        analysis = listener.run(AnalysisRequest(audio=final, brief=state["brief"])).as_dict()
    score = float(np.mean([c["score"] for c in done]))
    clip_id = store_clip(svc, state, final, analysis, score, done)
    return {
        "result": {
            "status": "ok",
            "path": str(wav),
            "clip_id": clip_id,
            "score": round(score, 2),
            "mastering": mastering,
            "duration_s": round(final.duration, 3),
            "analysis": {k: v for k, v in analysis.items() if k != "embedding"},
            "finish_s": round(time.perf_counter() - t0, 4),
        },
        "tool_calls": calls,
    }


def _reused_master(done: list[dict], svc: Services) -> tuple[aio.Audio | None, dict | None]:
    """A clip reused as is was enhanced and mastered when it was made: keep it unless its loudness
    drifted (e.g. padded to a longer duration)."""
    if done[0].get("decision") != "reuse":
        return None, None
    from sonicgrid.tools.analysts.features import loudness_lufs
    from sonicgrid.tools.enhancers.master import true_peak_dbfs

    clip = aio.read(done[0]["path"])
    lufs, tp = loudness_lufs(clip), true_peak_dbfs(clip.samples)
    if abs(lufs - svc.settings.target_lufs) > 0.5 or tp > svc.settings.true_peak_dbfs + 0.05:
        return None, None
    return clip, {
        "lufs_in": round(lufs, 2),
        "lufs_out": round(lufs, 2),
        "true_peak_dbtp": round(tp, 2),
        "target_lufs": svc.settings.target_lufs,
        "ceiling_dbtp": svc.settings.true_peak_dbfs,
        "note": "reused library clip, already mastered",
    }


def _mix_and_master(done: list[dict], state: RunState, svc: Services, calls: list[dict]) -> tuple[aio.Audio, dict]:
    sr = svc.settings.sample_rate
    from sonicgrid.tools.mixer import Cell, mix

    segments = []
    for c in done:  # every segment is enhanced: speech by a voice enhancer, the rest by a music one
        seg = aio.read(c["path"])
        seg = _apply(
            svc, "enhancer", "voice" if c["cell"]["layer"] == "voice" else "music", seg, state, calls, c["index"]
        )
        segments.append(Cell(layer=c["cell"]["layer"], audio=seg, start_s=float(c["cell"].get("start_s", 0.0))))
    tempo = next((c.get("analysis", {}).get("tempo_bpm") for c in done if c.get("analysis", {}).get("tempo_bpm")), None)
    mixed, _stems, _placement = mix(segments, sr, tempo)
    if svc.settings.finish_vocoder:  # opt-in: a 22 kHz neural vocoder narrows a 44.1 kHz mix
        mixed = _apply(svc, "vocoder", "resynthesis", mixed, state, calls, None)
    master = svc.registry.pick("master")
    tm = time.perf_counter()
    from sonicgrid.tools.enhancers.master import master as master_fn

    final, mastering = master_fn(mixed, svc.settings.target_lufs, svc.settings.true_peak_dbfs)
    calls.append(
        tool_call(
            master.name if master else "master-chain",
            "master",
            None,
            time.perf_counter() - tm,
            final.duration,
            master.cost.estimate(final.duration) if master else 0.0,
        )
    )
    return final, mastering


def _apply(
    svc: Services, role: str, capability: str, audio: aio.Audio, state: RunState, calls: list[dict], cell: int | None
) -> aio.Audio:
    """Run the registry's first available tool for (role, capability) on audio; record the call."""
    tool = svc.registry.pick(role, capability)
    if tool is None:
        return audio
    from sonicgrid.tools.base import GenRequest

    t0 = time.perf_counter()
    out = tool.run(
        GenRequest(
            prompt="",
            brief=state["brief"],
            layer="mix",
            section="",
            duration_s=audio.duration,
            seed=0,
            audio_prompt=audio,
        )
    ).audio
    calls.append(
        tool_call(tool.name, role, cell, time.perf_counter() - t0, audio.duration, tool.cost.estimate(audio.duration))
    )
    return out


def store_clip(svc: Services, state: RunState, final: aio.Audio, analysis: dict, score: float, done: list[dict]) -> str:
    """The finished clip goes into the library last: an error earlier leaves the library untouched."""
    from sonicgrid.memory.continuity import centroid_hz

    brief = state["brief"]
    layers = [c["cell"]["layer"] for c in done]
    parents = [c["source_id"] for c in done if c.get("source_id")]
    mood = analysis.get("mood", {})
    meta = {
        "run_id": state["run_id"],
        "prompt": brief["prompt"],
        "mood": brief["mood"],
        "mood_estimate": mood.get("label") if isinstance(mood, dict) else None,
        "section": brief["section"],
        "layer": "+".join(layers),
        "layers": layers,
        "key": analysis.get("key"),
        "mode": analysis.get("mode"),
        "tempo_bpm": analysis.get("tempo_bpm"),
        "quality": round(score, 2),
        "tags": analysis.get("tags"),
        "project": state.get("project"),
        "session": state.get("session"),
        "parent": parents[0] if parents else None,
        "cost_s": round(sum(c.get("spent_s", 0.0) for c in done), 4),
        "embedding": analysis.get("embedding"),
        "decision": done[0].get("decision"),
        "seed": state["seed"],
        "centroid_hz": centroid_hz(final.samples, final.sr),
        # a single generated cell's arrangement (key, tempo, progression, parts, seed): "extend" carries it on
        "arrangement": done[0].get("meta", {}).get("arrangement") if len(done) == 1 else None,
        # what the analysts heard, so a later reuse is judged without listening again
        "analysis": {
            k: analysis[k] for k in ("quality", "mood", "tempo_bpm", "key", "mode", "lufs", "tags") if k in analysis
        },
    }
    text = (
        f"{brief['prompt']} | {brief['mood']} {brief['section']} {' '.join(layers)} | key {meta['key']} {meta['mode']}"
    )
    vec = analysis.get("embedding")
    if not vec:  # a multi-cell mix is analysed above; a single cell's analysis always carries one
        from sonicgrid.memory.maintenance import analyse

        vec = analyse(final)["embedding"]
    return svc.library.add(final, meta, text, vec)
