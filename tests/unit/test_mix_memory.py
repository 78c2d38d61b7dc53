"""The mix memory answers a recipe it has seen with the master file an earlier run wrote, recognising the
stems also after a 24-bit WAV round trip; an edited or deleted file, another stem or another setting is a
miss (the master is made afresh)."""

from __future__ import annotations

import numpy as np

from sonicgrid import audio as aio
from sonicgrid import outputs
from sonicgrid.memory import mixes
from sonicgrid.tools import mixer

RECIPE = {"sr": 44100, "tempo": 90.0, "mood": "moody", "lufs": -14.0, "tp": -1.0}


def _stems(clip: aio.Audio) -> list[mixer.Stem]:
    a, g = mixer.level(clip, "harmony")
    return [mixer.Stem(name="loop-harmony", layer="harmony", section="loop", audio=a, level_db=g)]


def test_a_seen_recipe_is_answered_with_the_file_it_made(tmp_path, moody_clip):
    stems = _stems(moody_clip)
    recipe = RECIPE | {"sr": stems[0].audio.sr}
    mem = mixes.MixMemory(tmp_path / "mixes")
    key = mixes.key_of(stems, length=6.0, **recipe)
    assert mem.get(key) is None
    final, mix, mastering = outputs.master_mix(stems, **recipe)
    path = aio.write(tmp_path / "run" / "clip.wav", final)
    mem.put(key, path, mix, mastering)

    # the stems as the library gives them back (24-bit WAV) are the same recipe
    fresh = _stems(moody_clip)
    aio.write(tmp_path / "stem.wav", fresh[0].audio)
    back = [mixer.Stem(**{**fresh[0].__dict__, "audio": aio.read(tmp_path / "stem.wav")})]
    assert aio.digest_of(back[0].audio) != aio.digest_of(fresh[0].audio)
    assert mixes.key_of(back, length=6.0, **recipe) == key
    got = mem.get(key)
    assert got is not None
    audio, mix2, mastering2, where = got
    assert np.array_equal(audio.samples, aio.read(path).samples) and mix2 == mix and mastering2 == mastering
    assert where == path.resolve()  # the file a new clip.wav can be a copy of

    # another setting or another sound is another recipe
    assert mixes.key_of(fresh, length=6.0, **(recipe | {"mood": "happy"})) != key
    louder = [mixer.Stem(**{**fresh[0].__dict__, "audio": aio.Audio(fresh[0].audio.samples * 0.5, recipe["sr"])})]
    assert mixes.key_of(louder, length=6.0, **recipe) != key

    # the file edited in place, then deleted: a miss, never someone else's sound
    aio.write(path, aio.Audio(final.samples * 0.5, final.sr))
    assert mem.get(key) is None
    path.unlink()
    assert mem.get(key) is None


def test_a_damaged_entry_is_a_miss(tmp_path, moody_clip):
    mem = mixes.MixMemory(tmp_path / "mixes")
    key = mixes.key_of(_stems(moody_clip), length=6.0, **RECIPE)
    entry = mem._path(key)
    entry.parent.mkdir(parents=True)
    entry.write_text("{half a rec")
    assert mem.get(key) is None
