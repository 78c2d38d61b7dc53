"""The llm brain: the LLM chooses inside the allowed choices; malformed -> retry once -> rules."""

from __future__ import annotations

import json
import time
from importlib.resources import files

from sonicgrid import prompts
from sonicgrid.agents.base import Brain, Judgment


def facts(words: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in words.items() if k != "request")


def lean_template(template: str) -> str | None:
    """The lean prompt the LoRA adapter was trained on (prompts/<agent>.lora.txt), if there is one."""
    name = f"{template}.lora"
    return name if files(prompts.__name__).joinpath(f"{name}.txt").is_file() else None


def render(template: str, lean: bool, **values: str) -> str:
    """The exact prompt text sent to the model; the training data is built with this same function."""
    name = (lean_template(template) if lean else None) or template
    return prompts.fill(name, **values)


class LLMBrain(Brain):
    name = "llm"

    def __init__(self, llm, lean: bool | None = None):
        self.llm = llm
        self.calls: list[dict] = []
        # With the tuned adapter loaded, prompts are the lean ones it was trained on; without it,
        # the few-shot templates for the base model.
        self.lean = bool(getattr(llm, "lora", None)) if lean is None else lean

    def ask(self, template: str, schema: dict, **values: str) -> dict | None:
        """Prompt -> JSON within the schema, one retry; None when both answers are malformed."""
        prompt = render(template, self.lean, **values)
        for attempt in range(2):
            t0 = time.perf_counter()
            raw = self.llm.complete_json(prompt, schema)
            ms = (time.perf_counter() - t0) * 1000
            try:
                data = json.loads(raw)
                ok = isinstance(data, dict) and all(k in data for k in schema.get("required", []))
                for k, spec in schema.get("properties", {}).items():
                    if "enum" in spec and data.get(k) not in spec["enum"]:
                        ok = False
            except (json.JSONDecodeError, TypeError):
                data, ok = None, False
            self.calls.append(
                {"template": template, "attempt": attempt, "ms": round(ms, 1), "raw": raw[:200], "ok": ok}
            )
            if ok:
                return data
        return None

    def choose(self, j: Judgment) -> tuple[str, float, str, str]:
        schema = {"type": "object", "properties": {"choice": {"enum": list(j.allowed)}}, "required": ["choice"]}
        data = self.ask(j.agent, schema, facts=facts(j.words), allowed=", ".join(j.allowed))
        if data is None:
            choice, conf, reason = j.rules()
            return choice, conf, f"LLM answer malformed twice; rules: {reason}", "llm-fallback"
        choice = data["choice"]
        rules_choice = j.rules()[0]
        # The small model's choice carries no calibrated probability: agreement with the rules
        # brain is the honest signal we have.
        conf = 0.7 if choice == rules_choice else 0.4
        return choice, conf, f"LLM chose {choice}: {j.explain.get(choice, '')}", "llm"
