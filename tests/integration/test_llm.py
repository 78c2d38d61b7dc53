"""The llm brain on the real packaged Gemma 3 270M through llama.cpp, and its fallback path."""

from __future__ import annotations

import json

import pytest

from sonicgrid.agents import decision, gatekeeper
from sonicgrid.llm.brain import LLMBrain
from sonicgrid.llm.local import LocalLLM
from sonicgrid.llm.locate import model_path


@pytest.fixture(scope="module")
def llm():
    return LocalLLM.shared(model_path(None))


def test_real_llama_verdict_parses_within_allowed(llm):
    brief = {"prompt": "make a moody intro", "duration_s": 12.0, "action": "new", "mood": "moody"}
    cand = {"id": "clip_x", "similarity": 0.95, "meta": {"quality": 8.0, "duration_s": 12.0}}
    j = decision.judgment(brief, [cand], None, reuse_threshold=0.8, quality_threshold=5)
    v = LLMBrain(llm).decide(j)
    assert v.brain == "llm" and v.choice in j.allowed and v.overridden is None
    assert v.reason.startswith("LLM chose") and 0 <= v.confidence <= 1
    raw = json.loads(llm.complete_json("Answer: ", {"type": "object", "properties": {"choice": {"enum": ["a", "b"]}}}))
    assert raw["choice"] in ("a", "b")


def test_llm_cannot_choose_outside_limits(llm):
    # Score below the bar with no retries left: only accept_best is allowed, whatever the model thinks.
    j = gatekeeper.judgment(
        score=3.0,
        components={"silence": {"value": 0.2}},
        threshold=5,
        attempt=2,
        max_retries=2,
        remaining_s=10,
        regen_estimate_s=1,
    )
    v = LLMBrain(llm).decide(j)
    assert j.allowed == ["accept_best"] and v.choice == "accept_best"


class Garbage:
    name = "garbage"

    def __init__(self):
        self.calls = 0

    def complete_json(self, prompt, schema, max_tokens=64):
        self.calls += 1
        return '{"choice": "1000000000'  # cut short, like an untuned model running out of tokens


def test_malformed_answer_retried_once_then_rules_marked():
    g = Garbage()
    j = gatekeeper.judgment(
        score=8.0, components={}, threshold=5, attempt=0, max_retries=2, remaining_s=10, regen_estimate_s=1
    )
    v = LLMBrain(g).decide(j)
    assert g.calls == 2
    assert v.brain == "llm-fallback" and v.choice == "pass" and "malformed" in v.reason


def test_graph_runs_in_llm_brain(settings):
    from sonicgrid.graph.run import make

    s = make("make a moody intro", settings.model_copy(update={"brain": "llm"}), seed=5)
    assert s["result"]["status"] == "ok"
    brains = {v["agent"]: v["brain"] for v in s["verdicts"]}
    assert set(brains) >= {"intake", "decision", "cost_guardian", "gatekeeper", "continuity"}
    assert all(b in ("llm", "llm-fallback") for b in brains.values())
    assert s["models"]["llm"].endswith(".gguf") or "+" in s["models"]["llm"]
    for v in s["verdicts"]:
        assert v["choice"] in v["allowed"]


def test_the_llm_does_not_fill_a_mood_the_text_turned_down(llm):
    from sonicgrid.agents.intake import read

    brain = LLMBrain(llm)
    for text in ("I don't want anything sad, 20 seconds", "nothing too dark", "not too aggressive, 30 s"):
        brief, verdict = read(text, brain)
        unwanted = verdict.evidence["found"]["not_mood"]
        assert brief.mood not in unwanted.split(","), (text, brief.mood, verdict.reason)
    assert read("a sad loop, 20 seconds", brain)[0].mood == "moody"  # the same word, asked for
