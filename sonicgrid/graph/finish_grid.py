"""finish for a grid: per variation, stems -> mix -> master; rank the variations by the quality
score the gatekeeper judges; write clip.wav, stems/, clip.mid, sections/, variations/ (outputs.py)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sonicgrid import audio as aio
from sonicgrid import outputs
from sonicgrid.graph.cell_common import made_by
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import RunState
from sonicgrid.graph.timing import tool_call
from sonicgrid.memory import mixes

# run_nodes._apply: (svc, role, capability, audio, state, calls, cell) -> the enhanced audio
Apply = Callable[[Services, str, str, aio.Audio, RunState, list[dict[str, Any]], "int | None"], aio.Audio]

# Synthesised stems have no noise floor or band-limit to repair: enhancing them only costs time (also when
# the library serves one: a stored stem records the tool that made it).
CLEAN = {"soundfont-composer", "spectral-painter", "noise-texture"}


def finish_grid(
    state: RunState, svc: Services, done: list[dict[str, Any]], calls: list[dict[str, Any]], apply: Apply
) -> dict[str, Any]:
    """The result dict (without clip_id) for every variation; `apply` is run_nodes._apply (enhancers)."""
    s = svc.settings
    sr = s.sample_rate
    brief = state["brief"]
    info = state.get("arrangement") or {}
    asked = set(brief.get("layers") or []) if "layers" in (brief.get("explicit") or []) else set()
    total = float(sum(n for _, _, n in info.get("sections") or [[None, 0, brief["duration_s"]]]))
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in done:
        groups[int(c["cell"].get("variant", 0))].append(c)

    def read(c: dict[str, Any]) -> aio.Audio:
        seg = aio.read(c["path"])
        if made_by(c) in CLEAN and c.get("decision") in ("generate", "reuse"):
            return seg  # a synthesiser's stem, fresh or reused from the library: nothing to repair
        return apply(
            svc, "enhancer", "voice" if c["cell"]["layer"] == "voice" else "music", seg, state, calls, c["index"]
        )

    listener = svc.registry.pick("analyst", "quality")
    if listener is None:  # the embedded listener is always registered
        raise RuntimeError("no analyst with the 'quality' capability is registered")
    memory = mixes.MixMemory(Path(s.data_dir) / "cache" / "mixes")
    variants = []
    for v, cells in sorted(groups.items()):
        stems = outputs.stems_for(cells, read, asked)
        tempo = (cells[0]["cell"].get("params") or {}).get("tempo_bpm") or _heard_tempo(cells)
        tm = time.perf_counter()
        # the plan's length; a continuation is longer (the reference + the new part)
        length = max([total, 0.5] + [st.start_s + st.audio.duration for st in stems])
        recipe = {"sr": sr, "tempo": tempo, "mood": brief["mood"], "lufs": s.target_lufs, "tp": s.true_peak_dbfs}
        mix_key = mixes.key_of(stems, length=length, **recipe)
        hit = memory.get(mix_key)
        same_file = None
        if hit is not None:  # the same stems, placement and chain as a clip already on disk: that master
            final, mix_report, mastering, where = hit
            same_file = str(where)
        else:
            final, mix_report, mastering = outputs.master_mix(stems, **recipe)
            final = aio.Audio(aio.fit_length(final.samples, int(round(length * sr))), sr)
        tool = "mix-memory" if hit is not None else "mixer+master-chain"
        calls.append(tool_call(tool, "master", None, time.perf_counter() - tm, final.duration, 0.0))
        # a continuation is asked to be the clip it continues plus the new part, not the new part's length
        extended = {"duration_s": length} if any(c.get("decision") == "extend" for c in cells) else {}
        analysis = done[0]["analysis"] if len(done) == 1 else listener.hear(final, brief, **extended)
        score = float(analysis["quality"]["score"]) if len(done) > 1 else float(done[0]["score"])
        variants.append(
            {
                "variant": v,
                "cells": cells,
                "stems": stems,
                "audio": final,
                "mix": mix_report,
                "mastering": mastering,
                "analysis": analysis,
                "score": score,
                "cell_score": float(np.mean([c["score"] for c in cells])),
                "tempo": tempo,
                "mix_key": mix_key,
                "same_file": same_file,
            }
        )
    ranked = outputs.rank(variants)
    run_dir = Path(state["run_dir"])
    mm = {"sr": sr, "tempo": None, "mood": brief["mood"], "lufs": s.target_lufs, "tp": s.true_peak_dbfs}
    for i, var in enumerate(ranked):
        folder = outputs.place_variant(run_dir, i)
        var["rank"] = i + 1
        if var["same_file"] is not None:  # that master's file: copied, not encoded again (and remembered)
            var["path"] = str(aio.copy(var["same_file"], folder / "clip.wav"))
        else:
            var["path"] = str(aio.write(folder / "clip.wav", var["audio"]))
            memory.put(var["mix_key"], var["path"], var["mix"], var["mastering"])
        var["stem_files"] = outputs.write_stems(var["stems"], folder)
        var["midi"] = outputs.write_midi(var["cells"], folder / "clip.mid")
        spans = info.get("sections") or []
        var["sections"] = (
            outputs.section_files(var["stems"], spans, folder, **(mm | {"tempo": var["tempo"]}))
            if len(spans) > 1
            else []
        )
        if i > 0:  # a kept variation: its own sidecar, so `sonicgrid remix RUN --variation N` works
            aio.write_json(
                folder / "clip.json",
                {
                    "run_id": state["run_id"],
                    "variation_of": str(run_dir),
                    "brief": brief,
                    "result": {
                        "status": "ok",
                        "path": var["path"],
                        "score": round(var["score"], 2),
                        "duration_s": round(var["audio"].duration, 3),
                        "mix": var["mix"],
                        "mastering": var["mastering"],
                        "stems": var["stem_files"],
                        "midi": var["midi"],
                        "sections": var["sections"],
                    },
                },
            )
    return {"ranked": ranked, "notes": info.get("notes") or []}


def _heard_tempo(cells: list[dict[str, Any]]) -> float | None:
    return next((c.get("analysis", {}).get("tempo_bpm") for c in cells if c.get("analysis", {}).get("tempo_bpm")), None)


def variant_summary(var: dict[str, Any], clip_id: str | None) -> dict[str, Any]:
    return {
        "rank": var["rank"],
        "variation": var["variant"] + 1,
        "score": round(var["score"], 2),
        "cells_score": round(var["cell_score"], 2),
        "path": var["path"],
        "clip_id": clip_id,
        "key": (var["cells"][0]["cell"].get("params") or {}).get("key"),
        "mode": (var["cells"][0]["cell"].get("params") or {}).get("mode"),
        "tempo_bpm": var["tempo"],
    }
