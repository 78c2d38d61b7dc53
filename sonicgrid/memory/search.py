"""Reuse search: rank library candidates for a brief by text + audio + metadata compatibility.

Each candidate carries its combined score, the components it was built from, and reasons in words,
so the Decision agent (and `sonicgrid library search`) can show why a clip was offered.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sonicgrid.tools.analysts.keytempo import key_distance
from sonicgrid.tools.analysts.mood import MOOD_POINTS

WEIGHTS = {"text": 0.55, "audio": 0.2, "meta": 0.25}
TEMPO_TOLERANCE = 0.08  # +-8 % counts as the same tempo (half/double time counts too)


def cosine(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def tempo_ratio_score(t1: float, t2: float, tolerance: float = TEMPO_TOLERANCE) -> float:
    """1 inside tolerance (incl. half/double time), falling to 0 at three tolerances away."""
    r = abs(math.log2(t1 / t2))
    r = min(r, abs(r - 1))
    tol = math.log2(1 + tolerance)
    return float(max(0.0, 1.0 - max(0.0, r - tol) / (2 * tol)))


def key_score(k1: str, m1: str, k2: str, m2: str) -> float:
    """1 same/relative key, 0.67 a fifth apart, 0.33 two fifths, 0 further."""
    return round(max(0.0, 1 - key_distance(k1, m1 or "major", k2, m2 or "major") / 3), 3)


def meta_compat(meta: dict, brief: dict) -> tuple[float | None, dict, list[str]]:
    """Metadata compatibility 0..1 with the brief's key, tempo, duration, mood, section (what it names)."""
    parts: dict[str, float] = {}
    why: list[str] = []
    if brief.get("key") and meta.get("key"):
        parts["key"] = key_score(meta["key"], meta.get("mode") or "major", brief["key"], brief.get("mode") or "major")
        why.append(f"key {meta['key']} {meta.get('mode', '')} vs {brief['key']} {brief.get('mode') or ''}".strip())
    if brief.get("tempo_bpm") and meta.get("tempo_bpm"):
        parts["tempo"] = tempo_ratio_score(float(meta["tempo_bpm"]), float(brief["tempo_bpm"]))
        why.append(f"tempo {float(meta['tempo_bpm']):.0f} vs {float(brief['tempo_bpm']):.0f} bpm")
    if brief.get("duration_s") and meta.get("duration_s"):
        d, want = float(meta["duration_s"]), float(brief["duration_s"])
        parts["duration"] = float(max(0.0, 1 - abs(math.log2(d / want)) * 2)) if d > 0 else 0.0
        why.append(f"{d:.1f}s vs {want:.1f}s asked")
    if brief.get("mood") in MOOD_POINTS and meta.get("mood") in MOOD_POINTS:
        dist = float(np.hypot(*(np.subtract(MOOD_POINTS[meta["mood"]], MOOD_POINTS[brief["mood"]]))))
        parts["mood"] = max(0.0, 1 - dist / 1.5)
        why.append(f"mood {meta['mood']}" + ("" if meta["mood"] == brief["mood"] else f" (asked {brief['mood']})"))
    if brief.get("section") and meta.get("section"):
        parts["section"] = 1.0 if meta["section"] == brief["section"] else 0.5
        why.append(f"section {meta['section']}")
    if not parts:
        return None, {}, []
    return float(np.mean(list(parts.values()))), {k: round(v, 3) for k, v in parts.items()}, why


def combine(text_sim: float | None, audio_sim: float | None, meta: float | None) -> float:
    comps = {"text": text_sim, "audio": audio_sim, "meta": meta}
    present = {k: v for k, v in comps.items() if v is not None}
    if not present:
        return 0.0
    tot = sum(WEIGHTS[k] for k in present)
    return sum(WEIGHTS[k] * max(0.0, v) for k, v in present.items()) / tot


def rank(
    ids: list[str],
    metas: list[dict],
    text_vecs,
    audio_vecs,
    *,
    text_query=None,
    audio_query=None,
    brief: dict | None = None,
) -> list[dict]:
    """Score every candidate; returns dicts (id, score, components, reasons) best first."""
    out: list[dict[str, Any]] = []
    for i, cid in enumerate(ids):
        meta = metas[i]
        ts = cosine(text_query, text_vecs[i]) if text_query is not None and text_vecs[i] is not None else None
        aus = cosine(audio_query, audio_vecs[i]) if audio_query is not None and audio_vecs[i] is not None else None
        ms, mparts, why = meta_compat(meta, brief) if brief else (None, {}, [])
        score = combine(ts, aus, ms)
        reasons = []
        if ts is not None:
            reasons.append(f"text {ts:.2f}")
        if aus is not None:
            reasons.append(f"sound {aus:.2f}")
        if ms is not None:
            reasons.append(f"metadata {ms:.2f} (" + ", ".join(why) + ")")
        comps = {"text": _r(ts), "audio": _r(aus), "meta": _r(ms), "meta_parts": mparts}
        out.append({"id": cid, "score": round(score, 4), "components": comps, "reasons": reasons})
    out.sort(key=lambda r: -float(r["score"]))
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)
