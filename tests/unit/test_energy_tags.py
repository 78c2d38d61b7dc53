"""Energy from listeners' tags: the documented tag mapping moves the mood's arousal with what musicnn heard."""

import itertools

import numpy as np

from sonicgrid.tools.analysts import moodmap
from sonicgrid.tools.analysts.musicnn_net import MSD_LABELS, MTT_LABELS


def _x(up: float, down: float) -> np.ndarray:
    """Inputs (tag logits, then the DSP numbers) with the energetic tags at logit `up`, the quiet ones at `down`,
    every other tag at -3 and neutral DSP numbers."""
    mtt = [
        up if t in moodmap.ENERGY_UP["mtt"] else down if t in moodmap.ENERGY_DOWN["mtt"] else -3.0 for t in MTT_LABELS
    ]
    msd = [
        up if t in moodmap.ENERGY_UP["msd"] else down if t in moodmap.ENERGY_DOWN["msd"] else -3.0 for t in MSD_LABELS
    ]
    dsp = np.array([1.0, 0.5, 0.5, 0.3, 0.5, 0.0, -0.7, 0.4])
    return np.concatenate([mtt, msd, dsp])


def test_every_mapped_tag_is_a_musicnn_tag():
    assert set(moodmap.ENERGY_UP["mtt"]) | set(moodmap.ENERGY_DOWN["mtt"]) <= set(MTT_LABELS)
    assert set(moodmap.ENERGY_UP["msd"]) | set(moodmap.ENERGY_DOWN["msd"]) <= set(MSD_LABELS)


def test_tag_energy_reads_energetic_against_quiet_tags():
    assert moodmap.tag_energy(_x(3.0, -3.0)) > 2.0
    assert moodmap.tag_energy(_x(-3.0, 3.0)) < -2.0
    assert abs(moodmap.tag_energy(_x(0.0, 0.0)) - np.log(18 / 11)) < 1e-3  # 18 energetic, 11 quiet tags at p 0.5


def test_arousal_follows_the_tags_with_the_rest_held():
    e = moodmap.heads()["energy_tags"]
    assert e["scale"] > 0 and e["head_scale"] > 0 and e["n"] >= 20
    # from quiet tags to energetic ones, short of the clip at 1 (the head alone reaches it on energetic tags)
    sweep = [
        moodmap.mood(_x(u, d))["arousal"]
        for u, d in ((-3.0, 3.0), (-3.0, 1.0), (-2.0, 0.0), (-1.0, -1.0), (-0.5, -1.5))
    ]
    assert all(a < b for a, b in itertools.pairwise(sweep)) and sweep[0] < 0 < sweep[-1] < 1
    assert moodmap.mood(_x(3.0, -3.0))["arousal"] - moodmap.mood(_x(-3.0, 3.0))["arousal"] > 0.3


def test_arousal_is_the_mean_of_the_head_and_the_tags():
    e = moodmap.heads()["energy_tags"]
    x = _x(1.5, -1.0)
    head = moodmap._linear("arousal", x)
    tags = e["head_scale"] * (moodmap.tag_energy(x) - e["offset"]) / e["scale"]
    assert abs(tags - head) > 0.05  # the two disagree here, so the mean is not either one
    assert abs(moodmap.mood(x)["arousal"] - float(np.clip((head + tags) / 2, -1, 1))) <= 5e-4  # rounded to 3 places
