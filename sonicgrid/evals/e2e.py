"""End-to-end suites (kind: e2e, e.g. evals/prompts.yaml): each scenario is a conversation; every
turn goes through what the chat does (follow-ups merged over the last brief, stem edits re-mixed
from the stored stems, everything else made), and the analysts check the RENDERED AUDIO:

  length_s      the clip's length (within 5 % or 0.3 s)
  tempo_bpm     the tempo the analysts hear (within 6 %, or half/double time)
  key           "A minor" / "A": the key the analysts hear (root and, when given, mode)
  mood          the analysts' valence/arousal sits near the asked mood (mood match >= 0.5)
  drums         present | absent: the analysts' drum tag (>= / < the listener's cut, DRUMS_AT)
  sections      every named section is a non-silent file under sections/ (one section: the clip)
  variations    that many ranked variations were kept
  outputs       stems/ and clip.mid are written
  drums_louder  (stem edits) the drums stand further out of the mix than before the edit
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from sonicgrid import audio as aio
from sonicgrid.evals.runner import NONE, Check, ScenarioResult, settings_for
from sonicgrid.evals.suite import Scenario, Suite

# The drum cut per listener: the pretrained ears give a drums-present probability (0.5 is even odds);
# the DSP listener's drum tag was calibrated with 0.3 as the cut.
DRUMS_AT = {"pretrained-ears": 0.5, "embedded-listener": 0.3}
CHECKS = (
    "length_s",
    "tempo_bpm",
    "key",
    "mood",
    "drums",
    "sections",
    "variations",
    "outputs",
    "drums_louder",
    "meter",
    "instruments",
)


def _listen(path: str, brief: dict) -> dict:
    """The product's own listener (the pretrained ears when installed, else the DSP listener) hears the clip."""
    from sonicgrid.tools.analysts.ears import default_listener

    listener = default_listener()
    return listener.hear(aio.read(path), brief) | {"_listener": listener.name}


def _tempo_ok(heard: float, want: float) -> bool:
    return any(abs(heard * f / want - 1) <= 0.06 for f in (0.5, 1.0, 2.0))


def check_turn(expect: dict, turn: dict) -> list[tuple[str, str, str, str]]:
    """(check, expected, actual, detail) per expectation, from the turn's audio and files."""
    out = []
    res = turn.get("result") or {}
    path = turn.get("path")
    if not path:
        return [(k, str(v), NONE, turn.get("error") or res.get("message") or "no clip") for k, v in expect.items()]
    a = _listen(path, turn.get("brief") or {})
    x = aio.read(path)
    for k, want in expect.items():
        if k == "length_s":
            got = x.duration
            ok = abs(got - float(want)) <= max(0.3, 0.05 * float(want))
            out.append((k, f"{float(want):g}", f"{float(want):g}" if ok else f"{got:.2f}", ""))
        elif k == "tempo_bpm":
            got = float(a.get("tempo_bpm") or 0)
            ok = _tempo_ok(got, float(want))
            out.append((k, f"{float(want):g}", f"{float(want):g}" if ok else f"{got:.1f}", "heard"))
        elif k == "key":
            root, _, mode = str(want).partition(" ")
            heard_key = f"{a.get('key')} {a.get('mode')}"
            ok = a.get("key") == root and (not mode or a.get("mode") == mode)
            out.append(
                (k, str(want), str(want) if ok else heard_key, f"key confidence {a['mood'].get('key_confidence')}")
            )
        elif k == "mood":
            from sonicgrid.tools.analysts.mood import mood_match

            m = mood_match(str(want), a["mood"])
            out.append((k, str(want), str(want) if m >= 0.5 else a["mood"].get("label", "?"), f"match {m:.2f}"))
        elif k == "drums":
            d = float(a["tags"]["drums"])
            heard = "present" if d >= DRUMS_AT.get(a["_listener"], 0.5) else "absent"
            out.append((k, str(want), heard, f"drum tag {d:.2f}"))
        elif k == "sections":
            out += _sections(list(want), res, x)
        elif k == "variations":
            got = len(res.get("variations") or [])
            files = [v["path"] for v in res.get("variations") or [] if Path(v["path"]).is_file()]
            out.append((k, str(want), str(len(files)) if got == len(files) else f"{got} ({len(files)} files)", ""))
        elif k == "outputs":
            folder = Path(res.get("path") or path).parent
            ok = (folder / "clip.mid").is_file() and any((folder / "stems").glob("*.wav"))
            out.append((k, "stems+midi", "stems+midi" if ok else "missing", str(folder)))
        elif k in ("meter", "instruments"):
            out.append(_score_check(k, want, Path(res.get("path") or path).parent / "clip.mid"))
        elif k == "drums_louder":
            before, after = turn.get("mix_before", {}), (turn.get("remix") or {}).get("mix", {})
            b, c = before.get("drums_vs_rest_db"), after.get("drums_vs_rest_db")
            ok = b is not None and c is not None and c > b + 1.0
            out.append((k, "louder", "louder" if ok else f"{b} -> {c}", "drums vs rest dB"))
    return out


