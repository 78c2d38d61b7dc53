"""What the chat says back: a made clip in one line, and "what did you decide and why" from the trace."""

from __future__ import annotations

import json
from pathlib import Path

from sonicgrid.brief import METER_NAMES, bar_seconds
from sonicgrid.config import Settings
from sonicgrid.session.messages import last_ok


def turn_record(turn: dict, summary: dict, n: int) -> dict:
    res = summary.get("result", {})
    verdicts = summary.get("verdicts", [])
    ref = next((v["evidence"].get("reference") for v in verdicts if v["agent"] == "decision"), None)
    return {
        **turn,
        "n": n,
        "run_id": summary["run_id"],
        "brief": summary.get("brief"),
        "status": res.get("status"),
        "message": res.get("message"),
        "clip_id": res.get("clip_id"),
        "path": res.get("path"),
        "score": res.get("score"),
        "duration_s": res.get("duration_s"),
        "spent_s": summary.get("spent_s", 0.0),
        "wall_s": summary.get("wall_s", 0.0),
        "budget_s": summary.get("budget_s"),
        "reference": ref,
        "choices": [f"{v['agent']}:{v['choice']}" for v in verdicts if v["agent"] != "intake"],
        "clip_dir": str(Path(res["path"]).parent) if res.get("path") else None,
        "layers": list(dict.fromkeys(c["cell"]["layer"] for c in summary.get("cells") or [] if c.get("path"))),
        "notes_out": list(res.get("notes") or []),
        "variations": len(res.get("variations") or []) or 1,
        "sections": [s["section"] for s in res.get("sections") or []],
    }


def remix_record(turn: dict, prev: dict, res: dict, n: int) -> dict:
    """A stem edit is a turn too: the same clip, a new mix."""
    return {
        **prev,
        **turn,
        "n": n,
        "path": res["path"],
        "wall_s": res["seconds"],
        "spent_s": 0.0,
        "choices": [],
        "reference": prev.get("clip_id"),
        "remix": res["edits"],
        "mastering": res.get("mastering"),
        "duration_s": res.get("duration_s") or prev.get("duration_s"),  # "loop it 4 times": four times as long
        "notes_out": [],
    }


def remixed(t: dict, res: dict) -> str:
    from sonicgrid.session.remix import describe_finish, describe_stems

    whole = describe_finish(res)
    return (
        f"re-mixed {t['clip_id']} from its stems in {res['seconds']:.2f}s ({'; '.join(res['edits'])}), "
        f"nothing regenerated -> {res['path']}; stems: {describe_stems(res['stems'])}" + (f"; {whole}" if whole else "")
    )


def already_clean(t: dict, settings: Settings) -> str:
    """ "clean it up", "enhance it", "remaster it": what was done to every clip, and what can change."""
    from sonicgrid.session.remix import EXAMPLES

    return (
        f"{t['clip_id']} is already through the finishing chain: stems with a noise floor or band-limit to repair "
        f"went through the enhancer (the composer's synthesised stems have none), and the mix was mastered to "
        f"{settings.target_lufs:g} LUFS under a {settings.true_peak_dbfs:g} dBTP ceiling; the gate scored it "
        f"{float(t.get('score') or 0):.1f}/10. To change its sound, try {EXAMPLES}, or ask for another take."
    )


def made(t: dict) -> str:
    if t["status"] != "ok":
        return f"no clip this time: {t.get('message')}"
    b = t["brief"]
    decided = ", ".join(dict.fromkeys(c.split(":")[1] for c in t["choices"] if c.startswith("decision:")))
    ref = f"; building on {t['reference']}" if t.get("reference") else ""
    layers = t.get("layers") or b["layers"]  # what was rendered, not what was asked
    sections = " + ".join(t.get("sections") or []) or b["section"]
    var = (
        f", best of {t['variations']} variations (the others under variations/; 'the second one' goes on with it)"
        if t.get("variations", 1) > 1
        else ""
    )
    notes = "".join(f"; {n}" for n in t.get("notes_out") or [])
    return (
        f"{t['clip_id']}: {t['duration_s']:.1f}s {b['mood']} {sections} ({', '.join(layers)}), "
        f"score {t['score']:.1f}/10{var}, decided {decided}{ref}{notes} -> {t['path']}"
    )


