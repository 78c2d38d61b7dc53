"""The Continuity agent in the graph: a clip that clashes with its project is revised toward targets."""

from __future__ import annotations

from library_helpers import tone

from sonicgrid.graph.run import make
from sonicgrid.memory.continuity import centroid_hz
from sonicgrid.memory.maintenance import analyse


def test_clashing_clip_is_revised_toward_the_project(settings, svc):
    body = tone(150, 4.0)  # a dark, low body of work in F# major around 151 bpm
    a = analyse(body)
    for t in (150, 152):
        svc.library.add(
            body,
            {
                "key": "F#",
                "mode": "major",
                "tempo_bpm": t,
                "mood": "energetic",
                "project": "p1",
                "layer": "rhythm",
                "centroid_hz": centroid_hz(body.samples, body.sr),
            },
            "x",
            a["embedding"],
        )
    res = make("make a calm loop", settings, project="p1")
    cont = [v for v in res["verdicts"] if v["agent"] == "continuity"]
    assert [v["choice"] for v in cont] == ["revise", "fit"]
    targets = cont[0]["evidence"]["targets"]
    assert (targets["key"], targets["mode"], targets["tempo_bpm"]) == ("F#", "major", 151.0)
    assert targets["lowpass_hz"] >= 800  # the generated clip was brighter than the project's palette
    assert cont[1]["evidence"]["fit"] > cont[0]["evidence"]["fit"]
    assert cont[0]["evidence"]["components"]["key"]["relation"]
    rec = svc.library.get(res["result"]["clip_id"])
    assert rec["meta"]["project"] == "p1" and rec["meta"]["centroid_hz"] > 0
    assert len(svc.library.body(project="p1")) == 3
