"""The embedded judge: llama.cpp in process, as a langchain-core chat model answering inside a JSON schema."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import PrivateAttr

from sonicgrid.errors import ModelUnavailable
from sonicgrid.llm.chat import Answer, JSONChatModel
from sonicgrid.llm.enums import enum_fields, enum_scaffold, value_confidence
from sonicgrid.llm.server import ServerLLM

__all__ = ["LocalLLM", "ServerLLM", "enum_fields", "enum_scaffold"]

_CACHE: dict[tuple, LocalLLM] = {}
_CACHE_LOCK = threading.Lock()

_LOG_SINK = None


def _silence_llama_logs() -> None:
    """llama.cpp's own log lines (KV-cache notes, one line per LoRA tensor) would reach the user's
    terminal: this llama-cpp-python maps the new ggml log levels wrongly, so verbose=False does not
    hide warnings. Failures still surface, as exceptions from Llama()."""
    global _LOG_SINK
    if _LOG_SINK is None:
        import ctypes

        import llama_cpp

        @llama_cpp.llama_log_callback
        def sink(level, text, user_data):
            return None

        _LOG_SINK = sink  # keep a reference: llama.cpp holds only the C pointer
        llama_cpp.llama_log_set(sink, ctypes.c_void_p(0))


def _lean_ram_cache(capacity_bytes: int):
    """llama-cpp-python's prompt-state RAM cache, without its memory leak (issue 14).

    Each saved state carries a copy of the logits of every prompt position (`scores`: n_tokens x
    n_vocab float32 — with Gemma 3's 262k vocabulary about 1 MiB per token, 100-300 MiB per state), but
    LlamaRAMCache counts only the KV bytes against its capacity: the process grew by ~1 GiB over 150
    requests and kept rising. Past logits are never read from a saved state (logits_all=False; verdict confidence copies
    each decoded step's scores through its own logits processor, _Scores) and a restored
    state re-evaluates its last token before sampling, so only one row is kept: it broadcasts into
    `scores[:n_tokens]` on load exactly as before, and each state costs its KV bytes plus 1 MiB."""
    from llama_cpp import LlamaRAMCache

    class LeanRAMCache(LlamaRAMCache):
        @property
        def cache_size(self) -> int:  # every byte a state holds counts against the capacity
            return sum(
                s.llama_state_size
                + getattr(s.scores, "nbytes", 0)
                + getattr(getattr(s, "input_ids", None), "nbytes", 0)
                for s in self.cache_state.values()
            )

        def __setitem__(self, key, value) -> None:
            if getattr(value, "scores", None) is not None and len(value.scores) > 1:
                value.scores = value.scores[-1:].copy()
            super().__setitem__(key, value)

    return LeanRAMCache(capacity_bytes=capacity_bytes)


class _Scores:
    """A llama.cpp logits processor that keeps a copy of each decoding step's scores (it changes nothing)."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        self.rows.append(np.array(scores, dtype=np.float32, copy=True))
        return scores


class LocalLLM(JSONChatModel):
    """llama-cpp-python model; one load per process per (path, lora, threads)."""

    path: Path
    lora: Path | None = None
    threads: int = 2
    n_ctx: int = 1024
    load_s: float = 0.0
    _llm: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _load_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _grammars: dict[str, Any] = PrivateAttr(default_factory=dict)
    _pieces: dict[int, str] = PrivateAttr(default_factory=dict)
    _firsts: dict[tuple[str, ...], set[int]] = PrivateAttr(default_factory=dict)

    def __init__(self, path: Path, lora: Path | None = None, threads: int = 2, n_ctx: int = 1024, **kw: Any):
        name = Path(path).name + (f"+{Path(lora).name}" if lora else "")
        fields: dict[str, Any] = {"path": Path(path), "lora": lora, "threads": threads, "n_ctx": n_ctx, "name": name}
        super().__init__(**fields, **kw)
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelUnavailable("llama-cpp-python is not installed (make install builds it)")
        from sonicgrid.llm.threads import threads_for

        # n_threads: chosen here, once (llama.cpp threads spin: never more than the cores we may use)
        self.threads = threads_for(threads)  # the free cores, at most the requested count: no spinning
        # the weights load on the first question (_model): a run answered from memory never loads them

    def load(self) -> None:
        """Load the weights now (the studio warms up before the first request)."""
        self._model()

    def _model(self) -> Any:
        """The llama_cpp.Llama, loaded on first use (once per process per model: LocalLLM.shared)."""
        if self._llm is not None:
            return self._llm
        with self._load_lock:
            if self._llm is None:
                self._llm = self._load()
        return self._llm

    def _load(self) -> Any:
        from llama_cpp import Llama

        _silence_llama_logs()
        t0 = time.perf_counter()
        kwargs: dict[str, Any] = dict(
            model_path=str(self.path),
            n_ctx=self.n_ctx,
            n_threads=self.threads,
            n_threads_batch=self.threads,
            verbose=False,
            seed=0,
        )
        if self.lora is not None:
            kwargs["lora_path"] = str(self.lora)
        try:
            llm = Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load LLM {self.path}: {exc}") from exc
        try:  # per-template prompt prefixes are re-used across agents' calls
            llm.set_cache(_lean_ram_cache(256 << 20))
        except ImportError:  # pragma: no cover - older llama-cpp-python
            pass
        self.load_s = time.perf_counter() - t0
        return llm

    def identity(self) -> str:
        """What decides this model's answers (for the judge's memory): its files and its greedy decoding."""
        from sonicgrid.memory.keyed import file_stamp

        return f"local-greedy|{file_stamp(self.path, self.lora)}|ctx{self.n_ctx}"

    @property
    def _llm_type(self) -> str:
        return "sonicgrid-llama-cpp"

    @property
    def llm(self) -> Any:
        """The llama_cpp.Llama underneath (loads it)."""
        return self._model()

    @classmethod
    def shared(cls, path: Path, lora: Path | None = None, threads: int = 2) -> LocalLLM:
        key = (str(path), str(lora), threads)
        with _CACHE_LOCK:
            if key not in _CACHE:
                _CACHE[key] = cls(path, lora, threads)
            return _CACHE[key]

    def _grammar(self, schema: dict) -> Any:
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def answer_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> Answer:
        """Completion constrained to the schema's grammar (may still be cut short), with the model's
        probability of each enum value it chose."""
        fields = enum_fields(schema)
        if fields is None:
            return Answer(self._run(prompt, self._grammar(schema), max_tokens))
        # One field at a time: the model decodes only each value and its closing quote; the
        # scaffolding between fields goes in with the prompt (one batched evaluation on top of
        # the cached prefix) instead of one grammar-forced decode step per token.
        text, probs = "{", {}
        for i, (name, values) in enumerate(fields):
            text += ("" if i == 0 else ", ") + json.dumps(name) + ': "'
            allowed = [str(v) for v in values]
            scores = _Scores()
            value = self._free(prompt + text, allowed, scores)
            if value is None:
                scores = _Scores()
                alts = " | ".join(json.dumps(v) for v in allowed)
                value = self._run(prompt + text, f'root ::= ({alts}) "\\""', max_tokens, scores).removesuffix('"')
            p = value_confidence(self._steps(scores, allowed), value, allowed)
            if p is not None:
                probs[name] = round(p, 4)
            text += value + '"'
        return Answer(text + "}", probs)

    def complete_text(self, prompt: str, stop: list[str] | None, max_tokens: int) -> str:
        with self._lock:
            out = self._model().create_completion(
                prompt, max_tokens=max_tokens, temperature=0.0, top_k=1, seed=0, stop=stop
            )
        return out["choices"][0]["text"]

    def _free(self, prompt: str, values: list[str], scores: _Scores) -> str | None:
        """Greedy decoding without a grammar, accepted only when it spells an allowed value exactly.

        Then every token it chose was the most likely token overall, so also the most likely
        token the grammar allows: the answer is the one the grammar would give, about 3x faster
        (llama.cpp's grammar sampler walks Gemma's 262k-token vocabulary at every step). Anything
        else returns None and the caller decodes under the grammar."""
        from llama_cpp import LogitsProcessorList

        longest = max(len(self._model().tokenize(v.encode(), add_bos=False, special=False)) for v in values)
        with self._lock:
            out = self._model().create_completion(
                prompt,
                max_tokens=longest + 1,
                temperature=0.0,
                top_k=1,
                seed=0,
                stop=['"'],
                logits_processor=LogitsProcessorList([scores]),
            )
        text = out["choices"][0]["text"]
        return text if text in values else None

    def _run(self, prompt: str, grammar: Any, max_tokens: int, scores: _Scores | None = None) -> str:
        from llama_cpp import LlamaGrammar, LogitsProcessorList

        if isinstance(grammar, str):
            if grammar not in self._grammars:
                self._grammars[grammar] = LlamaGrammar.from_string(grammar, verbose=False)
            grammar = self._grammars[grammar]
        with self._lock:
            out = self._model().create_completion(
                prompt,
                grammar=grammar,
                max_tokens=max_tokens,
                temperature=0.0,
                top_k=1,
                seed=0,
                logits_processor=LogitsProcessorList([scores]) if scores is not None else None,
            )
        return out["choices"][0]["text"]

    def _piece(self, token: int) -> str:
        if token not in self._pieces:
            self._pieces[token] = self._model().detokenize([token]).decode("utf-8", errors="replace")
        return self._pieces[token]

    def _steps(self, scores: _Scores, values: list[str]) -> list[dict[str, float]]:
        """Each step's candidate tokens as text -> logit: the best-scored one, and the first token of
        every allowed value's remainder from each position (so no allowed value is missing from a step;
        a token that spells no allowed value does not count in the confidence anyway)."""
        key = tuple(values)
        if key not in self._firsts:
            self._firsts[key] = {
                ids[0]
                for v in values
                for k in range(len(v))
                if (ids := self._model().tokenize((v[k:] + '"').encode(), add_bos=False, special=False))
            }
        firsts = self._firsts[key]
        steps = []
        for row in scores.rows:
            ids = firsts | {int(np.argmax(row))}
            step: dict[str, float] = {}
            for t in ids:
                piece, logit = self._piece(int(t)), float(row[t])
                if piece not in step or step[piece] < logit:
                    step[piece] = logit
            steps.append(step)
        return steps