def load_trace(run_id: str, settings: Settings) -> dict | None:
    path = settings.traces_dir / f"{run_id}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def explain(turn: dict | None, settings: Settings) -> str:
    if turn is None:
        return "nothing decided yet: ask me to make something first"
    trace = load_trace(turn["run_id"], settings)
    if trace is None:
        return f"the trace of run {turn['run_id']} is gone from {settings.traces_dir}"
    b = trace.get("brief") or {}
    lines = [
        f"For {turn['text']!r} (run {turn['run_id']}) I read the request as {trace['request']!r}: "
        f"{b.get('mood')} {b.get('section')}, {b.get('duration_s', 0):g}s, {', '.join(b.get('layers', []))}"
        + (f"; carried over from the last clip, changed: {', '.join(turn['notes'])}" if turn.get("notes") else "")
    ]
    for v in trace["verdicts"]:
        where = "" if v.get("cell") is None else f" (cell {v['cell']}, attempt {v.get('attempt', 0)})"
        lines.append(
            f"- {v['agent']}{where}: {v['choice']} at confidence {v['confidence']:.2f}, "
            f"{v.get('brain', 'rules')} brain: {v['reason']}"
        )
    res = trace.get("result", {})
    lines.append(
        f"Result: {res.get('status')}"
        + (
            f", {res.get('clip_id')} scored {res.get('score')}/10"
            if res.get("status") == "ok"
            else f": {res.get('message')}"
        )
        + f"; compute {trace.get('spent_s', 0):.2f}s of {trace.get('budget_s', 0):g}s budget."
    )
    return "\n".join(lines)


def nothing_to_remove(turn: dict, never: list[str], layers: set[str]) -> str:
    """ "remove the drums" (or "solo the drums") on a clip that has none."""
    from sonicgrid.session.followup import LAYER_TEXT

    names = " or ".join(LAYER_TEXT.get(la, la) for la in never)
    has = ", ".join(LAYER_TEXT.get(la, la) for la in sorted(layers))
    return f"{turn['clip_id']} has no {names} (its stems: {has}): nothing changed"


