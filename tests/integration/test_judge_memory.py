"""The judge's memory on the real packaged Gemma 3 270M: an exact question asked again (another process,
modelled by a fresh LocalLLM) is answered from disk without loading the weights; another question, a
damaged entry or another model file is asked of the model; models that are not greedy-local are never
remembered."""

from __future__ import annotations

import json
import shutil

from sonicgrid.agents import decision
from sonicgrid.llm.brain import LLMBrain
from sonicgrid.llm.local import LocalLLM
from sonicgrid.llm.locate import model_path

BRIEF = {"prompt": "make a moody intro", "duration_s": 12.0, "action": "new", "mood": "moody"}


def _judgment(similarity: float):
    cand = {"id": "clip_x", "similarity": similarity, "meta": {"quality": 8.0, "duration_s": 12.0}}
    return decision.judgment(BRIEF, [cand], None, reuse_threshold=0.8, quality_threshold=5)


def test_an_exact_question_again_is_answered_without_loading_the_model(tmp_path):
    first_llm = LocalLLM(model_path(None))
    assert first_llm._llm is None  # nothing loaded until the first question
    first = LLMBrain(first_llm, memory_dir=tmp_path / "judge").decide(_judgment(0.95))
    assert first_llm._llm is not None and first.brain == "llm"

    fresh = LocalLLM(model_path(None))  # a new process: nothing loaded, the memory on disk
    brain = LLMBrain(fresh, memory_dir=tmp_path / "judge")
    again = brain.decide(_judgment(0.95))
    assert (again.choice, again.confidence, again.reason) == (first.choice, first.confidence, first.reason)
    assert fresh._llm is None and brain.calls and all(c.get("memory") for c in brain.calls)

    other = brain.decide(_judgment(0.55))  # another question: the model is asked (and loads)
    assert fresh._llm is not None and not brain.calls[-1].get("memory")
    assert other.choice in _judgment(0.55).allowed


def test_a_damaged_entry_or_another_model_file_asks_the_model(tmp_path):
    mem = tmp_path / "judge"
    LLMBrain(LocalLLM(model_path(None)), memory_dir=mem).decide(_judgment(0.9))
    for entry in mem.rglob("*.json"):
        entry.write_text("{damaged")
    llm = LocalLLM(model_path(None))
    LLMBrain(llm, memory_dir=mem).decide(_judgment(0.9))
    assert llm._llm is not None  # the damaged answer was not used

    copy = tmp_path / "copy.gguf"  # the same weights under another file: another model for the memory
    shutil.copy(model_path(None), copy)
    other = LocalLLM(copy)
    LLMBrain(other, memory_dir=mem).decide(_judgment(0.9))
    assert other._llm is not None


class Counting:
    """A bare completer (not greedy-local: no identity()): always asked."""

    name = "counting"

    def __init__(self):
        self.calls = 0

    def complete_json(self, prompt, schema, max_tokens=64):
        self.calls += 1
        return json.dumps({"choice": schema["properties"]["choice"]["enum"][0]})


def test_models_without_an_identity_are_never_remembered(tmp_path):
    c = Counting()
    brain = LLMBrain(c, memory_dir=tmp_path / "judge")
    brain.decide(_judgment(0.95))
    brain.decide(_judgment(0.95))
    assert c.calls == 2 and brain.memory is None and not (tmp_path / "judge").exists()
