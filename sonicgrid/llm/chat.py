"""Our completion models (llama.cpp in process, an OpenAI-compatible completions server) as
langchain-core chat models, so that LangChain tools, LangGraph Studio and the brain see one interface.

They are completion judges: the messages are joined as plain text (the agents' prompts are raw
completions the judge adapter was trained on, not chat-template turns). A bound `json_schema`
(`with_structured_output(schema)` or `.bind(json_schema=...)`) constrains the answer to the schema;
an object of enum fields is decoded value by value, and the model's probability of each value it
chose comes back in `response_metadata["value_probs"]`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict


@dataclass
class Answer:
    """A JSON answer and, per enum field, the model's probability of the value it chose (when known)."""

    text: str
    probs: dict[str, float] = field(default_factory=dict)


def prompt_text(messages: list[BaseMessage]) -> str:
    """The completion prompt: the messages' text, joined (a single message is sent verbatim)."""
    return "\n".join(m.text if hasattr(m, "text") and not callable(m.text) else str(m.content) for m in messages)


class JSONChatModel(BaseChatModel):
    """Base of our own models: subclasses implement `answer_json` and `complete_text`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def answer_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> Answer:  # pragma: no cover
        raise NotImplementedError

    def complete_text(self, prompt: str, stop: list[str] | None, max_tokens: int) -> str:  # pragma: no cover
        raise NotImplementedError

    def complete_json(self, prompt: str, schema: dict, max_tokens: int = 64) -> str:
        """The JSON text only (the shape every judge has had)."""
        return self.answer_json(prompt, schema, max_tokens).text

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = prompt_text(messages)
        meta: dict[str, Any] = {"model_name": self.name}
        schema = kwargs.get("json_schema")
        if schema is not None:
            answer = self.answer_json(prompt, schema, int(kwargs.get("max_tokens", 64)))
            text, meta["value_probs"] = answer.text, answer.probs
        else:
            text = self.complete_text(prompt, stop, int(kwargs.get("max_tokens", 256)))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=meta))])

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.name}

    def with_structured_output(self, schema: dict | type, *, include_raw: bool = False, **kwargs: Any) -> Runnable:
        """Answers inside a JSON schema (a dict, or a pydantic model class), decoded under its grammar."""
        as_model = isinstance(schema, type)
        json_schema = schema.model_json_schema() if as_model else schema  # type: ignore[union-attr]
        bound = self.bind(json_schema=json_schema)

        def parse(msg: AIMessage) -> Any:
            parsed, error = None, None
            try:
                parsed = json.loads(str(msg.content))
                if as_model:
                    parsed = schema.model_validate(parsed)  # type: ignore[union-attr]
            except Exception as exc:
                if not include_raw:
                    raise
                error = exc
            return {"raw": msg, "parsed": parsed, "parsing_error": error} if include_raw else parsed

        return bound | RunnableLambda(parse)
