"""The plan is a grid: layers by mood and section with entries, sections on bar lines, one
key/tempo per variation, the user's values kept, unrenderable layers said; the composer's arc."""

from __future__ import annotations

from sonicgrid.agents.intake import rules_intake
from sonicgrid.graph import arrange
from sonicgrid.tools.generators import composer
from sonicgrid.tools.registry import Registry, default_registry


def _plan(text: str, seed: int = 0, registry=None, ref=None, project=None):
    brief, _ = rules_intake(text)
    return brief, *arrange.plan(brief, seed, registry or default_registry(), ref, project)


def test_moody_intro_is_a_grid_with_entries():
    brief, cells, _info = _plan("make a moody intro")
    layers = [c["layer"] for c in cells]
    assert {"atmosphere", "harmony", "texture"} <= set(layers) and "rhythm" not in layers
    starts = {c["layer"]: c["start_s"] for c in cells}
    # the named layer (harmony) leads from bar 1 with the pad; the sparse texture enters later
    assert cells[0]["layer"] == "harmony" and starts["harmony"] == starts["atmosphere"] == 0.0
    assert 0 < starts["texture"] < brief.duration_s
    bar = 240.0 / cells[0]["params"]["tempo_bpm"]
    for c in cells:  # entries on bar lines, every cell ends with the section
        assert abs(c["start_s"] - round(c["start_s"] / bar) * bar) < 1e-3
        assert abs(c["start_s"] + c["duration_s"] - brief.duration_s) < 1e-3
    shared = {(c["params"]["key"], c["params"]["mode"], c["params"]["tempo_bpm"]) for c in cells}
    assert len(shared) == 1 and cells[0]["params"]["mode"] == "minor"


def test_sections_fill_the_length_in_order():
    _, cells, info = _plan("a 60 s piece: intro, loop, outro")
    spans = info["sections"]
    assert [s[0] for s in spans] == ["intro", "loop", "outro"]
    assert abs(sum(s[2] for s in spans) - 60.0) < 1e-6 and spans[1][1] == spans[0][2]
    assert {c["section"] for c in cells} == {"intro", "loop", "outro"}
    intro_cells = [c for c in cells if c["section"] == "intro"]
    assert all(c["params"]["next_section"] == "loop" for c in intro_cells)


def test_variations_differ_unless_the_user_fixed_the_key():
    _, cells, info = _plan("three variations of a calm loop, 8 seconds")
    assert info["variations"] == 3 and {c["variant"] for c in cells} == {0, 1, 2}
    keys = {(s["key"], s["mode"], s["progression"][1], round(s["tempo_bpm"])) for s in info["shared"]}
    assert len(keys) > 1
    _, cells, info = _plan("three variations of a calm loop in F minor at 100 bpm, 8 seconds")
    assert {(s["key"], s["mode"], s["tempo_bpm"]) for s in info["shared"]} == {("F", "minor", 100.0)}


def test_user_layers_exclusions_and_only():
    _, cells, _ = _plan("an energetic loop with chords, no drums")
    assert "rhythm" not in {c["layer"] for c in cells}
    _, cells, _ = _plan("a calm loop with drums")
    assert "rhythm" in {c["layer"] for c in cells}
    _, cells, _ = _plan("just drums, a tense build")
    assert {c["layer"] for c in cells} == {"rhythm"}


def test_a_layer_no_tool_renders_is_said_not_planned():
    reg = default_registry()
    without_voice = Registry([t for t in reg.tools if "layer:voice" not in t.capabilities])
    _, cells, info = _plan("a calm bed under a podcast voice", registry=without_voice)
    assert "voice" not in {c["layer"] for c in cells} and cells
    assert any(n.startswith("no voice layer") for n in info["notes"])


def test_reference_and_project_lend_key_and_tempo():
    ref = {"id": "clip_x", "meta": {"key": "C", "mode": "minor", "tempo_bpm": 80.0, "mood": "moody"}}
    brief, _ = rules_intake("an outro that resolves the intro we made, same key")
    sp = arrange.shared_params(brief, 0, 0, ref, None)
    assert (sp["key"], sp["mode"]) == ("C", "minor") and "clip_x" in sp["sources"]["key"]
    slower, _ = rules_intake("like the last one but slower")
    assert arrange.shared_params(slower, 0, 0, ref, None)["tempo_bpm"] == 68.0
    said, _ = rules_intake("a calm loop in E major at 120 bpm")
    sp = arrange.shared_params(said, 0, 0, ref, {"key": "D", "mode": "minor", "tempo_bpm": 90.0})
    assert (sp["key"], sp["mode"], sp["tempo_bpm"]) == ("E", "major", 120.0)
    free, _ = rules_intake("a calm loop")
    sp = arrange.shared_params(free, 0, 0, None, {"key": "D", "mode": "minor", "tempo_bpm": 90.0})
    assert (sp["key"], sp["tempo_bpm"]) == ("D", 90.0) and sp["sources"]["key"] == "the project"


def test_outro_ends_on_a_held_tonic_and_builds_get_denser():
    brief = {"mood": "calm", "duration_s": 16.0, "prompt": "x"}
    arr = composer.compose(brief, "harmony", "outro", 3, {"tempo_bpm": 120.0, "key": "C", "mode": "major"})
    last = arr.seconds_per_bar * (arr.bars - 1)
    final = [n for n in arr.notes if n.start >= last - 1e-6]
    assert final and {n.pitch % 12 for n in final if n.part != "bass"} == {0, 4, 7}
    assert all(n.end - n.start >= arr.seconds_per_bar for n in final)
    b = composer.compose(brief, "rhythm", "build", 3, {"tempo_bpm": 120.0})
    per_bar = [
        sum(1 for n in b.notes if i * b.seconds_per_bar <= n.start < (i + 1) * b.seconds_per_bar) for i in range(b.bars)
    ]
    assert per_bar[-1] > per_bar[0]


def test_shared_progression_reaches_every_layer():
    p = {"key": "D", "mode": "minor", "tempo_bpm": 90.0, "progression": [0, 5, 3, 4]}
    for layer in ("harmony", "atmosphere", "rhythm"):
        arr = composer.plan({"mood": "happy", "duration_s": 8}, layer, 11, p)
        assert (arr.key, arr.mode, arr.tempo, arr.progression) == ("D", "minor", 90.0, [0, 5, 3, 4])
