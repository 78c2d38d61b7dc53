"""What the browser gets: turns, verdicts and runs as plain JSON-able dicts with the URLs to fetch.

Runs are found by id through their trace (settings.traces_dir/<run_id>.json holds the run dir), and
only files inside that run dir are ever served. Stems: <run_dir>/stems/<section>-<layer>.wav when the
run wrote them; else the cells' own audio (the chosen candidate of each grid cell, before the mix);
else none, and the page shows no mixer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sonicgrid.config import Settings

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.wav$")
VERDICT_KEYS = ("agent", "choice", "confidence", "reason", "evidence", "cell", "attempt", "brain", "overridden")


def trace_of(run_id: str, settings: Settings) -> dict | None:
    if not RUN_ID.match(run_id or ""):
        return None
    p = settings.traces_dir / f"{run_id}.json"
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def stems(trace: dict) -> list[dict]:
    """[{name, section, layer, file}] for the run's stem mixer (files relative to the run dir)."""
    run_dir = Path(trace.get("run_dir") or "")
    found = sorted((run_dir / "stems").glob("*.wav")) if trace.get("run_dir") else []
    out: list[dict[str, Any]] = []
    for p in found:
        section, _, layer = p.stem.partition("-")
        out.append({"name": p.stem, "section": section, "layer": layer or section, "file": f"stems/{p.name}"})
    if out:
        return out
    for c in trace.get("cells") or []:  # no stems written: the cells' chosen audio, when it is in the run dir
        path = Path(c.get("path") or "")
        cell = c.get("cell") or {}
        if path.is_file() and run_dir in path.parents and c.get("outcome", "ok") == "ok":
            name = f"{cell.get('section', 'cell')}-{cell.get('layer', c.get('index'))}"
            out.append(
                {
                    "name": name,
                    "section": cell.get("section"),
                    "layer": cell.get("layer"),
                    "file": str(path.relative_to(run_dir)),
                }
            )
    return out


def run_file(run_id: str, rel: str, settings: Settings) -> Path | None:
    """A WAV inside the run's directory (clip.wav, stems/*.wav, candidates/*.wav), or None."""
    t = trace_of(run_id, settings)
    if t is None or not t.get("run_dir"):
        return None
    parts = Path(rel).parts
    if not parts or len(parts) > 2 or not FILE_NAME.match(parts[-1]) or any(p in ("..", ".") for p in parts):
        return None
    run_dir = Path(t["run_dir"]).resolve()
    p = (run_dir / rel).resolve()
    return p if p.is_file() and run_dir in p.parents else None


def _facts(trace: dict | None, turn: dict) -> dict:
    """Key, tempo, length and score of the made clip (what the analysts heard, else what was asked)."""
    brief = (trace or {}).get("brief") or turn.get("brief") or {}
    res = (trace or {}).get("result") or {}
    heard = dict(res.get("analysis") or {})  # the final mix as the analysts heard it
    for c in (trace or {}).get("cells") or []:
        for k, v in (c.get("analysis") or {}).items():
            if heard.get(k) is None:
                heard[k] = v
    key: str | None
    if heard.get("key"):
        key = f"{heard['key']} {heard.get('mode') or ''}".strip()
    else:
        key = f"{brief.get('key')} {brief.get('mode') or ''}".strip() if brief.get("key") else None
    tempo = heard.get("tempo_bpm") or brief.get("tempo_bpm")
    return {
        "key": key,
        "tempo_bpm": round(float(tempo), 1) if isinstance(tempo, int | float) else None,
        "duration_s": res.get("duration_s", turn.get("duration_s")),
        "score": res.get("score", turn.get("score")),
        "lufs": (res.get("mastering") or {}).get("lufs_out"),
        "mood": brief.get("mood"),
        "section": brief.get("section"),
        "layers": brief.get("layers") or [],
    }


def turn_view(turn: dict, settings: Settings) -> dict:
    from sonicgrid.session import replies

    run_id = turn.get("run_id") or ""
    trace = trace_of(run_id, settings) if run_id else None
    view = {
        "n": turn.get("n"),
        "text": turn.get("text"),
        "request": turn.get("request"),
        "notes": turn.get("notes") or [],
        "status": turn.get("status"),
        "clip_id": turn.get("clip_id"),
        "run_id": run_id,
        "reply": replies.made(turn) if turn.get("brief") else turn.get("message"),
        "facts": _facts(trace, turn),
        "verdicts": [verdict_view(v) for v in (trace or {}).get("verdicts", [])],
        "stems": [],
    }
    if turn.get("status") == "ok" and trace is not None:
        view["audio"] = f"/api/runs/{run_id}/files/{Path(turn['path']).name}"
        view["stems"] = [dict(s, url=f"/api/runs/{run_id}/files/{s['file']}") for s in stems(trace)]
        view["report"] = f"/runs/{run_id}/report"
    return view


def verdict_view(v: dict) -> dict:
    return {k: v.get(k) for k in VERDICT_KEYS}


def graph_events(node: str, update: dict) -> list[dict]:
    """One graph update -> the events a tab shows live: the node that finished, then its verdicts.
    A finished cell's update repeats the verdicts its inner nodes ("cell/decide", ...) already sent."""
    events = [{"type": "node", "node": node}]
    if node == "cell":
        return events
    for v in (update or {}).get("verdicts") or []:
        events.append({"type": "verdict", **verdict_view(v)})
    return events


def layers_of(meta: dict) -> list[str]:
    """The layers a library clip carries ("atmosphere+rhythm" for a mix of two)."""
    layers = meta.get("layers")
    if isinstance(layers, list | tuple) and layers:
        return [str(x) for x in layers]
    return [x for x in str(meta.get("layer") or "").split("+") if x]


def library_view(rec: dict) -> dict:
    m = rec.get("meta") or {}
    return {
        "id": rec["id"],
        "text": rec.get("text"),
        "score": rec.get("score"),
        "mood": m.get("mood"),
        "layer": m.get("layer"),
        "section": m.get("section"),
        "project": m.get("project"),
        "duration_s": m.get("duration_s"),
        "key": m.get("key"),
        "tempo_bpm": m.get("tempo_bpm"),
        "quality": m.get("quality") or m.get("score"),
        "audio": f"/api/library/{rec['id']}/audio",
    }
