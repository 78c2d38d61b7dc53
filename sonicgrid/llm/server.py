"""Any OpenAI-compatible completions server (llama.cpp's server, vLLM) as a langchain-core chat model:
a GBNF grammar / json_schema keeps answers inside the schema, every call has an overall deadline."""

from __future__ import annotations

from typing import Any

from sonicgrid.errors import ModelUnavailable
from sonicgrid.llm.chat import Answer, JSONChatModel
from sonicgrid.llm.deadline import run_async
from sonicgrid.llm.enums import enum_fields, enum_scaffold, value_confidence


class ServerLLM(JSONChatModel):
    """POST /v1/completions; `timeout` is the overall deadline of one call, in seconds; `logprobs`:
    alternatives per token the server reports, for the confidence (0: none asked, no confidence)."""

    base_url: str
    model: str = "default"
    timeout: float = 30.0
    logprobs: int = 5
    load_s: float = 0.0

    def __init__(self, base_url: str, model: str = "default", timeout: float = 30.0, **kw: Any):
        base = base_url.rstrip("/")
        fields: dict[str, Any] = {"base_url": base, "model": model, "timeout": timeout, "name": f"server:{base}"}
        super().__init__(**fields, **kw)

    @property
    def _llm_type(self) -> str:
        return "sonicgrid-openai-completions"

    def answer_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> Answer:
        """A grammar (llama.cpp servers) and the JSON schema (servers that take json_schema /
        response_format, e.g. vLLM); for an object of enum fields, the fixed JSON head goes into the
        prompt and each value's probability comes from the tokens' logprobs."""
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "temperature": 0,
            "json_schema": schema,
            "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": schema}},
        }
        head = ""
        scaffold = enum_scaffold(schema)
        if scaffold is not None:
            head, body["grammar"] = scaffold
            if self.logprobs > 0:
                body["logprobs"] = self.logprobs
        body["prompt"] = prompt + head
        choice = self._post(body)
        text = head + choice["text"]
        return Answer(text, _probs(schema, choice.get("logprobs"), head) if scaffold else {})

    def complete_text(self, prompt: str, stop: list[str] | None, max_tokens: int) -> str:
        body = {"model": self.model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "stop": stop}
        return self._post(body)["text"]

    def _post(self, body: dict) -> dict:
        import httpx

        url = f"{self.base_url}/v1/completions"

        async def call() -> dict:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                r = await client.post(url, json=body)
                r.raise_for_status()
                return r.json()["choices"][0]

        try:
            return run_async(call, self.timeout, f"LLM server {self.base_url}")
        except ModelUnavailable:
            raise
        except httpx.HTTPStatusError as exc:
            raise ModelUnavailable(f"LLM server {self.base_url} failed: HTTP {exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"LLM server {self.base_url} failed: {type(exc).__name__} {exc}".strip()) from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:  # not JSON, or not a completion
            raise ModelUnavailable(f"LLM server {self.base_url} sent an answer that is not a completion") from exc


def _probs(schema: dict, logprobs: dict | None, head: str) -> dict[str, float]:
    """Per enum field, the probability of its value from the server's per-token alternatives."""
    fields = enum_fields(schema) or []
    if not logprobs or not logprobs.get("tokens") or not logprobs.get("top_logprobs"):
        return {}
    tokens, tops = list(logprobs["tokens"]), list(logprobs["top_logprobs"])
    text = head + "".join(tokens)
    out: dict[str, float] = {}
    pos = len(head)  # where the current field's value starts in `text`
    tok_start = len(head)
    starts = []  # each token's offset in text
    for t in tokens:
        starts.append(tok_start)
        tok_start += len(t)
    for i, (name, values) in enumerate(fields):
        if i > 0:
            marker = '"' + name + '": "'
            found = text.find(marker, pos)
            if found < 0:
                break
            pos = found + len(marker)
        first = next((k for k, s in enumerate(starts) if s + len(tokens[k]) > pos), None)
        if first is None or starts[first] != pos:  # a token straddles the opening quote: no clean path
            break
        end = text.find('"', pos)
        value = text[pos:end] if end >= 0 else text[pos:]
        steps = [dict(t or {}) for t in tops[first:]]
        p = value_confidence(steps, value, [str(v) for v in values], taken=tokens[first:])
        if p is not None:
            out[name] = round(p, 4)
        pos = end + 1 if end >= 0 else len(text)
    return out
