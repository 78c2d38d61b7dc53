"""Does the clip honour the brief? Layers asked for or excluded, tempo, key, mood energy and length,
each checked only where the ears are confident enough to accuse (a 3 s pad has no reliable tempo) and
where it applies to the part heard: no key on a drum or texture stem, the mood's energy only on the whole
piece (a full mix, or a cell that is the only layer asked for).

A violation caps the clip's score below the gate (`CAP`, and the gatekeeper also caps relative to its
own bar): a clip that sounds fine but ignores the brief must not pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sonicgrid.tools.analysts.keytempo import key_distance

CAP = 4.0  # the score of a clip that violates its brief (the default bar is 5)
DRUMS_YES, DRUMS_NO = 0.6, 0.25  # drum probability above which drums are heard / below which none are
VOICE_YES = 0.7
TEMPO_TOL = 0.08  # relative tempo error (octave-tolerant) beyond which a confident beat violates the brief
TEMPO_CONF = 0.5
KEY_CONF = 0.6
LOW_ENERGY = ("calm", "tender", "dreamy", "moody")
HIGH_ENERGY = ("energetic", "epic", "tense", "happy")


def pulses(meter: int | None) -> tuple[float, ...]:
    """The heard/asked tempo ratios that are the same beat: half and double time, and in a bar of three the
    dotted and the bar's pulse too (a waltz at 90 is heard at 60, 45 or 30 as often as at 90); in 6/8 (its tempo
    the dotted quarter) the eighths and quarters."""
    same = (0.5, 1.0, 2.0)
    return same + ((1.5, 2 / 3, 3.0, 1 / 3) if meter in (3, 6) else ())  # 6/8: its eighths, its quarter feel


def _check(ok: bool | None, asked: Any, heard: Any, why: str) -> dict:
    return {"ok": ok, "asked": asked, "heard": heard, "why": why}


def check(brief: dict, layer: str | None, asked_s: float | None, heard: dict) -> dict:
    """`heard`: tags (drums, voice 0..1), tempo_bpm, tempo_confidence, key, mode, key_confidence,
    arousal, duration_s. Returns {checks, violations, value 0..1}."""
    out: dict[str, dict] = {}
    drums = float(heard.get("tags", {}).get("drums", 0.0))
    excluded, wanted = set(brief.get("exclude") or []), set(brief.get("layers") or [])
    if "rhythm" in excluded and layer != "rhythm":
        out["layers"] = _check(drums < DRUMS_YES, "no drums", f"drums {drums:.2f}", "the brief excludes drums")
    elif layer == "rhythm" or (layer is None and "rhythm" in wanted):
        out["layers"] = _check(drums > DRUMS_NO, "drums", f"drums {drums:.2f}", "the brief asks for drums")
    voice = float(heard.get("tags", {}).get("voice", 0.0))
    if "voice" in excluded and layer != "voice":
        out["voice"] = _check(voice < VOICE_YES, "no voice", f"voice {voice:.2f}", "the brief excludes a voice")
    want_bpm = brief.get("tempo_bpm")
    bpm, conf = float(heard.get("tempo_bpm") or 0.0), float(heard.get("tempo_confidence") or 0.0)
    if want_bpm and bpm > 0:
        err = min(abs(np.log2(bpm * m / want_bpm)) for m in pulses(brief.get("meter")))
        rel = float(2**err - 1)
        sure = conf >= TEMPO_CONF
        out["tempo"] = _check(
            (rel <= TEMPO_TOL) if sure else None,
            f"{want_bpm:.0f} bpm",
            f"{bpm:.0f} bpm (confidence {conf:.2f})",
            "off by more than 8 %" if sure and rel > TEMPO_TOL else ("within 8 %" if sure else "no confident beat"),
        )
    whole = layer is None or list(brief.get("layers") or []) in ([], [layer])  # the clip is the whole piece
    if brief.get("key") and heard.get("key") and layer not in ("rhythm", "texture"):  # drums and grit carry no key
        kconf = float(heard.get("key_confidence") or 0.0)
        d = key_distance(brief["key"], brief.get("mode") or "major", heard["key"], heard.get("mode") or "major")
        sure = kconf >= KEY_CONF
        out["key"] = _check(
            (d <= 1) if sure else None,
            f"{brief['key']} {brief.get('mode') or ''}".strip(),
            f"{heard['key']} {heard.get('mode')} (confidence {kconf:.2f})",
            f"{d} steps apart on the circle of fifths" if sure else "key not heard with confidence",
        )
    mood, arousal = brief.get("mood"), heard.get("arousal")
    if mood and arousal is not None and whole:  # a calm pad in an energetic piece is no violation
        bad = (mood in LOW_ENERGY and arousal > 0.7) or (mood in HIGH_ENERGY and arousal < -0.7)
        out["mood"] = _check(not bad, mood, f"{heard.get('mood_label')} (arousal {arousal:+.2f})", "energy level")
    asked = asked_s or brief.get("duration_s")
    dur = heard.get("duration_s")
    if asked and dur:
        ok = abs(dur - asked) <= max(1.0, 0.25 * asked)
        out["length"] = _check(ok, f"{asked:.1f} s", f"{dur:.1f} s", "within 25 %" if ok else "length differs")
    violations = [f"{k}: asked {c['asked']}, heard {c['heard']}" for k, c in out.items() if c["ok"] is False]
    judged = [c for c in out.values() if c["ok"] is not None]
    value = sum(1.0 for c in judged if c["ok"]) / len(judged) if judged else 1.0
    return {"checks": out, "violations": violations, "value": round(value, 3)}


def apply(q: dict, checks: dict) -> dict:
    """A quality dict with the brief checks added: capped at CAP on a violation, one `brief_*` component
    per judged check (value 1 kept, 0 violated) so the weakest aspect names what was ignored."""
    comps = dict(q["components"])
    for name, c in checks["checks"].items():
        if c["ok"] is not None:
            comps[f"brief_{name}"] = {
                "value": 1.0 if c["ok"] else 0.0,
                "measured": f"asked {c['asked']}, heard {c['heard']}",
                "weight": 0.0,
            }
    capped = bool(checks["violations"])
    score = min(q["score"], CAP) if capped else q["score"]
    return {**q, "score": round(float(score), 2), "components": comps, "brief": checks, "brief_capped": capped}
