"""Run-level nodes: intake, plan (the grid), the per-cell loop, finish (mix, master, store)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sonicgrid import audio as aio
from sonicgrid import outputs
from sonicgrid.agents import intake as intake_agent
from sonicgrid.brief import MOODS, Brief
from sonicgrid.graph.cell_common import made_by
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import RunState
from sonicgrid.graph.timing import tool_call
from sonicgrid.memory import vectors


def intake(state: RunState, svc: Services) -> dict[str, Any]:
    brief, v = intake_agent.read(state["request"], svc.brain, state.get("duration_override"), state.get("project"))
    return {"brief": brief.model_dump(), "verdicts": [v.model_dump() | {"cell": None, "attempt": 0}]}


def plan(state: RunState, svc: Services) -> dict[str, Any]:
    """The grid (graph/arrange.py): sections x layers x variations sharing one key/tempo per variation."""
    from sonicgrid.graph import arrange

    brief = Brief(**state["brief"])
    ref = resolve_reference(state["brief"], state, svc)
    if ref and "mood" not in brief.explicit and ref.get("meta", {}).get("mood") in MOODS:
        brief = brief.model_copy(update={"mood": ref["meta"]["mood"]})  # "the outro to the intro we made"
    project = None
    if state.get("project") or state.get("session"):  # the body of work lends its key and tempo
        from sonicgrid.memory.continuity import profile

        body = svc.library.body(project=state.get("project"), session=state.get("session"), limit=50)
        project = profile(body) if body else None
    seed = int(state["seed"])
    longer = arrange.longer_take(brief, ref)  # "longer" on a clip with drums and pads: all of it, played longer
    brief = longer or brief
    if (longer or brief.transpose is not None) and ref and isinstance(ref.get("meta", {}).get("seed"), int):
        seed = int(ref["meta"]["seed"])  # "up a semitone", "longer": the reference's notes, moved or played on
    cells, info = arrange.plan(brief, seed, svc.registry, ref, project)
    if longer:
        info["notes"].append(f"longer: the same music played to {brief.duration_s:g} s, every layer to the end")
    played = {  # the run's brief says what it plays: a loop's length on whole bars, a meter the reference lent
        "duration_s": float(info.get("duration_s") or brief.duration_s),
        "meter": (info.get("shared") or [{}])[0].get("meter") or brief.meter,
    }
    if played != {"duration_s": brief.duration_s, "meter": brief.meter}:
        brief = brief.model_copy(update=played)
    return {"plan": cells, "arrangement": info, "brief": brief.model_dump(), "seed": seed}


def resolve_reference(brief: dict[str, Any], state: RunState, svc: Services) -> dict[str, Any] | None:
    """The clip a request refers to: a clip id; else, for "the last one" / "the intro we made", the
    conversation's last clip (of that section), else the session's or project's, else the library's."""
    ref = brief.get("reference")
    if not ref:
        return None
    lib = svc.library
    if ref != "last":
        rec = lib.get(ref if ref.startswith("clip_") else f"clip_{ref}")
        return rec
    section = brief.get("reference_section")
    for turn in reversed(state.get("history") or []):
        if turn.get("clip_id"):
            rec = lib.get(turn["clip_id"])
            if rec and (not section or rec.get("meta", {}).get("section") == section):
                return rec
    scope = (
        {"session": state["session"]}
        if state.get("session")
        else ({"project": state["project"]} if state.get("project") else None)
    )
    where = {"section": section} if section else None
    if scope and where:
        where = {"$and": [scope, where]}
    return lib.last(where or scope)


def finish(state: RunState, svc: Services) -> dict[str, Any]:
    cells = sorted(state.get("cells", []), key=lambda c: c["index"])
    done = [c for c in cells if c.get("path")]
    run_dir = Path(state["run_dir"])
    if not done:
        why = "; ".join(c.get("message", "") for c in cells if c.get("message")) or "nothing was produced"
        return {"result": {"status": "no_clip", "message": why}}
    t0 = time.perf_counter()
    calls: list[dict[str, Any]] = []
    final, mastering = _reused_master(done, svc) if len(done) == 1 else (None, None)
    if final is not None:
        wav = aio.write(run_dir / "clip.wav", final)
        score = float(done[0]["score"])
        clip_id = store_clip(svc, state, final, done[0]["analysis"], score, done)
        result = {"path": str(wav), "clip_id": clip_id, "score": round(score, 2), "mastering": mastering}
        result |= {"analysis": vectors.without(done[0]["analysis"])}
    else:
        from sonicgrid.graph.finish_grid import finish_grid, variant_summary

        grid = finish_grid(state, svc, done, calls, _apply)
        ranked = grid["ranked"]
        store_stems(svc, state, done)  # first: the finished clip stays "the last one"
        ids = [store_clip(svc, state, v["audio"], v["analysis"], v["score"], v["cells"], v) for v in ranked]
        best = ranked[0]
        final, mastering = best["audio"], best["mastering"]
        result = {
            "path": best["path"],
            "clip_id": ids[0],
            "score": round(best["score"], 2),
            "mastering": mastering,
            "analysis": vectors.without(best["analysis"]),
            "mix": best["mix"],
            "stems": best["stem_files"],
            "midi": best["midi"],
            "sections": best["sections"],
            "variations": [variant_summary(v, i) for v, i in zip(ranked, ids)],
            "notes": grid["notes"],
        }
    sf2 = sorted({c.get("meta", {}).get("soundfont") for c in done if c.get("meta", {}).get("soundfont")})
    result |= {"soundfont": sf2[0] if len(sf2) == 1 else (sf2 or None)}
    return {
        "result": {"status": "ok"}
        | result
        | {"duration_s": round(final.duration, 3), "finish_s": round(time.perf_counter() - t0, 4)},
        "tool_calls": calls,
    }


def _reused_master(done: list[dict[str, Any]], svc: Services) -> tuple[aio.Audio | None, dict[str, Any] | None]:
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


def _apply(
    svc: Services,
    role: str,
    capability: str,
    audio: aio.Audio,
    state: RunState,
    calls: list[dict[str, Any]],
    cell: int | None,
) -> aio.Audio:
    """Run the registry's first available tool for (role, capability) on audio; record the call."""
    from sonicgrid.tools.base import AudioRequest, Enhancer, Vocoder, VocodeRequest

    tool = svc.registry.pick(role, capability)
    t0 = time.perf_counter()
    if isinstance(tool, Enhancer):
        out = tool.run(AudioRequest(audio, state["brief"])).audio
    elif isinstance(tool, Vocoder):
        out = tool.run(VocodeRequest(audio=audio)).audio
    else:
        return audio
    calls.append(
        tool_call(tool.name, role, cell, time.perf_counter() - t0, audio.duration, tool.cost.estimate(audio.duration))
    )
    return out


