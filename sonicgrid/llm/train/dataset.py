"""The judge's training and held-out examples, in exactly the format the llm brain sends.

An example is the prompt the brain would send to the adapter-loaded model (the lean template,
rendered by sonicgrid.llm.brain.render, plus the JSON head that LocalLLM writes into the prompt
for enum schemas) and the continuation the model should decode.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

from sonicgrid.agents.base import Judgment
from sonicgrid.agents.intake import INTAKE_SCHEMA
from sonicgrid.llm.brain import facts, render
from sonicgrid.llm.local import enum_scaffold
from sonicgrid.llm.train import evidence, requests

AGENTS = tuple(evidence.BUILDERS)
SEED = 20261125


@dataclass
class Example:
    agent: str
    prompt: str  # everything the model is given, JSON head included
    answer: str  # the continuation it must decode
    label: dict  # the fields the answer carries
    split: str
    judgment: Judgment | None = field(default=None, repr=False, compare=False)
    truth: dict | None = None  # intake: the request's true fields

    def to_json(self) -> dict:
        return {
            "agent": self.agent,
            "prompt": self.prompt,
            "answer": self.answer,
            "label": self.label,
            "split": self.split,
            "truth": self.truth,
        }


def choice_schema(allowed: list[str]) -> dict:
    return {"type": "object", "properties": {"choice": {"enum": list(allowed)}}, "required": ["choice"]}


def _pair(prompt: str, schema: dict, label: dict) -> tuple[str, str]:
    scaffold = enum_scaffold(schema)
    if scaffold is None:
        raise ValueError("the training schema must be an object of enum fields")
    head, _ = scaffold
    full = json.dumps({k: label[k] for k in schema["properties"]})
    assert full.startswith(head)
    return prompt + head, full[len(head) :]


def agent_example(j: Judgment, split: str) -> Example:
    choice = j.rules()[0]
    prompt = render(j.agent, True, facts=facts(j.words), allowed=", ".join(j.allowed))
    p, a = _pair(prompt, choice_schema(j.allowed), {"choice": choice})
    return Example(j.agent, p, a, {"choice": choice}, split, judgment=j)


def intake_example(r: dict, split: str) -> Example:
    prompt = render("intake", True, request=r["request"])
    label = {"mood": r["mood"], "section": r["section"]}
    p, a = _pair(prompt, INTAKE_SCHEMA, label)
    return Example("intake", p, a, label, split, truth=r)


def _heldout(text: str, percent: int = 20) -> bool:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % 100 < percent


def agent_examples(agent: str, n: int, seed: int = SEED) -> dict[str, list[Example]]:
    """n samples of randomised evidence; a prompt text is in exactly one split (held-out ~20%)."""
    rng = random.Random(f"{seed}-{agent}")
    out: dict[str, list[Example]] = {"train": [], "heldout": []}
    for _ in range(n):
        j = evidence.BUILDERS[agent](rng)
        ex = agent_example(j, "train")
        ex.split = "heldout" if _heldout(ex.prompt) else "train"
        out[ex.split].append(ex)
    return out


def build(n_agent: int = 1000, n_intake: int = 900, seed: int = SEED) -> dict[str, list[Example]]:
    """All examples, by split. Intake held-out requests use phrasings and cues never trained on."""
    data: dict[str, list[Example]] = {"train": [], "heldout": []}
    for agent in AGENTS:
        for split, exs in agent_examples(agent, n_agent, seed).items():
            data[split] += exs
    for split, n in (("train", n_intake), ("heldout", max(40, n_intake // 4))):
        data[split] += [intake_example(r, split) for r in requests.requests(n, split, seed)]
    train_prompts = {e.prompt for e in data["train"]}
    data["heldout"] = [e for e in data["heldout"] if e.prompt not in train_prompts]
    random.Random(seed).shuffle(data["train"])
    return data


def write_jsonl(examples: list[Example], path) -> None:
    with open(path, "w") as f:
        for e in examples:
            f.write(json.dumps(e.to_json()) + "\n")
