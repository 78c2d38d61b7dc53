"""The mixer levels stems by role, widens and pans them, sends them to reverb/delay and a bus
compressor, and reports stereo width; stem edits change only the recipe."""

from __future__ import annotations

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.session import edit_words, remix
from sonicgrid.tools import mixer

SR = 22050


def _tone(freq: float, seconds: float = 4.0, amp: float = 0.1, stereo_offset: float = 0.0) -> Audio:
    t = np.arange(int(seconds * SR)) / SR
    left = amp * np.sin(2 * np.pi * freq * t)
    right = amp * np.sin(2 * np.pi * freq * t + stereo_offset)
    return Audio(np.stack([left, right], axis=1).astype(np.float32), SR)


def _clicks(seconds: float = 4.0, amp: float = 0.9) -> Audio:
    x = np.zeros((int(seconds * SR), 2), np.float32)
    rng = np.random.default_rng(0)
    for start in range(0, len(x), SR // 2):  # a hit every half second
        n = min(2000, len(x) - start)
        x[start : start + n] += (rng.standard_normal((n, 1)) * np.exp(-np.arange(n) / 300)[:, None] * amp).astype(
            np.float32
        )
    return Audio(x, SR)


def test_level_brings_a_stem_to_its_role_target_whatever_its_input_level():
    for amp in (0.01, 0.5):
        a, _g = mixer.level(_tone(220, amp=amp), "harmony")
        assert abs(mixer.loud_rms_db(a.samples, SR) - mixer.ROLES["harmony"]["level_db"]) < 0.5
    asked, _ = mixer.level(_tone(220), "rhythm", asked=True)
    plain, _ = mixer.level(_tone(220), "rhythm")
    assert mixer.loud_rms_db(asked.samples, SR) - mixer.loud_rms_db(plain.samples, SR) > 1.5


def test_quiet_drums_are_audible_in_the_mix():
    drums, _ = mixer.level(Audio(_clicks().samples * 0.02, SR), "rhythm")  # generated far too quiet
    chords, _ = mixer.level(_tone(220, amp=0.5), "harmony")
    out, rep = mixer.render(
        [mixer.Stem("loop-rhythm", "rhythm", drums), mixer.Stem("loop-harmony", "harmony", chords)], SR, 120
    )
    assert rep["drums_vs_rest_db"] > -4.0
    assert out.samples.shape == (4 * SR, 2) and np.isfinite(out.samples).all()


def test_width_moves_a_stem_toward_its_role_and_is_reported():
    mono = _tone(330)
    wide = _tone(330, stereo_offset=1.2)
    assert mixer.auto_width(mono, "atmosphere") == 1.0  # mono stays mono: nothing to widen
    w = mixer.auto_width(wide, "rhythm")
    assert w < 1.0  # a wide drum stem is narrowed toward the centre
    rep = mixer.stereo_report(wide.samples)
    assert -1 <= rep["lr_correlation"] < 0.99 and rep["side_mid_db"] > -40
    assert mixer.stereo_report(mono.samples)["lr_correlation"] > 0.999


def test_mute_and_solo_change_what_is_heard():
    a, _ = mixer.level(_tone(220), "harmony")
    b, _ = mixer.level(_tone(3000), "atmosphere")
    stems = [mixer.Stem("loop-harmony", "harmony", a), mixer.Stem("loop-atmosphere", "atmosphere", b)]
    _full, _ = mixer.render(stems, SR, 100)
    stems[1].mute = True
    muted, rep = mixer.render(stems, SR, 100)
    assert set(rep["layers_db"]) == {"harmony"}
    spec = np.abs(np.fft.rfft(muted.samples[:, 0]))
    f = np.fft.rfftfreq(len(muted.samples), 1 / SR)
    assert spec[(f > 2900) & (f < 3100)].max() < 0.01 * spec[(f > 200) & (f < 240)].max()
    stems[1].mute, stems[1].solo = False, True
    _, rep = mixer.render(stems, SR, 100)
    assert set(rep["layers_db"]) == {"atmosphere"}


def test_edit_words_become_recipe_changes():
    e = remix.parse("drums louder and mute the pad")
    assert [(x.op, x.layers, x.db) for x in e] == [("louder", ["rhythm"], 4.0), ("mute", ["atmosphere"], 0.0)]
    assert remix.parse("solo the bass")[0].layers == ["harmony"]
    assert remix.parse("texture a bit quieter")[0].db == -2.0
    assert remix.parse("remove the drums")[0].op == "mute"
    recipe = [
        {"name": "loop-rhythm", "layer": "rhythm", "gain_db": 0.0, "mute": False, "solo": False},
        {"name": "loop-harmony", "layer": "harmony", "gain_db": 0.0, "mute": False, "solo": False},
    ]
    out = remix.apply(recipe, remix.parse("drums louder"), recipe)
    out = remix.apply(out, remix.parse("drums louder"), recipe)
    assert out[0]["gain_db"] == 8.0 and out[1]["gain_db"] == 0.0
    solo = remix.apply(out, remix.parse("solo the chords"), recipe)
    assert [s["solo"] for s in solo] == [False, True]
    assert remix.apply(solo, remix.parse("reset"), recipe) == recipe
    # "bring back the drums" after a solo: both play (the solo stayed on before, and the drums stayed silent)
    back = remix.apply(solo, remix.parse("bring back the drums"), recipe)
    assert [(s["mute"], s["solo"]) for s in back] == [(False, False), (False, False)]
    pad = {"name": "loop-atmosphere", "layer": "atmosphere", "gain_db": 0.0, "mute": False, "solo": False}
    three = remix.apply([*recipe, pad], remix.parse("solo the chords"), [*recipe, pad])
    back3 = remix.apply(three, remix.parse("bring back the drums"), [*recipe, pad])
    assert [s["mute"] for s in back3] == [False, False, True] and not any(s["solo"] for s in back3)  # the pad stays out


def test_what_counts_as_a_stem_edit():
    have = {"rhythm", "harmony", "atmosphere"}
    assert remix.is_edit("drums louder", have) and remix.is_edit("mute the pad", have)
    assert not remix.is_edit("add drums", have)  # a new layer: generate
    assert not remix.is_edit("drums louder", {"harmony"})  # nothing to turn up: generate
    assert not remix.is_edit("a calm loop without drums", have)  # a new request


def test_an_amount_said_is_the_amount():
    assert [(e.op, e.layers, e.db) for e in remix.parse("chords up 3 dB")] == [("louder", ["harmony"], 3.0)]
    assert [(e.op, e.db) for e in remix.parse("pads down 6 db")] == [("quieter", -6.0)]
    assert [(e.op, e.db) for e in remix.parse("chords +1.5dB")] == [("louder", 1.5)]  # the sign says which way
    two = remix.parse("pad -2.5 dB and drums louder")
    assert [(e.layers, e.db) for e in two] == [(["atmosphere"], -2.5), (["rhythm"], 4.0)]
    assert remix.parse("chords up 100 dB")[0].db == edit_words.MAX_EDIT_DB
    assert remix.parse("drums a bit louder")[0].db == 2.0  # no amount: the words' step


def test_everything_but_keeps_what_is_named():
    assert [(e.op, e.layers) for e in remix.parse("remove everything but the drums")] == [("solo", ["rhythm"])]
    assert [(e.op, e.layers) for e in remix.parse("mute all except the pads")] == [("solo", ["atmosphere"])]
    (edit,) = remix.parse("everything louder except the pads")
    assert edit.op == "louder" and "atmosphere" not in edit.layers and "rhythm" in edit.layers


def test_whole_mix_words_are_the_master_the_sends_or_the_drums():
    def said(text):
        return [(e.op, e.layers, round(e.db, 2), round(e.factor, 3)) for e in remix.parse(text)]

    assert said("make it louder") == [("loudness", [], 2.0, 1.0)]  # the master's target, not every stem
    assert said("everything a bit quieter") == [("loudness", [], -1.0, 1.0)]
    assert said("3 dB louder") == [("loudness", [], 3.0, 1.0)]
    assert said("more reverb") == [("space", [], 0.0, 1.6)] and said("much more reverb")[0][3] == 2.56
    assert said("drier")[0][3] < 1 and said("less reverb")[0][3] < 1 and said("no echo")[0][3] == 0.0
    assert said("punchier") == [("louder", ["rhythm"], 3.0, 1.0)]
    assert said("drums louder and more reverb") == [("louder", ["rhythm"], 4.0, 1.0), ("space", [], 0.0, 1.6)]
    assert said("more of that") == [] and said("softer") == []  # no loudness word: not an edit
    have = {"rhythm", "harmony"}
    assert remix.is_edit("make it quieter", have)  # "quieter" is a calm mood word in a request, not here
    assert remix.is_edit("give it more space", have) and not remix.is_edit("a dreamy loop with more space", have)
    assert not remix.is_edit("a quieter calm loop", have) and not remix.is_edit("punchier", {"harmony"})


def test_finish_accumulates_within_its_ranges_and_resets():
    f = remix.finish(None, remix.parse("make it louder"), -14.0)
    assert f == {"loudness_db": 2.0, "space": 1.0}
    f = remix.finish(f, remix.parse("much more reverb, louder"), -14.0)
    assert f == {"loudness_db": 4.0, "space": 2.56}
    f = remix.finish(f, remix.parse("20 dB louder"), -14.0)
    assert f["loudness_db"] == 6.0  # the master stays at -8 LUFS or under
    assert remix.finish(f, remix.parse("reset"), -14.0) == remix.FINISH
    dry = remix.finish(None, remix.parse("no reverb"), -14.0)
    assert dry["space"] == 0.0 and remix.finish(dry, remix.parse("more reverb"), -14.0)["space"] == 1.0


def test_the_sends_scale_the_wet_signal():
    def wet_share(space: float) -> float:
        stem = mixer.Stem(name="loop-harmony", layer="harmony", audio=_clicks())
        mixed, _ = mixer.render([stem], SR, 90.0, "calm", space=space)
        x = mixed.samples
        hits = np.concatenate([x[i : i + SR // 50] for i in range(0, len(x) - SR // 2, SR // 2)])
        tails = np.concatenate([x[i + SR // 5 : i + SR // 2] for i in range(0, len(x) - SR // 2, SR // 2)])
        return float(np.sqrt(np.mean(tails**2)) / np.sqrt(np.mean(hits**2)))  # between the hits: reverb alone

    dry, plain, wet = wet_share(0.0), wet_share(1.0), wet_share(2.5)
    assert dry < 1e-3 and plain > 0.05 and wet > 1.8 * plain


def test_fades_are_master_edits_with_their_seconds():
    """ "fade it out" made a new take before (and "a 3 second fade out" a 3 s clip); it fades the master now."""
    assert [e.describe() for e in remix.parse("fade it out")] == ["fade out 3 s"]
    assert [e.describe() for e in remix.parse("add a 1.5 second fade in")] == ["fade in 1.5 s"]
    assert [e.describe() for e in remix.parse("drums louder and fade out over 4 seconds")] == [
        "louder rhythm +4.0 dB",
        "fade out 4 s",
    ]
    stems = {"harmony", "rhythm"}
    assert remix.is_edit("a 3 second fade out", stems) and remix.is_edit("no fade", stems)
    assert not remix.is_edit("a 3 second intro", stems) and not remix.parse("make it fade into an outro")
    f = remix.finish(None, remix.parse("fade it out") + remix.parse("a 2 s fade in"), -14.0)
    assert f["fade_out_s"] == 3.0 and f["fade_in_s"] == 2.0
    assert "fade_out_s" not in remix.finish(f, remix.parse("no fades"), -14.0)
    assert "fade_in_s" not in remix.finish(f, remix.parse("reset"), -14.0)


def test_a_layer_the_clip_never_had_is_named_not_remade():
    """'remove the drums' and 'solo the drums' on a clip with no drums made a new clip (a drums-only one for the
    solo); they are answered from the stems now."""
    assert remix.absent("remove the drums", {"harmony", "atmosphere"}) == ["rhythm"]
    assert remix.absent("solo the drums", {"harmony"}) == ["rhythm"]
    assert remix.absent("solo the chords", {"harmony"}) == []  # it has them: an edit
    assert remix.absent("remove the drums and make it darker", {"harmony"}) == []  # more than an edit


def test_loop_it_four_times_is_a_re_mix_played_on():
    """'loop it 4 times' was a new loop (the word "loop" named the section); it is the master played on now."""
    assert [e.describe() for e in remix.parse("loop it 4 times")] == ["played 4 times"]
    assert [e.describe() for e in remix.parse("repeat it twice")] == ["played 2 times"]
    assert remix.is_edit("loop it 4 times", {"harmony"}) and not remix.parse("a calm loop")
    done = remix.finish(None, remix.parse("loop it 40 times"), -14.0)
    assert done["repeat"] == remix.MAX_REPEAT
    assert "repeat" not in remix.finish(done, remix.parse("reset"), -14.0)
