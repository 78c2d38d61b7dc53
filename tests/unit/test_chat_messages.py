"""The chat thread keeps its conversation as langchain-core messages; an old-format session (turn
records in a `turns` list) still loads, lists and undoes."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from sonicgrid.config import Settings
from sonicgrid.errors import UserError
from sonicgrid.session.chat import Chat
from sonicgrid.session.messages import forget_last, reply, said, turns_of
from sonicgrid.session.thread import ChatContext


def _record(n: int, text: str) -> dict:
    return {"n": n, "text": text, "request": text, "status": "no_clip", "message": "nothing", "clip_id": None}


def test_turns_ride_on_reply_messages_after_old_format_ones():
    state = {"turns": [_record(1, "old one")], "messages": [said("new one"), reply("made it", _record(2, "new one"))]}
    assert [t["text"] for t in turns_of(state)] == ["old one", "new one"]
    drop = forget_last(state)["messages"][0]
    assert drop.id == state["messages"][1].id  # the reply that carries the newest record goes
    assert forget_last({"turns": [_record(1, "old one")]}) == {"turns": []}


def test_old_format_session_loads_lists_and_undoes(tmp_path: Path):
    s = Settings(data_dir=tmp_path / "data", out_dir=tmp_path / "out", brain="rules")
    ctx = ChatContext(s, Path(s.out_dir))
    old = Chat(ctx, "legacy")
    # a session stored by the previous version: no messages, its records in `turns`
    old.graph.update_state(
        old.config, {"session": "legacy", "turns": [_record(1, "a calm loop"), _record(2, "darker")]}
    )
    chat = Chat(ctx, "legacy")
    assert [t["text"] for t in chat.turns] == ["a calm loop", "darker"]
    assert "1. 'a calm loop'" in chat.send("/history")
    assert "undid turn 2" in chat.send("/undo")
    assert [t["text"] for t in Chat(ctx, "legacy").turns] == ["a calm loop"]
    msgs = chat.graph.get_state(chat.config).values["messages"]
    assert isinstance(msgs[0], HumanMessage) and msgs[0].content == "/history"
    assert isinstance(msgs[-1], AIMessage) and "undid turn 2" in msgs[-1].content


def test_a_chat_ui_can_talk_through_messages(tmp_path: Path):
    """LangGraph Studio's chat sends a HumanMessage, not `input`: the thread answers it the same."""
    from langgraph.checkpoint.memory import InMemorySaver

    from sonicgrid.session.thread import build_session_graph

    s = Settings(data_dir=tmp_path / "data", out_dir=tmp_path / "out", brain="rules")
    g = build_session_graph(ChatContext(s, Path(s.out_dir)), InMemorySaver())
    cfg = {"configurable": {"thread_id": "ui"}}
    out = g.invoke({"messages": [HumanMessage("/help")]}, cfg)
    assert [type(m) for m in out["messages"]] == [HumanMessage, AIMessage] and "/undo" in out["messages"][1].content
    out = g.invoke({"messages": [HumanMessage("/history")]}, cfg)
    assert out["messages"][-1].content == "no turns yet" and len(out["messages"]) == 4


def test_a_turn_that_failed_does_not_swallow_the_next_line(tmp_path: Path):
    """The user's line stays in the conversation when its run fails; the next line is what gets routed."""
    s = Settings(data_dir=tmp_path / "data", out_dir=tmp_path / "out", brain="rules")
    chat = Chat(ChatContext(s, Path(s.out_dir)), "failing")
    with pytest.raises(UserError, match="out of range"):
        chat.send("make a calm loop, 9999 seconds")
    assert chat.send("/history") == "no turns yet"
