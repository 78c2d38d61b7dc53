"""The numpy loudness meter and mastering kernels give the reference libraries' figures: BS.1770-4 integrated
loudness as pyloudnorm measures it, true peak as scipy's 4x resample_poly sees it, and the limiter's moving
min/mean as scipy.ndimage's filters (edges mirrored). The references are imported here only: the product
path must not import scipy (a cold CLI process paid ~1.3 s for it)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyloudnorm
import pytest
import scipy.ndimage as nd
import scipy.signal as ss

from sonicgrid.tools.analysts import loudness
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
    assert np.allclose(master._moving_mean(x, w), nd.uniform_filter1d(x, w), atol=1e-12)


def test_mastering_and_loudness_do_not_import_scipy(tmp_path):
    code = (
        "import sys, numpy as np\n"
        "from sonicgrid.audio import Audio\n"
        "from sonicgrid.tools.enhancers.master import master\n"
        "x = np.random.default_rng(0).standard_normal((44100 * 2, 2)).astype(np.float32) * 0.1\n"
        "out, rep = master(Audio(x, 44100))\n"
        "assert abs(rep['lufs_out'] + 14) < 0.5, rep\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "[]"
