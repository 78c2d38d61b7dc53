"""The composer's renders carry no DC: the GM SoundFont's pads drift to an offset of ~30 % of the peak."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.tools.base import GenRequest
from sonicgrid.tools.generators.soundfont import SoundFontComposer, dc_blocked


@pytest.mark.parametrize(("mood", "layer"), [("happy", "atmosphere"), ("moody", "harmony"), ("calm", "atmosphere")])
def test_pads_render_without_dc(mood, layer):
    brief = {"prompt": mood, "mood": mood, "duration_s": 3.0}
    x = SoundFontComposer().run(GenRequest(mood, brief, layer, "loop", 3.0, seed=1)).audio.stereo().samples
    assert np.abs(x).max() > 0.01
    assert float(np.max(np.abs(x.mean(axis=0)))) / float(np.abs(x).max()) < 0.01


def test_dc_blocker_keeps_a_low_bass_note_and_drops_an_offset():
    sr = 44100
    t = np.arange(2 * sr) / sr
    bass = 0.5 * np.sin(2 * np.pi * 41.2 * t)  # E1, the lowest bass note
    x = np.stack([bass + 0.3, bass - 0.2], axis=1).astype(np.float32)
    y = dc_blocked(x, sr)[sr // 2 :]  # after the filter settled
    assert np.abs(y.mean(axis=0)).max() < 0.005
    gain_db = 20 * np.log10(np.sqrt(np.mean(y**2, axis=0)) / np.sqrt(np.mean(bass[sr // 2 :] ** 2)))
    assert np.all(np.abs(gain_db) < 0.5), gain_db
