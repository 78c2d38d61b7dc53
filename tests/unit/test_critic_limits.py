"""The critic's hard limits in code: a fault one measurement settles (quantisation, a steady DC offset, a dead
or polarity-inverted channel, a late start) fails the gate whatever the trees weigh; the clean clip passes."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import critic, features
from sonicgrid.tools.analysts.degrade import dc_by, dead_channel_of, degrade, quantise_to


def _judge(a: Audio) -> tuple[float, dict]:
    fl = critic.flaws(a, features.extract(a))
    return critic.judge(critic.vector(fl, {}, ("flaws",)))[0], fl


def test_quantised_audio_fails_and_the_clean_clip_passes(moody_clip):
    clean = moody_clip.stereo()
    p_clean, fl_clean = _judge(clean)
    assert fl_clean["eff_bits"] > critic.MIN_BITS and critic.score(p_clean) >= 5.0
    assert critic.limits_broken(critic.vector(fl_clean, {}, ("flaws",))) == []
    for bits in (8, 10):
        q = Audio(quantise_to(bits)(clean.samples, clean.sr, None), clean.sr)
        p, fl = _judge(q)
        assert fl["eff_bits"] <= critic.MIN_BITS, (bits, fl["eff_bits"])
        assert p <= critic.LIMIT_P and critic.score(p) < 5.0, (bits, p)
    canonical = Audio(degrade(clean.samples, clean.sr, "quantise_8bit", seed=1), clean.sr)
    assert critic.score(_judge(canonical)[0]) < 5.0


@pytest.mark.parametrize(
    ("fault", "limit"),
    [
        (dc_by(0.15, 1.0, channels=1), "DC offset"),
        (dc_by(0.2, 0.8, channels=2, relative=True), "DC offset"),
        (dead_channel_of(), "dead channel"),
        (dead_channel_of(30.0), "dead channel"),
        (dead_channel_of(invert=True), "channels in opposite polarity"),
    ],
)
def test_channel_faults_break_their_limit(moody_clip, fault, limit):
    clean = moody_clip.stereo()
    bad = Audio(fault(clean.samples.copy(), clean.sr, np.random.default_rng(0)), clean.sr)
    p, fl = _judge(bad)
    v = critic.vector(fl, {}, ("flaws",))
    assert limit in critic.limits_broken(v)
    assert p <= critic.LIMIT_P and critic.score(p) < 5.0


def test_the_limits_hold_whatever_the_trees_say(moody_clip, monkeypatch):
    """Trees sure of 'good' (a logit of 12) still cannot pass a clip past a limit; inside them they decide."""
    clean = moody_clip.stereo()
    fl = critic.flaws(clean, features.extract(clean))
    monkeypatch.setattr(critic, "raw_score", lambda w, v: 12.0)
    cases = [
        ("eff_bits", 12.0, False),
        ("eff_bits", 9.6, False),
        ("eff_bits", 9.5, True),
        ("eff_bits", 0.0, True),
        ("dc_steady", 0.05, False),
        ("dc_steady", 0.1, True),
        ("channel_balance_db", -10.0, False),
        ("channel_balance_db", -24.0, True),
        ("channel_corr", -0.6, False),
        ("channel_corr", -1.0, True),
    ]
    for name, value, capped in cases:
        p, drivers, broken = critic.judge(critic.vector(dict(fl, **{name: value}), {}, ("flaws",)))
        assert (p <= critic.LIMIT_P) == capped, (name, value, p)
        assert bool(broken) == capped, (name, value, broken)
        if capped:
            assert next(iter(drivers)) == name  # the broken limit's measurement leads the drivers


def test_a_late_start_breaks_its_limit_and_a_fade_in_does_not(moody_clip):
    clean = moody_clip.stereo()
    x = clean.samples
    late = np.zeros_like(x)
    late[int(0.35 * len(x)) :] = x[: len(x) - int(0.35 * len(x))]
    p, fl = _judge(Audio(late, clean.sr))
    assert fl["lead_share"] >= 0.3 and "starts late (silent first third)" in critic.limits_broken(
        critic.vector(fl, {}, ("flaws",)), fl
    )
    p, drivers, broken = critic.judge(critic.vector(fl, {}, ("flaws",)), fl)
    assert p <= critic.LIMIT_P and next(iter(drivers)) == "lead_share" and len(broken) >= 1
    fade = x * np.minimum(1.0, np.arange(len(x)) / (2.0 * clean.sr))[:, None]  # a 2 s fade-in from nothing
    p, fl = _judge(Audio(fade.astype(np.float32), clean.sr))
    assert fl["lead_share"] < 0.05 and critic.limits_broken(critic.vector(fl, {}, ("flaws",)), fl) == []


def test_steady_dc_is_an_offset_that_stays_not_a_swell():
    from sonicgrid.tools.analysts.flaws import steady_dc

    sr = 22050
    t = np.arange(4 * sr) / sr
    music = 0.4 * np.sin(2 * np.pi * 220 * t)
    swell = 0.3 * np.sin(2 * np.pi * 0.25 * t)  # one slow swell: its segment means change sign
    assert steady_dc(np.stack([music + swell, music], axis=1)) == 0.0
    offset = np.stack([music + 0.1, music], axis=1)
    assert abs(steady_dc(offset) - 0.1 / 0.5) < 0.01
    decaying = np.stack([music + 0.1 * np.exp(-t), music], axis=1)  # an offset that fades
    assert steady_dc(decaying) < steady_dc(offset) / 2


def test_the_trace_report_names_a_broken_limit(moody_clip):
    """The gatekeeper's evidence carries the broken limit and the report shows it next to P(good)."""
    from sonicgrid.trace.report import _two_judgments

    clean = moody_clip.stereo()
    bad = Audio(dead_channel_of()(clean.samples.copy(), clean.sr, np.random.default_rng(0)), clean.sr)
    v = critic.vector(critic.flaws(bad, features.extract(bad)), {}, ("flaws",))
    p = critic.judge(v)[0]
    html = _two_judgments(
        {"critic": {"p_good": round(p, 3), "score": critic.score(p), "limits": critic.limits_broken(v)}}
    )
    assert "hard limit: dead channel" in html
    assert "hard limit" not in _two_judgments({"critic": {"p_good": 0.99, "score": 9.4, "limits": []}})


def test_a_quiet_16_bit_file_is_not_heard_as_quantised(moody_clip):
    """More bits than BITS_HEARD are not cleaner audio: the trees read a quiet 16-bit copy's bits (peak at
    -24 dBFS: about 11 of the peak, the quietest the critic's clean training clips go) as they would read a
    float original's, and the copy passes the gate."""
    clean = moody_clip.stereo()
    x = clean.samples / np.abs(clean.samples).max() * 10 ** (-24 / 20)
    quiet = Audio((np.round(x * 32767) / 32767).astype(np.float32), clean.sr)
    p, fl = _judge(quiet)
    assert 10.5 < fl["eff_bits"] < 11.5, fl["eff_bits"]
    assert critic.score(p) >= 5.0, (critic.score(p), fl["eff_bits"])
    v_loud = critic.vector(dict(fl, eff_bits=12.0), {}, ("flaws",))
    for bits in (critic.BITS_HEARD, 10.5, 10.88):
        assert critic.judge(critic.vector(dict(fl, eff_bits=bits), {}, ("flaws",)))[0] == critic.judge(v_loud)[0]