def describe(turn: dict | None) -> str:
    """ "what key is it in?", "how long is it?", "which instruments?": the last clip as it was made (its sidecar:
    the key, mode and tempo it was composed in, the parts played, the master's loudness), never a new clip."""
    if turn is None:
        return "no clip yet: ask me to make something first"
    side = Path(turn.get("clip_dir") or "") / "clip.json"
    run = json.loads(side.read_text()) if side.is_file() else {}
    b = turn.get("brief") or {}
    planned = next((c.get("params") or {} for c in run.get("plan") or [] if (c.get("params") or {}).get("key")), {})
    heard = (run.get("result") or {}).get("analysis") or {}
    planned = planned or {k: turn[k] for k in ("key", "mode", "tempo_bpm") if turn.get(k)}  # a picked variation
    key = planned.get("key") or heard.get("key")
    mode = planned.get("mode") or heard.get("mode") or ""
    tempo = planned.get("tempo_bpm") or heard.get("tempo_bpm")
    parts = [
        _played(part, program)
        for c in run.get("cells") or []
        for part, program in (((c.get("meta") or {}).get("arrangement") or {}).get("parts") or {}).items()
        if c.get("path")
    ]
    master = turn.get("mastering") or (run.get("result") or {}).get("mastering") or {}  # a re-mix has its own
    seconds = float(turn.get("duration_s") or b.get("duration_s") or 0)
    section = " + ".join(turn.get("sections") or []) or b.get("section", "")
    bits = [f"{turn['clip_id']}: {seconds:.1f} s {b.get('mood', '')} {section}"]
    if turn.get("remix"):
        bits[0] += f", re-mixed ({'; '.join(turn['remix'])})"
    if key:
        bits.append(f"in {key} {mode}".rstrip() + (" (composed in it)" if planned.get("key") else " (as heard)"))
    if tempo:
        meter = int(planned.get("meter") or 4)
        bars = seconds / bar_seconds(float(tempo), meter)
        whole = f"{bars:.0f} bars" if abs(bars - round(bars)) < 0.02 else f"{bars:.1f} bars"
        felt = " (dotted quarters)" if meter == 6 else ""
        bits.append(
            f"{float(tempo):.0f} bpm{felt}, {whole} of {METER_NAMES[meter]}"
            if seconds and planned.get("tempo_bpm")
            else f"{float(tempo):.0f} bpm"
        )
    layers = turn.get("layers") or b.get("layers") or []
    bits.append(f"layers {', '.join(layers)}" + (f" (parts: {', '.join(dict.fromkeys(parts))})" if parts else ""))
    if master.get("lufs_out") is not None:
        bits.append(f"mastered to {master['lufs_out']:.1f} LUFS, true peak {master.get('true_peak_dbtp', 0):.1f} dBTP")
    if turn.get("score") is not None:
        bits.append(f"the gate scored it {float(turn['score']):.1f}/10")
    where = turn.get("path")
    return "; ".join(bits) + (f" -> {where} (stems/ and clip.mid beside it)" if where else "")


def _played(part: str, program: int) -> str:
    """ "lead (Flute)": a composed part and the General MIDI instrument that plays it."""
    if part == "drums":
        return "drums"
    try:
        import pretty_midi

        return f"{part} ({pretty_midi.program_to_instrument_name(int(program))})"
    except (ImportError, ValueError):
        return part


def social(text: str, last: dict | None, bye: bool) -> str:
    """ "thanks!", "great", "bye": a word back and what the user can do next; never a new clip."""
    if bye:
        return "bye: everything made is in the library (sonicgrid library list) and this session is saved"
    if last is None:
        return 'hello: tell me what to make, e.g. "a moody intro, 12 seconds" or "an upbeat loop with drums at 120 bpm"'
    return (
        f'glad it works: {last.get("clip_id", "the last clip")} is kept. Say what to change ("darker", '
        '"add drums", "make it longer"), "save it" to copy it out, or ask for something new'
    )


def compare(turns: list[dict]) -> str:
    """ "which one is better?": the last request's takes (or the last run's variations), each with the critic's
    score, best first. The ears judge the sound; the pick is the user's ("the first one", "take 2")."""
    from sonicgrid.session import pick

    last = last_ok(turns)
    if last is None:
        return "no clip yet: ask me to make something first"
    vs = pick.variations(last) if int(last.get("variations") or 1) > 1 else []
    if len(vs) > 1:
        rows = [(f"variation {v['variation']}", v["clip_id"], float(v["score"])) for v in vs]
    else:
        clips, mine = pick.takes(turns)
        score = {t["clip_id"]: float(t["score"]) for t in mine if t.get("score") is not None}
        rows = [(f"take {i}", c, score[c]) for i, c in enumerate(clips, 1) if c in score]
    if len(rows) < 2:
        return f'there is one take of this request ({last["clip_id"]}): say "try again" for another to compare'
    ranked = sorted(rows, key=lambda r: -r[2])
    best = ranked[0]
    close = ranked[1][2] >= best[2] - 0.1
    said = "; ".join(f"{name} ({clip}) {sc:.2f}/10" for name, clip, sc in ranked)
    verdict = "they score alike: pick by ear" if close else f"the critic prefers {best[0]}"
    return f'{said}: {verdict}. Say "the first one" or "take 2" to go on with one'
