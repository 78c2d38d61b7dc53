"""The Continuity agent in the graph: a clip that clashes with its project is revised toward targets."""

from __future__ import annotations

from library_helpers import tone

from sonicgrid.graph.run import make
from sonicgrid.memory.continuity import centroid_hz
from sonicgrid.memory.maintenance import analyse


def _body_of_work(svc, project: str, mood: str) -> None:
    """Two clips of a low tone in F# major around 151 bpm, `mood`, in `project`."""
    body = tone(150, 4.0)
    a = analyse(body)
    for t in (150, 152):
        meta = {"key": "F#", "mode": "major", "tempo_bpm": t, "mood": mood, "project": project, "layer": "rhythm"}
        svc.library.add(body, meta, "x", a)


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
            a,
        )
    # the plan composes in the project's key and tempo when the request names none
    res = make("make a calm loop", settings, project="p1")
    best = res["result"]["variations"][0]
    assert (best["key"], best["mode"], round(best["tempo_bpm"])) == ("F#", "major", 151)
    cont = [v for v in res["verdicts"] if v["agent"] == "continuity"]
    assert cont and all(v["evidence"]["components"]["key"]["value"] == 1.0 for v in cont)
    # timbre: the clip's music embedding against the body's (the library's msd-musicnn-200 vectors)
    assert all(0.0 <= v["evidence"]["components"]["timbre"]["value"] <= 1.0 for v in cont)
    for v in cont:  # what is left to revise is the palette (a brighter clip than the project's)
        if v["choice"] == "revise":
            assert set(v["evidence"]["targets"]) - {"key", "mode", "tempo_bpm"}
            assert v["evidence"]["targets"]["lowpass_hz"] >= 800
    rec = svc.library.get(res["result"]["clip_id"])
    assert rec["meta"]["project"] == "p1" and rec["meta"]["centroid_hz"] > 0 and rec["meta"]["key"] == "F#"
    body = svc.library.body(project="p1")
    assert len(body) >= 3  # the body, the clip and its stems
    assert all(b["embedding_kind"] == "msd-musicnn-200" and len(b["embedding"]) == 200 for b in body)


def test_the_users_key_and_tempo_are_not_revised_away(settings, svc):
    _body_of_work(svc, "p2", "energetic")
    res = make("make a calm loop in C major at 90 bpm", settings, project="p2")
    best = res["result"]["variations"][0]
    assert (best["key"], best["mode"], best["tempo_bpm"]) == ("C", "major", 90.0)
    cont = [v for v in res["verdicts"] if v["agent"] == "continuity"]
    assert cont and all("key" not in v["evidence"]["components"] for v in cont)  # not a misfit to act on
    assert any(v["evidence"].get("proposed", {}).get("key") == "F#" for v in cont)  # proposed, in the reason
    assert all("proposes key F#" in v["reason"] for v in cont if v["evidence"].get("proposed", {}).get("key"))
    for c in res["cells"]:
        assert (c["cell"]["params"]["key"], c["cell"]["params"]["tempo_bpm"]) == ("C", 90.0)


def test_a_build_is_judged_on_key_and_tempo_not_on_its_rise(settings, svc):
    """A build departs from the body's mood and timbre by design: Continuity weighs only its key and tempo
    (here the project's, as the plan composes them) and proposes no palette; a loop of the same request
    keeps its mood and timbre judged."""
    _body_of_work(svc, "p3", "calm")
    build = make("make a tense build", settings, project="p3")
    cont = [v for v in build["verdicts"] if v["agent"] == "continuity"]
    assert cont and all(set(v["evidence"]["components"]) == {"key", "tempo"} for v in cont)
    assert all(v["choice"] == "fit" and "lowpass_hz" not in v["evidence"]["targets"] for v in cont)
    loop = make("make a tense loop", settings, project="p3")
    cont = [v for v in loop["verdicts"] if v["agent"] == "continuity"]
    assert cont and all({"mood", "timbre"} <= set(v["evidence"]["components"]) for v in cont)