def store_stems(svc: Services, state: RunState, done: list[dict[str, Any]]) -> None:
    """Each generated cell of a grid goes into the library as its own clip (its layer, section,
    planned key/tempo, analysis): a later request reuses a stem, not a whole mix."""
    if len(done) < 2:
        return
    for c in done:
        if c.get("decision") not in ("generate", "extend") or not c.get("analysis", {}).get("embedding"):
            continue
        store_clip(svc, state, aio.read(c["path"]), c["analysis"], float(c["score"]), [c], {"rank": 1}, stem=True)


def store_clip(
    svc: Services,
    state: RunState,
    final: aio.Audio,
    analysis: dict[str, Any],
    score: float,
    done: list[dict[str, Any]],
    variant: dict[str, Any] | None = None,
    stem: bool = False,
) -> str:
    """The finished clip goes into the library last: an error earlier leaves the library untouched.
    A planned grid stores the key, mode and tempo it was composed in (what "same key" refers to)."""
    from sonicgrid.memory.continuity import centroid_hz

    brief = state["brief"]
    layers = list(dict.fromkeys(c["cell"]["layer"] for c in done))
    planned = (done[0]["cell"].get("params") or {}) if variant else {}
    parents = [c["source_id"] for c in done if c.get("source_id")]
    mood = analysis.get("mood", {})
    meta = {
        "run_id": state["run_id"],
        "prompt": brief["prompt"],
        "mood": brief["mood"],
        "mood_estimate": mood.get("label") if isinstance(mood, dict) else None,
        "section": done[0]["cell"]["section"] if stem else brief["section"],
        "layer": "+".join(layers),
        "kind": "stem" if stem else "clip",
        "layers": layers,
        "key": planned.get("key") or analysis.get("key"),
        "mode": planned.get("mode") or analysis.get("mode"),
        "tempo_bpm": planned.get("tempo_bpm") or analysis.get("tempo_bpm"),
        "progression": planned.get("progression"),  # what a transposition replays
        "octave": planned.get("octave"),
        "meter": planned.get("meter"),  # beats per bar when not 4 (a waltz: 3)
        "variation": variant["rank"] if variant else 1,
        "quality": round(score, 2),
        "tags": analysis.get("tags"),
        "project": state.get("project"),
        "session": state.get("session"),
        "parent": parents[0] if parents else None,
        "cost_s": round(sum(c.get("spent_s", 0.0) for c in done), 4),
        "decision": done[0].get("decision"),
        # the tool that made a single cell's sound (a reused stem of a clean synthesiser is not re-enhanced)
        "tool": made_by(done[0]) if len(done) == 1 else None,
        # a single cell's composed notes: a later run that reuses this stem still writes them to clip.mid
        "midi": (outputs.cell_notes(done[0]) or None) if len(done) == 1 else None,
        "seed": state["seed"],
        "centroid_hz": centroid_hz(final.samples, final.sr),
        # a single generated cell's arrangement (key, tempo, progression, parts, seed): "extend" carries it on
        "arrangement": done[0].get("meta", {}).get("arrangement") if len(done) == 1 else None,
        # what the analysts heard, so a later reuse is judged without listening again
        "analysis": {
            k: analysis[k] for k in ("quality", "mood", "tempo_bpm", "key", "mode", "lufs", "tags") if k in analysis
        },
    }
    part = f"stem:{done[0]['cell']['index']}" if stem else ""
    if variant and variant.get("rank", 1) != 1:
        part = f"variation:{variant.get('variant', variant['rank'])}"
    if part:  # the run's own clip keeps the run's id; its stems and other variations get their own
        from sonicgrid.memory.library import run_clip_id

        meta["id"] = run_clip_id(state["run_id"], part)
    text = (
        f"{brief['prompt']} | {brief['mood']} {brief['section']} {' '.join(layers)} | key {meta['key']} {meta['mode']}"
    )
    # the analysis's vector of the library's kind; the library hears the clip for one if it lacks it
    return svc.library.add(final, meta, text, analysis)
