"""The numpy loudness meter, resampler and mastering kernels give the reference libraries' figures: BS.1770-4
integrated loudness as pyloudnorm measures it, resample_poly's output bit for bit, true peak as scipy's 4x
resample_poly sees it, and the limiter's moving min/mean as scipy.ndimage's filters (edges mirrored). The
references are imported here only: mastering and hearing must not import scipy (a cold CLI process paid
~1.3 s for it)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyloudnorm
import pytest
import scipy.ndimage as nd
import scipy.signal as ss

from sonicgrid.tools.analysts import dsp, loudness, resample
from sonicgrid.tools.enhancers import master


def _signals(moody_clip):
    rng = np.random.default_rng(7)
    x = moody_clip.stereo().samples.astype(np.float64)
    swell = rng.standard_normal((3 * 48000, 2)) * np.linspace(0.001, 0.6, 3 * 48000)[:, None]
    short = rng.standard_normal((int(0.41 * 22050), 1)) * 0.1
    return [(x, moody_clip.sr), (swell, 48000), (short, 22050), (x[:, :1] * 0.01, moody_clip.sr)]


def test_integrated_loudness_matches_pyloudnorm(moody_clip):
    for x, sr in _signals(moody_clip):
        want = pyloudnorm.Meter(sr).integrated_loudness(x)
        assert loudness.integrated(x, sr) == pytest.approx(want, abs=1e-3)


def test_silence_and_too_short_audio():
    assert loudness.integrated(np.zeros((44100, 2)), 44100) == float("-inf")
    with pytest.raises(ValueError, match="gating block"):
        loudness.integrated(np.zeros((1000, 2)), 44100)


def test_the_iir_filter_is_lfilter():
    x = np.random.default_rng(1).standard_normal((30011, 2))
    b, a = loudness._biquad("high_pass", 0.0, 0.5, 38.0, 44100)
    assert np.allclose(loudness.iir_filter(x, b, a), ss.lfilter(b, a, x, axis=0), atol=1e-9)


@pytest.mark.parametrize("up,down", [(1, 2), (160, 441), (1, 4), (147, 160), (441, 160), (2, 1), (320, 441)])
def test_resample_poly_is_scipys_to_the_last_bit(moody_clip, up, down):
    """float32 (what the product resamples) bit for bit; float64 within a few units in the last place of the
    peak: on an AMD EPYC with AVX-512 (numpy 2.4.6, scipy 1.17.0 and 1.17.1) 3.5 % of float64 samples differ
    from scipy's by one ulp (4.4e-16), the same code having matched bit for bit on the machine it was written
    on: the order scipy's compiled loop sums the products in is the CPU's and compiler's, not the API's."""
    mono = moody_clip.mono().astype(np.float32)
    for x in (mono, mono[:1000].astype(np.float64), mono[:37]):
        ours, want = resample.resample_poly(x, up, down), ss.resample_poly(x, up, down)
        assert ours.dtype == want.dtype and ours.shape == want.shape
        if x.dtype == np.float32:
            assert np.array_equal(ours, want)
        else:
            assert np.abs(ours - want).max() <= 8 * np.finfo(np.float64).eps * np.abs(want).max()


def test_running_median_max_and_local_maxima_are_scipys():
    rng = np.random.default_rng(3)
    S = rng.random((129, 300)).astype(np.float32)
    assert np.array_equal(dsp.median_filter(S, 17, axis=1), nd.median_filter(S, size=(1, 17), mode="nearest"))
    assert np.array_equal(dsp.median_filter(S, 17, axis=0), nd.median_filter(S, size=(17, 1), mode="nearest"))
    env = rng.random(501)
    assert np.array_equal(dsp.median_filter(env, 43, axis=0), nd.median_filter(env, size=43, mode="nearest"))
    assert np.array_equal(dsp.max_filter(env, 5), nd.maximum_filter1d(env, size=5))
    assert np.array_equal(dsp.max_filter(S, 3, axis=0), nd.maximum_filter1d(S, size=3, axis=0))
    steps = np.round(rng.random((60, 7)) * 4)  # plateaus and ties, maxima at the ends
    for x in (steps, env, S.T):
        got, want = dsp.relmax(x, axis=0), ss.argrelmax(x, axis=0)
        assert len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want))


def test_true_peak_matches_4x_resample_poly(moody_clip):
    for x, _sr in _signals(moody_clip):
        want = 20 * np.log10(np.max(np.abs(ss.resample_poly(x, 4, 1, axis=0))) + 1e-12)
        assert master.true_peak_dbfs(x) == pytest.approx(want, abs=0.01)
    sparse = np.zeros((44100, 2))
    sparse[1000, 0], sparse[20000, 1] = 0.9, -0.7  # few hot samples: only their neighbourhoods are oversampled
    want = 20 * np.log10(np.max(np.abs(ss.resample_poly(sparse, 4, 1, axis=0))))
    assert master.true_peak_dbfs(sparse) == pytest.approx(want, abs=0.01)


@pytest.mark.parametrize("w", [3, 220, 221])
def test_limiter_smoothing_matches_scipy_ndimage(w):
    x = np.random.default_rng(w).random(10007)
    assert np.array_equal(master._moving_min(x, w), nd.minimum_filter1d(x, 2 * w + 1))
    assert np.allclose(dsp.moving_mean(x, w), nd.uniform_filter1d(x, w), atol=1e-12)
    grain = np.random.default_rng(w).uniform(0.6, 1.0, (40, 300)).astype(np.float32)  # the painter's use
    assert np.allclose(dsp.moving_mean(grain, 16, axis=1), nd.uniform_filter1d(grain, 16, axis=1), atol=1e-6)


def test_mastering_and_hearing_do_not_import_scipy(tmp_path):
    code = (
        "import sys, numpy as np\n"
        "from sonicgrid.audio import Audio\n"
        "from sonicgrid.tools.enhancers.master import master\n"
        "from sonicgrid.tools.analysts import ears, features\n"
        "x = np.random.default_rng(0).standard_normal((44100 * 2, 2)).astype(np.float32) * 0.1\n"
        "out, rep = master(Audio(x, 44100))\n"
        "assert abs(rep['lufs_out'] + 14) < 0.5, rep\n"
        "features.extract(out)\n"
        "if not ears.missing(): ears.hear_models(out, out.mono().astype(np.float32))\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize("scale", [0.05, 0.3, 1.0, 2.5])
def test_sound_id_is_the_24_bit_wav_round_trips(tmp_path, moody_clip, scale):
    """sound_id computes libsndfile's PCM_24 codes in numpy: a sound and its 24-bit WAV read back are the
    same sound, at any level (beyond full scale libsndfile clips; NaN and inf included), and one changed
    sample is another sound."""
    from sonicgrid import audio as aio

    x = (np.random.default_rng(int(scale * 100)).standard_normal((40000, 2)) * scale).astype(np.float32)
    x[:8, 0] = [1.0, -1.0, 0.99999994, -0.99999994, 1e-9, np.inf, -np.inf, np.nan]
    for clip in (aio.Audio(x, 44100), aio.Audio(moody_clip.samples * np.float32(scale), moody_clip.sr)):
        back = aio.read(aio.write(tmp_path / f"{scale}.wav", clip))
        assert aio.sound_id(back) == aio.sound_id(clip)
        assert aio.digest_of(back) != aio.digest_of(clip)  # the float samples themselves did change
        y = clip.samples.copy()
        y[1000, 1] += 1e-4
        assert aio.sound_id(aio.Audio(y, clip.sr)) != aio.sound_id(clip)
        assert aio.sound_id(aio.Audio(clip.samples, 48000)) != aio.sound_id(clip)
