"""Audio vector kinds (memory/vectors.py): which vector an analysis, a sidecar or a bare list is, and the
vectors computed from audio are the listeners' own numbers."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from library_helpers import tone

from sonicgrid.memory import vectors
from sonicgrid.memory.vectors import DSP, MUSIC, Vector
from sonicgrid.tools.analysts.ears import PretrainedEars
from sonicgrid.tools.analysts.listen import EmbeddedListener


@pytest.fixture(scope="module")
def heard(moody_clip):
    return PretrainedEars().hear(moody_clip, {"prompt": "moody", "mood": "moody"})


def test_each_kind_has_its_own_collection_and_the_legacy_one_keeps_its_name():
    assert vectors.collection_name("clips", DSP) == "clips_audio"  # what a library from before holds
    assert vectors.collection_name("clips", MUSIC) == "clips_audio_msd200"
    assert vectors.LIBRARY_KIND == MUSIC and vectors.DIMS == {MUSIC: 200, DSP: 33}
    with pytest.raises(ValueError, match="unknown audio vector kind"):
        vectors.collection_name("clips", "openl3-512")


def test_an_analysis_carries_its_vectors_by_kind(heard, moody_clip):
    got = vectors.of_analysis(heard)
    assert set(got) == {MUSIC, DSP} and len(got[MUSIC].values) == 200 and len(got[DSP].values) == 33
    assert vectors.coerce(heard, MUSIC) == got[MUSIC] and vectors.coerce(heard, DSP) == got[DSP]
    fallback = EmbeddedListener().hear(moody_clip, {"prompt": "moody"})  # the DSP listener: dsp-33 only
    assert set(vectors.of_analysis(fallback)) == {DSP}
    assert vectors.coerce(fallback, MUSIC).kind == DSP  # what it has; the library then hears the audio
    stripped = vectors.without(heard)
    assert not {"embedding", "embedding_kind", "music_embedding"} & set(stripped) and stripped["key"] == heard["key"]
    back = vectors.attach(stripped, got[MUSIC])
    assert back["music_embedding"] == got[MUSIC].values and "embedding" not in back


def test_bare_vectors_and_sidecars_say_their_kind():
    assert vectors.coerce([0.1] * 200, MUSIC).kind == MUSIC and vectors.coerce([0.1] * 33, MUSIC).kind == DSP
    with pytest.raises(ValueError, match="8 numbers is none of the known kinds"):
        vectors.coerce([1.0] * 8, MUSIC)
    assert vectors.coerce(None, MUSIC) is None and vectors.coerce({"key": "C"}, MUSIC) is None
    old = {"id": "clip_x", "sha256": "ab", "audio_vector": [0.5] * 33}  # a sidecar from before the kinds
    assert vectors.from_sidecar(old) == Vector(DSP, [0.5] * 33)
    new = old | {"audio_vector": [0.1] * 200, "audio_vector_kind": MUSIC}
    assert vectors.from_sidecar(new).kind == MUSIC and vectors.from_sidecar({"id": "x"}) is None


def test_computed_vectors_are_the_listeners_numbers(heard, moody_clip):
    music = vectors.compute(moody_clip, MUSIC)
    assert music is not None and music.values == pytest.approx(heard["music_embedding"], abs=1e-5)
    assert np.linalg.norm(music.values) == pytest.approx(1.0, abs=1e-3)
    dsp = vectors.compute(moody_clip, DSP)
    assert dsp is not None and dsp.values == pytest.approx(heard["embedding"], abs=1e-6)
    other = vectors.compute(tone(880, 4.0, noise=0.3), MUSIC)  # another sound is another point
    assert other is not None and float(np.dot(other.values, music.values)) < 0.99


def test_without_musicnn_a_clip_goes_without_a_music_vector_and_says_so(monkeypatch, moody_clip, caplog):
    monkeypatch.setattr(vectors, "available", lambda kind: kind == DSP)
    monkeypatch.setattr(vectors, "_said", set())
    with caplog.at_level(logging.WARNING, logger="sonicgrid.library"):
        assert vectors.compute(moody_clip, MUSIC) is None
        assert vectors.for_clip({"embedding": [0.1] * 33}, MUSIC, moody_clip) is None
        assert vectors.for_clip({"embedding": [0.1] * 33}, MUSIC, moody_clip) is None  # said once
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 1 and "only text and metadata" in notes[0]
    assert vectors.for_clip({"music_embedding": [0.1] * 200}, MUSIC).values == [0.1] * 200  # its own: no model
