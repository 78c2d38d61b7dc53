"""The llm brain: a langchain-core chat model chooses inside the allowed choices; malformed -> retry
once -> rules. With `fallback` (--brain auto) a model that fails or runs past its deadline hands the
decisions to the rules, with a note, instead of failing the run."""

from __future__ import annotations

import json
import threading
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import Runnable, RunnableLambda

from sonicgrid import prompts
from sonicgrid.agents.base import Brain, Choice, Judgment, Reading
from sonicgrid.errors import ModelUnavailable
from sonicgrid.llm.chat import JSONChatModel
from sonicgrid.llm.deadline import run_blocking
from sonicgrid.llm.recall import JudgeMemory


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


def _json_in(text: str) -> Any:
    """The first JSON object in a chat model's free text (for models without structured output)."""
    start, end = text.find("{"), text.rfind("}")
    return json.loads(text[start : end + 1]) if 0 <= start < end else None


class LLMBrain(Brain):
    name = "llm"

    def __init__(
        self,
        llm: Any,
        lean: bool | None = None,
        *,
        fallback: bool = False,
        timeout_s: float = 30.0,
        retry_after_s: float = 300.0,
        output: str = "json_schema",
        memory_dir: Path | None = None,
    ):
        self.llm = llm
        self.calls: list[dict] = []
        # With the tuned adapter loaded, prompts are the lean ones it was trained on; without it,
        # the few-shot templates for the base model.
        self.lean = bool(getattr(llm, "lora", None)) if lean is None else lean
        self.fallback, self.timeout_s, self.retry_after_s = fallback, timeout_s, retry_after_s
        self.output = output  # how another chat model keeps to the schema (Settings.llm_output)
        self._down_until = 0.0  # after a failure (fallback mode), the rules decide until then
        self._structured: dict[str, Runnable] = {}
        self._lock = threading.Lock()
        # The judge's memory, for models whose answers are a function of the prompt (llm/recall.py).
        identity = getattr(llm, "identity", None)
        self.memory = JudgeMemory(memory_dir, identity()) if memory_dir is not None and callable(identity) else None

    # -- talking to the model --------------------------------------------------------------------

    def _runnable(self, schema: dict) -> Runnable:
        """The chat model bound to the schema: our models decode under its grammar; any other chat
        model uses its own structured output, or its text parsed as JSON where it has none."""
        key = json.dumps(schema, sort_keys=True)
        with self._lock:
            if key not in self._structured:
                llm = self.llm
                if isinstance(llm, JSONChatModel):
                    r = llm.with_structured_output(schema, include_raw=True)
                else:
                    titled = {"title": "answer", **schema}
                    r = llm | RunnableLambda(lambda m: {"raw": m, "parsed": _json_in(str(m.content))})
                    if self.output != "text":
                        try:
                            r = llm.with_structured_output(titled, method=self.output, include_raw=True)
                        except (NotImplementedError, TypeError, ValueError):
                            pass  # no structured output: its text, parsed
                self._structured[key] = r
            return self._structured[key]

    def _call(self, prompt: str, schema: dict) -> tuple[str, Any, dict[str, float]]:
        """(raw text, parsed JSON or None, per-field probabilities) from one model call."""
        if not isinstance(self.llm, BaseChatModel):  # a bare completer (test doubles)
            raw = self.llm.complete_json(prompt, schema)
            try:
                return raw, json.loads(raw), {}
            except (json.JSONDecodeError, TypeError):
                return raw, None, {}
        runnable = self._runnable(schema)
        msgs = [HumanMessage(prompt)]
        if isinstance(self.llm, JSONChatModel):  # in process, or a server client with its own deadline
            out = runnable.invoke(msgs)
        else:
            out = run_blocking(lambda: self._foreign(runnable, msgs), self.timeout_s, f"LLM {self.llm_name}")
        msg = out.get("raw")
        parsed = out.get("parsed")
        if hasattr(parsed, "model_dump"):
            parsed = parsed.model_dump()
        text = str(msg.content) if isinstance(msg, AIMessage) and msg.content else json.dumps(parsed)
        meta = getattr(msg, "response_metadata", {}) or {}
        return text, parsed, dict(meta.get("value_probs") or {})

    def _foreign(self, runnable: Runnable, msgs: list) -> Any:
        """Another chat model's call: whatever it raises (its client's errors) is one ModelUnavailable."""
        try:
            return runnable.invoke(msgs)
        except Exception as exc:
            text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelUnavailable(f"LLM {self.llm_name} failed: {type(exc).__name__}: {text}") from exc

    @property
    def llm_name(self) -> str:
        """The model's name: ours carry one; another chat model is named by its class and model."""
        named = getattr(self.llm, "name", None)
        if named:
            return str(named)
        model = getattr(self.llm, "model_name", None) or getattr(self.llm, "model", None)
        return type(self.llm).__name__ + (f":{model}" if isinstance(model, str) else "")

    def answer(self, template: str, schema: dict, **values: str) -> tuple[dict | None, dict[str, float]]:
        """Prompt -> JSON within the schema (one retry) and the model's probability of each enum value;
        (None, {}) when both answers are malformed. Raises ModelUnavailable when the model fails."""
        prompt = render(template, self.lean, **values)
        key = self.memory.key(prompt, schema) if self.memory is not None else None
        for attempt in range(2):
            t0 = time.perf_counter()
            got = self.memory.get(key) if self.memory is not None and key is not None and attempt == 0 else None
            raw, data, probs = got if got is not None else self._call(prompt, schema)
            ms = (time.perf_counter() - t0) * 1000
            ok = isinstance(data, dict) and all(k in data for k in schema.get("required", []))
            if ok:
                for k, spec in schema.get("properties", {}).items():
                    if "enum" in spec and data.get(k) not in spec["enum"]:
                        ok = False
            call = {"template": template, "attempt": attempt, "ms": round(ms, 1), "raw": raw[:200], "ok": ok}
            self.calls.append(call | ({"memory": True} if got is not None else {}))
            if ok:
                if got is None and self.memory is not None and key is not None:
                    self.memory.put(key, raw, data, probs)
                return data, probs
        return None, {}

    def warm(self) -> None:
        """Load the model's weights now, where it loads lazily (the studio, before the first request)."""
        load = getattr(self.llm, "load", None)
        if callable(load):
            load()

    def ask(self, template: str, schema: dict, **values: str) -> dict | None:
        """Prompt -> JSON within the schema, one retry; None when both answers are malformed."""
        return self.answer(template, schema, **values)[0]

    # -- when the model is gone --------------------------------------------------------------------

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: ModelUnavailable) -> str:
        """Fallback mode: the rules decide for a while, and the user is told why. Else: fail the run."""
        if not self.fallback:
            raise exc
        self._down_until = time.monotonic() + self.retry_after_s
        self.note = f"{exc}; the agents decided by rules"
        return str(exc)

    def _guarded(self, template: str, schema: dict, **values: str) -> tuple[dict | None, dict[str, float], str | None]:
        """(data, probs, why the model was not used) — `why` is set only in fallback mode."""
        if not self._available():
            return None, {}, self.note or "LLM unavailable"
        try:
            data, probs = self.answer(template, schema, **values)
        except ModelUnavailable as exc:
            return None, {}, self._failed(exc)
        if self.fallback and self.note:  # it answers again
            self.note = None
        return data, probs, None

    # -- the Brain capabilities ----------------------------------------------------------------------

    def read_request(self, prompt: str) -> Reading:
        from sonicgrid.agents.intake import INTAKE_SCHEMA

        data, probs, down = self._guarded("intake", INTAKE_SCHEMA, request=prompt)
        if down:
            return Reading(None, {}, "llm-fallback", f"LLM unavailable ({down})")
        return Reading(data, probs, "llm" if data else "llm-fallback")

    def choose(self, j: Judgment) -> Choice:
        schema = {"type": "object", "properties": {"choice": {"enum": list(j.allowed)}}, "required": ["choice"]}
        data, probs, down = self._guarded(j.agent, schema, facts=facts(j.words), allowed=", ".join(j.allowed))
        rules_choice, rules_conf, rules_reason = j.rules()
        if data is None:
            why = f"LLM unavailable ({down})" if down else "LLM answer malformed twice"
            return Choice(rules_choice, rules_conf, f"{why}; rules: {rules_reason}", "llm-fallback")
        choice = data["choice"]
        agrees = choice == rules_choice
        p = probs.get("choice")
        if p is None:  # a chat model that reports no probabilities: agreement with the rules is the signal
            conf, sure = (0.7 if agrees else 0.4), ""
        else:  # the model's own probability of this choice among the allowed ones
            conf, sure = p, f" (p={p:.2f})"
        if agrees:  # the evidence that decides this choice, with its numbers
            reason = f"LLM chose {choice}{sure}: {rules_reason}"
        else:
            reason = f"LLM chose {choice}{sure}, not the rules' {rules_choice}: {j.explain.get(choice, '')}; facts: {facts(j.words)}"
        evidence = {"llm": {"p": p, "rules_choice": rules_choice, "agrees": agrees}}
        return Choice(choice, conf, reason, "llm", evidence)