def _score_check(k: str, want: Any, midi: Path) -> tuple[str, str, str, str]:
    """From the clip's score (clip.mid): its time signature ("3/4"), or the GM programs that play: every instrument
    named plays ({"play": [...]}), and with "alone" nothing else does."""
    if not midi.is_file():
        return (k, str(want), "no clip.mid", str(midi))
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(midi))
    if k == "meter":
        ts = pm.time_signature_changes[0] if pm.time_signature_changes else None
        got = f"{ts.numerator}/{ts.denominator}" if ts else "none"
        return (k, str(want), got, "clip.mid time signature")
    from sonicgrid.agents.lexicon import INSTRUMENTS

    programs = {int(i.program) for i in pm.instruments if not i.is_drum and i.notes}
    said = want.get("play", [])
    # "guitar" plays when any guitar does (an electric or a distorted one: the name's last word); alone, only the
    # very programs named may play
    kinds = [
        {int(v["program"]) for k, v in INSTRUMENTS.items() if k.split()[-1] == n} | {INSTRUMENTS[n]["program"]}
        for n in said
    ]
    named = {int(INSTRUMENTS[n]["program"]) for n in said}
    ok = all(k & programs for k in kinds) and (not want.get("alone") or programs <= named)
    return (k, str(want), str(want) if ok else f"programs {sorted(programs)}", "clip.mid GM programs")


def _sections(want: list[str], res: dict, x: aio.Audio) -> list[tuple[str, str, str, str]]:
    from sonicgrid.tools.analysts.features import loudness_lufs

    if len(want) == 1:
        ok = loudness_lufs(x) > -40
        return [("sections", want[0], want[0] if ok else "silent", "")]
    files = {s["section"]: s["path"] for s in res.get("sections") or []}
    out = []
    for name in want:
        p = files.get(name)
        ok = p is not None and Path(p).is_file() and loudness_lufs(aio.read(p)) > -40
        out.append(("sections", name, name if ok else "missing", p or ""))
    return out


def run_e2e_scenario(suite: Suite, sc: Scenario, brain: str, work: Path, traces_to: Path | None) -> ScenarioResult:
    from sonicgrid.graph.run import make, services_for
    from sonicgrid.session import remix
    from sonicgrid.session.followup import request_for

    root = work / suite.name / sc.id
    shutil.rmtree(root, ignore_errors=True)
    s = settings_for(suite, sc, brain, root)
    services_for(s)
    res = ScenarioResult(suite.name, sc.id)
    t0 = time.perf_counter()
    history: list[dict] = []
    prev: dict | None = None
    for i, req in enumerate(sc.requests):
        turn: dict = {}
        try:
            folder = Path(prev["clip_dir"]) if prev and prev.get("clip_dir") else None
            layers = {st["layer"] for st in remix.current(folder)[1]} if folder else set()
            if folder and remix.is_edit(req.text, layers):
                mix_before = _mix_of(folder)
                r = remix.remix(folder, req.text, s)
                turn = dict(prev or {}, path=r["path"], remix=r, mix_before=mix_before, kind="remix")
            else:
                text = request_for(req.text, prev["brief"] if prev else None)[0]  # as the chat reads it
                summary = make(
                    text,
                    s,
                    seed=req.seed,
                    duration=req.duration_s,
                    project=sc.project,
                    session=sc.session,
                    history=history,
                )
                out = summary["result"]
                turn = {
                    "brief": summary["brief"],
                    "result": out,
                    "path": out.get("path"),
                    "kind": "make",
                    "run_id": summary["run_id"],
                    "request": text,
                    "clip_dir": str(Path(out["path"]).parent) if out.get("path") else None,
                }
                res.run_ids.append(summary["run_id"])
                res.spent_s += summary.get("spent_s", 0.0)
                if out.get("clip_id"):
                    history.append({"clip_id": out["clip_id"], "request": text})
                if traces_to is not None:
                    traces_to.mkdir(parents=True, exist_ok=True)
                    src = s.traces_dir / f"{summary['run_id']}.json"
                    if src.is_file():
                        shutil.copyfile(src, traces_to / src.name)
        except Exception as exc:  # reported per check, never a crash of the whole suite
            turn = {"error": f"{type(exc).__name__}: {exc}"}
            res.error = res.error or turn["error"]
        for name, want, got, detail in check_turn(req.expect.get("audio", {}), turn):
            res.checks.append(
                Check(
                    suite.name,
                    sc.id,
                    i,
                    f"audio:{name}",
                    want,
                    got,
                    turn.get("run_id"),
                    detail if got == want else f"{detail} | {turn.get('request') or req.text}",
                )
            )
        if turn.get("path"):
            prev = turn
    res.wall_s = time.perf_counter() - t0
    return res


def _mix_of(folder: Path) -> dict:
    from sonicgrid.session.remix import current

    side, _, _, latest = current(folder)
    if latest is not None:
        return json.loads(latest.read_text()).get("mix", {})
    return (side.get("result") or {}).get("mix", {})


def pass_rate(checks: list[Check]) -> float:
    return float(np.mean([c.ok for c in checks])) if checks else 0.0
