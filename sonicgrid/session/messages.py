"""A chat session's turns as langchain-core messages, so LangGraph Studio and LangChain tools show
the conversation: the user's line is a HumanMessage, each reply an AIMessage, and a produced clip's
record rides on its reply (`additional_kwargs["turn"]`). Sessions stored before this kept their
records in a `turns` list: they still load, their turns first."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, RemoveMessage

TURN = "turn"


def last_ok(turns: list[dict] | None) -> dict | None:
    """The session's last turn that made (or re-mixed, or picked) a clip: what a follow-up acts on."""
    return next((t for t in reversed(turns or []) if t.get("status") == "ok"), None)


def said(text: str) -> HumanMessage:
    return HumanMessage(content=text, id=f"u-{uuid.uuid4().hex[:12]}")


def reply(text: str, turn: dict | None = None) -> AIMessage:
    return AIMessage(content=text, id=f"a-{uuid.uuid4().hex[:12]}", additional_kwargs={TURN: turn} if turn else {})


def last_human(messages: Sequence[AnyMessage]) -> str:
    """The newest thing the user said, as text ("" if nothing)."""
    m = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    return "" if m is None else (m.content if isinstance(m.content, str) else str(m.text))


def turns_of(state: Mapping[str, Any]) -> list[dict]:
    """Every turn record, oldest first: an old-format session's `turns`, then those on the messages."""
    legacy = list(state.get("turns") or [])
    return legacy + [t for _, t in _turn_messages(state.get("messages") or [])]


def _turn_messages(messages: Sequence[AnyMessage]) -> list[tuple[str, dict]]:
    return [
        (str(m.id), m.additional_kwargs[TURN])
        for m in messages
        if isinstance(m, AIMessage) and isinstance(m.additional_kwargs.get(TURN), dict)
    ]


def forget_last(state: Mapping[str, Any]) -> dict:
    """The state update that drops the newest turn record (its reply message, or an old-format entry)."""
    carried = _turn_messages(state.get("messages") or [])
    if carried:
        return {"messages": [RemoveMessage(id=carried[-1][0])]}
    legacy = list(state.get("turns") or [])
    return {"turns": legacy[:-1]}
