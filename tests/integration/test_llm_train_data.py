"""The judge's training data: real judgments, the brain's exact prompts, honest held-out split."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sonicgrid.agents import lexicon
from sonicgrid.agents.intake import INTAKE_SCHEMA
from sonicgrid.llm.brain import LLMBrain, facts, render
from sonicgrid.llm.train import dataset, requests


@pytest.fixture(scope="module")
def data():
    return dataset.build(n_agent=200, n_intake=300)


class Recorder:
    """An LLM that records the prompt the brain sends and answers with a fixed choice."""

    lora = "adapter.gguf"

    def __init__(self, answer: str):
        self.answer, self.prompts = answer, []

    def complete_json(self, prompt, schema, max_tokens=64):
        self.prompts.append(prompt)
        return self.answer


def test_agent_examples_are_rules_decisions_in_the_brains_prompt(data):
    agents = {e.agent for e in data["train"]}
    assert agents == set(dataset.AGENTS) | {"intake"}
    for ex in [e for e in data["train"] if e.agent != "intake"][:200]:
        j = ex.judgment
        assert ex.label["choice"] == j.rules()[0] and ex.label["choice"] in j.allowed
        rec = Recorder(json.dumps({"choice": ex.label["choice"]}))
        LLMBrain(rec).decide(j)  # an adapter-loaded brain sends the lean prompt...
        assert ex.prompt == rec.prompts[0] + '{"choice": "'  # ...then LocalLLM writes the JSON head
        assert ex.answer == ex.label["choice"] + '"}'
        assert f"Facts: {facts(j.words)}" in ex.prompt and "Allowed: " + ", ".join(j.allowed) in ex.prompt


def test_every_choice_and_hard_cases_are_covered(data):
    seen = {(e.agent, e.label["choice"]) for e in data["train"] if e.agent != "intake"}
    for agent, choices in {
        "decision": ("generate", "reuse", "enhance", "extend"),
        "gatekeeper": ("pass", "regenerate", "accept_best"),
        "cost_guardian": ("approve", "downgrade", "deny"),
        "continuity": ("fit", "revise"),
    }.items():
        assert {(agent, c) for c in choices} <= seen
    near = [
        e
        for e in data["train"]
        if e.agent == "gatekeeper" and abs(e.judgment.evidence["score"] - e.judgment.evidence["threshold"]) < 0.5
    ]
    assert len(near) > 10


def test_heldout_never_trained_on(data):
    train = {e.prompt for e in data["train"]}
    assert data["heldout"] and not any(e.prompt in train for e in data["heldout"])
    held_templates = {t for t, s in requests.TEMPLATES + requests.IMPLIED_TEMPLATES if s == "heldout"}
    assert held_templates
    train_requests = [e.truth["request"] for e in data["train"] if e.agent == "intake"]
    for cue in requests._split_list(requests.MOODS["tense"][1], "heldout"):
        assert not any(cue in r for r in train_requests)


def test_intake_requests_vary_and_lexicon_never_contradicts_labels(data):
    reqs = [e for e in data["train"] + data["heldout"] if e.agent == "intake"]
    texts = [e.truth["request"] for e in reqs]
    assert len(set(texts)) == len(texts) > 300
    assert any(e.truth["exclude"] for e in reqs) and any(e.truth["action"] == "extend" for e in reqs)
    assert any(e.truth["duration_s"] for e in reqs) and any("ein" in t.split()[0] or "une" in t for t in texts)
    for e in reqs:
        fields, found = lexicon.parse(e.truth["request"])
        for k in ("mood", "section"):
            assert k not in found or fields[k] == e.truth[k], e.truth["request"]
        assert e.prompt == render("intake", True, request=e.truth["request"]) + '{"mood": "'
        full = json.loads('{"mood": "' + e.answer)
        assert set(full) == set(INTAKE_SCHEMA["properties"]) and full["mood"] == e.truth["mood"]


def test_without_adapter_the_brain_keeps_the_few_shot_prompts():
    from sonicgrid.agents import gatekeeper

    j = gatekeeper.judgment(
        score=8.0, components={}, threshold=5, attempt=0, max_retries=2, remaining_s=10, regen_estimate_s=1
    )
    base = Recorder('{"choice": "pass"}')
    base.lora = None
    LLMBrain(base).decide(j)
    assert 'Answer: {"choice": "regenerate"}' in base.prompts[0]  # the few-shot template
    assert "Allowed:" not in base.prompts[0]


def test_cli_data_writes_jsonl(tmp_path):
    from sonicgrid.commands.llm import app

    r = CliRunner().invoke(app, ["data", "--out", str(tmp_path), "--n-agent", "30", "--n-intake", "40"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert rows and {"prompt", "answer", "label", "split"} <= set(rows[0])
    assert (tmp_path / "heldout.jsonl").stat().st_size > 0


@pytest.mark.parametrize("agent", dataset.AGENTS)
def test_the_words_alone_determine_the_rules_choice(agent):
    """The judge reads words, not numbers: two judgments it cannot tell apart must get the same label,
    else no training could teach it the rules (this failed for decision, cost and continuity before
    the words carried every cut the rules make: a quarter of their examples were contradictory)."""
    import random
    from collections import defaultdict

    from sonicgrid.llm.train import evidence

    rng, seen = random.Random(7), defaultdict(set)
    for _ in range(3000):
        j = evidence.BUILDERS[agent](rng)
        seen[(facts(j.words), tuple(j.allowed))].add(j.rules()[0])
    contradictory = {k: v for k, v in seen.items() if len(v) > 1}
    assert not contradictory, list(contradictory.items())[:3]
    assert len(seen) > 30  # the words do vary
