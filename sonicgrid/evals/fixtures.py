"""Preload a scenario's library: each clip is rendered by the embedded generator for its layer,
analysed by the listener, and stored exactly as a finished run stores its clip."""

from __future__ import annotations

import time

from sonicgrid.evals.suite import ClipSpec
from sonicgrid.graph.run_nodes import store_clip
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import RunState
from sonicgrid.tools.base import GenRequest


def preload(svc: Services, clips: list[ClipSpec]) -> list[str]:
    ids = []
    for i, spec in enumerate(clips):
        brief = {
            "prompt": spec.prompt,
            "mood": spec.mood,
            "section": spec.section,
            "duration_s": spec.duration_s,
            "tempo_bpm": spec.tempo_bpm,
            "key": spec.key,
            "mode": spec.mode,
            "layers": [spec.layer],
            "brightness": 0.0,
            "action": "new",
            "reference": None,
            "project": spec.project,
        }
        tool = svc.registry.pick("generator", f"layer:{spec.layer}")
        if tool is None:
            raise RuntimeError(f"no generator for layer {spec.layer}")
        audio = tool.run(
            GenRequest(
                prompt=spec.prompt,
                brief=brief,
                layer=spec.layer,
                section=spec.section,
                duration_s=spec.duration_s,
                seed=spec.seed,
            )
        ).audio
        listener = svc.registry.pick("analyst", "quality")
        if listener is None:  # the embedded listener is always registered
            raise RuntimeError("no analyst with the 'quality' capability is registered")
        analysis = listener.hear(audio, brief, layer=spec.layer)
        score = spec.quality if spec.quality is not None else analysis["quality"]["score"]
        state: RunState = {
            "brief": brief,
            "run_id": f"fixture-{i}",
            "project": spec.project,
            "session": spec.session,
            "seed": spec.seed,
        }
        done = [{"cell": {"layer": spec.layer}, "source_id": None, "spent_s": 0.0, "decision": "generate"}]
        ids.append(store_clip(svc, state, audio, analysis, float(score), done))
        time.sleep(0.002)  # distinct creation times: "the last one" is well defined
    return ids
