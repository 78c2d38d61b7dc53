"""What the chat says back: a made clip in one line, and "what did you decide and why" from the trace."""

from __future__ import annotations

import json
from pathlib import Path

from sonicgrid.config import Settings


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
    var = f", best of {t['variations']} variations" if t.get("variations", 1) > 1 else ""
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
