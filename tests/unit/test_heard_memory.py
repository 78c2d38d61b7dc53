"""The ears remember what the pretrained models heard, by the sound's digest: a second hearing of the same
sound runs neither musicnn nor basic-pitch and gives the same analysis; another sound or a damaged entry
is heard afresh. The whole answer is remembered per sound and brief: the same question again skips the DSP
features and the critic too; another brief, a damaged entry or changed analyst code hears again."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import ears, features, notes, recall_heard
from sonicgrid.tools.analysts.recall_heard import AnswerMemory, HeardMemory, key_of

pytestmark = pytest.mark.skipif(bool(ears.missing()), reason="the pretrained ears are not installed")


def _chords(seed: int) -> Audio:
    t = np.arange(int(4 * 22050)) / 22050
    f0 = 220.0 * 2 ** (seed / 12)
    x = sum(np.sin(2 * np.pi * f0 * r * t) for r in (1, 1.26, 1.5)) * np.exp(-(t % 1.0) * 3) * 0.2
    return Audio(np.stack([x, x * 0.9], axis=1).astype(np.float32), 22050)


def _count(monkeypatch, calls: dict[str, int], name: str, module, attr: str) -> None:
    """Replace module.attr by a wrapper that counts its calls in calls[name]."""
    real = getattr(module, attr)
    calls.setdefault(name, 0)

    def counted(*a, **k):
        calls[name] += 1
        return real(*a, **k)

    monkeypatch.setattr(module, attr, counted)


def _counting(monkeypatch) -> dict[str, int]:
    calls: dict[str, int] = {}
    _count(monkeypatch, calls, "musicnn", ears, "hear_musicnn")
    _count(monkeypatch, calls, "notes", notes, "transcribe")
    return calls


def test_a_second_hearing_of_the_same_sound_comes_from_memory(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    listener = ears.PretrainedEars(tmp_path / "ears")
    brief = {"mood": "calm", "prompt": "calm chords", "duration_s": 4.0}
    first = listener.hear(_chords(0), brief)
    assert calls == {"musicnn": 1, "notes": 1}
    again = listener.hear(_chords(0), brief)
    assert calls == {"musicnn": 1, "notes": 1}  # nothing re-run
    assert again["quality"]["score"] == first["quality"]["score"] and again["key"] == first["key"]
    assert again["tags"] == first["tags"] and again["notes"] == first["notes"]
    listener.hear(_chords(5), brief)  # another sound is heard
    assert calls == {"musicnn": 2, "notes": 2}


def test_a_damaged_entry_is_heard_afresh_and_rewritten(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    listener = ears.PretrainedEars(tmp_path / "ears")
    a = _chords(2)
    listener.hear(a, {"mood": "calm"})
    entry = HeardMemory(tmp_path / "ears")._path(key_of(a))
    entry.write_bytes(b"not an npz")
    listener.hear(a, {"mood": "moody"})  # another brief: not a whole-answer hit, so the models' memory is read
    assert calls["musicnn"] == 2
    assert HeardMemory(tmp_path / "ears").get(key_of(a)) is not None


def test_without_a_folder_nothing_is_remembered(monkeypatch):
    calls = _counting(monkeypatch)
    listener = ears.PretrainedEars()
    listener.hear(_chords(1), {"mood": "calm"})
    listener.hear(_chords(1), {"mood": "calm"})
    assert calls["musicnn"] == 2


def _counting_features(monkeypatch) -> dict[str, int]:
    calls: dict[str, int] = {}
    _count(monkeypatch, calls, "features", features, "extract")
    return calls


def test_the_same_question_is_answered_whole_from_memory(tmp_path, monkeypatch):
    seen = _counting_features(monkeypatch)
    listener = ears.PretrainedEars(tmp_path / "ears")
    brief = {"mood": "calm", "prompt": "calm chords", "duration_s": 4.0}
    first = listener.hear(_chords(3), brief, layer="harmony", duration_s=4.0)
    assert seen["features"] == 1
    again = ears.PretrainedEars(tmp_path / "ears").hear(_chords(3), brief, layer="harmony", duration_s=4.0)
    assert seen["features"] == 1 and again == first  # a new process reads the same answer, nothing recomputed
    other = listener.hear(_chords(3), brief | {"mood": "tense"}, layer="harmony", duration_s=4.0)
    assert seen["features"] == 2  # another brief: the honour checks differ, so the clip is heard against it
    assert other["mood"] == first["mood"] and other["quality"]["critic"] == first["quality"]["critic"]


def test_a_damaged_answer_or_changed_analyst_code_hears_again(tmp_path, monkeypatch):
    seen = _counting_features(monkeypatch)
    listener = ears.PretrainedEars(tmp_path / "ears")
    a, brief = _chords(4), {"mood": "calm"}
    listener.hear(a, brief)
    answers = AnswerMemory(tmp_path / "ears" / "answers")
    entry = answers._path(answers.key(a, brief, None, None))
    assert entry.exists()
    entry.write_text("{not json")
    listener.hear(a, brief)
    assert seen["features"] == 2 and answers.get(answers.key(a, brief, None, None)) is not None  # rewritten
    monkeypatch.setattr(recall_heard, "code_stamp", lambda: "an edited analyst")
    ears.PretrainedEars(tmp_path / "ears").hear(a, brief)
    assert seen["features"] == 3
