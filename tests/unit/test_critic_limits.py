"""The critic's hard limit in code: quantised audio fails the gate whatever the trees weigh."""

from __future__ import annotations

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import critic, features
from sonicgrid.tools.analysts.degrade import degrade


def _judge(a: Audio) -> tuple[float, dict]:
    fl = critic.flaws(a, features.extract(a))
    return critic.judge(critic.vector(fl, {}, ("flaws",)))[0], fl


def test_quantised_audio_fails_and_the_clean_clip_passes(moody_clip):
    clean = moody_clip.stereo()
    p_clean, fl_clean = _judge(clean)
    assert fl_clean["eff_bits"] > critic.MIN_BITS and critic.score(p_clean) >= 5.0
    for bits in (8, 10):
        from sonicgrid.tools.analysts.degrade import quantise_to

        q = Audio(quantise_to(bits)(clean.samples, clean.sr, None), clean.sr)
        p, fl = _judge(q)
        assert fl["eff_bits"] <= critic.MIN_BITS, (bits, fl["eff_bits"])
        assert p <= critic.QUANTISED_P and critic.score(p) < 5.0, (bits, p)
    canonical = Audio(degrade(clean.samples, clean.sr, "quantise_8bit", seed=1), clean.sr)
    assert critic.score(_judge(canonical)[0]) < 5.0


def test_the_limit_holds_whatever_the_trees_say(moody_clip, monkeypatch):
    """Trees sure of 'good' (a logit of 12) still cannot pass a clip measured at 9.5 bits or fewer; above
    the limit they decide."""
    clean = moody_clip.stereo()
    fl = critic.flaws(clean, features.extract(clean))
    monkeypatch.setattr(critic, "raw_score", lambda w, v: 12.0)
    for bits, capped in ((12.0, False), (9.6, False), (9.5, True), (7.0, True), (0.0, True)):
        p = critic.judge(critic.vector(dict(fl, eff_bits=bits), {}, ("flaws",)))[0]
        assert (p <= critic.QUANTISED_P) == capped, (bits, p)
