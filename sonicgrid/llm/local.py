"""A local LLM that answers inside a JSON schema: llama.cpp grammars, or a server's json_schema."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from sonicgrid.errors import ModelUnavailable

_CACHE: dict[tuple, LocalLLM] = {}
_CACHE_LOCK = threading.Lock()


def enum_scaffold(schema: dict) -> tuple[str, str] | None:
    """Fast path for objects of enum fields, in one grammar (for servers): the fixed JSON head goes
    into the prompt and the grammar admits only the enum values and the scaffolding between them,
    so prompt head + completion is JSON in the schema."""
    fields = enum_fields(schema)
    if fields is None:
        return None
    head = "{" + json.dumps(fields[0][0]) + ': "'
    rules = []
    for i, (_, values) in enumerate(fields):
        alts = " | ".join(json.dumps(str(e)) for e in values)
        tail = '"}' if i == len(fields) - 1 else '", ' + json.dumps(fields[i + 1][0]) + ': "'
        rules.append(f"f{i} ::= ({alts}) {json.dumps(tail)}")
    return head, "root ::= " + " ".join(f"f{i}" for i in range(len(fields))) + "\n" + "\n".join(rules)


def enum_fields(schema: dict) -> list[tuple[str, list]] | None:
    """[(field, allowed values)] when the schema is an object of enum fields, else None."""
    props = schema.get("properties", {})
    if not props or not all("enum" in v for v in props.values()):
        return None
    return [(name, list(spec["enum"])) for name, spec in props.items()]


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
    requests and kept rising. We never read past logits (no logprobs, logits_all=False) and a restored
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


class LocalLLM:
    """llama-cpp-python model; one load per process per (path, lora)."""

    def __init__(self, path: Path, lora: Path | None = None, threads: int = 2, n_ctx: int = 1024):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelUnavailable("llama-cpp-python is not installed (make install builds it)") from exc
        _silence_llama_logs()
        t0 = time.perf_counter()
        kwargs: dict[str, Any] = dict(
            model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False, seed=0
        )
        if lora is not None:
            kwargs["lora_path"] = str(lora)
        try:
            self.llm = Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load LLM {path}: {exc}") from exc
        try:  # per-template prompt prefixes are re-used across agents' calls
            self.llm.set_cache(_lean_ram_cache(256 << 20))
        except ImportError:  # pragma: no cover - older llama-cpp-python
            pass
        self.path, self.lora = Path(path), lora
        self.load_s = time.perf_counter() - t0
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        self.name = Path(path).name + (f"+{Path(lora).name}" if lora else "")

    @classmethod
    def shared(cls, path: Path, lora: Path | None = None, threads: int = 2) -> LocalLLM:
        key = (str(path), str(lora), threads)
        with _CACHE_LOCK:
            if key not in _CACHE:
                _CACHE[key] = cls(path, lora, threads)
            return _CACHE[key]

    def _grammar(self, schema: dict):
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def complete_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> str:
        """Completion constrained to the schema's grammar (may still be cut short)."""
        fields = enum_fields(schema)
        if fields is not None:
            # One field at a time: the model decodes only each value and its closing quote; the
            # scaffolding between fields goes in with the prompt (one batched evaluation on top of
            # the cached prefix) instead of one grammar-forced decode step per token.
            text = "{"
            for i, (name, values) in enumerate(fields):
                text += ("" if i == 0 else ", ") + json.dumps(name) + ': "'
                free = self._free(prompt + text, [str(v) for v in values])
                if free is not None:
                    text += free + '"'
                else:
                    alts = " | ".join(json.dumps(str(v)) for v in values)
                    text += self._run(prompt + text, f'root ::= ({alts}) "\\""', max_tokens)
            return text + "}"
        return self._run(prompt, self._grammar(schema), max_tokens)

    def _free(self, prompt: str, values: list[str]) -> str | None:
        """Greedy decoding without a grammar, accepted only when it spells an allowed value exactly.

        Then every token it chose was the most likely token overall, so also the most likely
        token the grammar allows: the answer is the one the grammar would give, about 3x faster
        (llama.cpp's grammar sampler walks Gemma's 262k-token vocabulary at every step). Anything
        else returns None and the caller decodes under the grammar."""
        longest = max(len(self.llm.tokenize(v.encode(), add_bos=False, special=False)) for v in values)
        with self._lock:
            out = self.llm.create_completion(
                prompt, max_tokens=longest + 1, temperature=0.0, top_k=1, seed=0, stop=['"']
            )
        text = out["choices"][0]["text"]
        return text if text in values else None

    def _run(self, prompt: str, grammar, max_tokens: int) -> str:
        from llama_cpp import LlamaGrammar

        if isinstance(grammar, str):
            if grammar not in self._grammars:
                self._grammars[grammar] = LlamaGrammar.from_string(grammar, verbose=False)
            grammar = self._grammars[grammar]
        with self._lock:
            out = self.llm.create_completion(
                prompt, grammar=grammar, max_tokens=max_tokens, temperature=0.0, top_k=1, seed=0
            )
        return out["choices"][0]["text"]


class ServerLLM:
    """Any OpenAI-compatible server (llama.cpp server, vLLM): completions with a json_schema."""

    def __init__(self, base_url: str, model: str = "default", timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.model, self.timeout = model, timeout
        self.name = f"server:{self.base_url}"
        self.load_s = 0.0

    def complete_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> str:
        """POST /v1/completions with a GBNF grammar (llama.cpp servers) and the JSON schema
        (servers that take json_schema / response_format, e.g. llama.cpp's native server, vLLM)."""
        import httpx

        head, body = (
            "",
            {
                "model": self.model,
                "max_tokens": max_tokens,
                "temperature": 0,
                "json_schema": schema,
                "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": schema}},
            },
        )
        scaffold = enum_scaffold(schema)
        if scaffold is not None:
            head, body["grammar"] = scaffold
        body["prompt"] = prompt + head
        try:
            r = httpx.post(f"{self.base_url}/v1/completions", json=body, timeout=self.timeout)
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"LLM server {self.base_url} failed: {exc}") from exc
        return head + r.json()["choices"][0]["text"]
