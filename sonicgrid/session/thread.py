"""The conversation as a LangGraph thread: one checkpointed thread per session id.

route -> produce | explain | describe | social | compare | command; produce -> approve (interrupt: --approve) -> approve ... -> END.
The session's memory is the thread's state: the conversation as langchain-core messages, the clip
records on the replies (session/messages.py), so `--session ID` resumes it, LangGraph Studio shows it,
and /undo is an ordinary state update.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from rich.markup import escape

from sonicgrid.config import Settings
from sonicgrid.session import pick, remix, replies, slash, turn_kind
from sonicgrid.session.followup import request_for, said_plainly, without_interjection
from sonicgrid.session.messages import forget_last, last_human, last_ok, reply, said, turns_of


class SessionState(TypedDict, total=False):
    session: str
    input: str
    route: str
    messages: Annotated[list[AnyMessage], add_messages]  # the conversation; clip records ride on replies
    turns: list[dict]  # sessions stored before messages: their turn records (see session/messages.py)
    pending: dict | None  # a run waiting for the user's approval
    heard: str  # id of the last user message routed (a chat UI's new message is one not heard yet)
    reply: str


@dataclass
class ChatContext:
    settings: Settings
    out: Path
    seed: int = 0
    project: str | None = None
    say: Callable[[str], None] = field(default=lambda _msg: None)
    on_event: Callable[[str, dict], None] | None = None  # the graph's node updates, live (the studio)


def build_session_graph(ctx: ChatContext, checkpointer=None):
    from sonicgrid.graph.run import make, resume

    def route(state: SessionState) -> dict:
        msgs = state.get("messages") or []
        last = msgs[-1] if msgs else None
        if isinstance(last, HumanMessage) and last.id != state.get("heard"):  # a chat UI sent a message
            typed, new = last_human(msgs), []
            heard = str(last.id)
        else:  # `sonicgrid chat` sends `input`
            typed = state.get("input") or ""
            new = [said(typed)]
            heard = str(new[0].id)
        kind, typed = turn_kind.classify(typed.strip())
        return {"route": kind, "reply": "", "pending": None, "input": typed, "messages": new, "heard": heard}

    def produce(state: SessionState) -> dict:
        turns = turns_of(state)
        prev = last_ok(turns)
        chosen = _pick(state, turns, prev)
        if chosen is not None:
            return chosen
        if prev and prev.get("clip_id") and remix.asks_cleanup(state["input"]):
            text = replies.already_clean(prev, ctx.settings)
            return {"reply": text, "messages": [reply(text)], "pending": None}
        edit = _stem_edit(state, prev)
        if edit is not None:
            return edit
        last = None
        if prev and prev.get("brief"):  # the clip as made: an extension is longer than its brief's new part
            last = dict(prev["brief"], duration_s=prev.get("duration_s") or prev["brief"].get("duration_s"))
        request, notes = request_for(state["input"], last)
        if notes:
            ctx.say(f"[dim]reading it as: {escape(request)}[/]")
        history = [{"clip_id": t["clip_id"], "request": t["request"]} for t in turns if t.get("clip_id")]
        summary = make(
            request,
            ctx.settings,
            seed=ctx.seed + len(turns),
            out=ctx.out,
            project=ctx.project,
            session=state.get("session") or "studio",
            history=history,
            on_event=ctx.on_event,
        )
        return _settle(state, {"text": state["input"], "request": request, "notes": notes}, summary)

    def _pick(state: SessionState, turns: list[dict], prev: dict | None) -> dict | None:
        """ "I like the second one": that variation (or take) is the conversation's clip; "the second one but darker" then
        goes on from it."""
        said_pick = pick.said(state["input"]) if prev and prev.get("clip_id") else None
        if prev is None or said_pick is None:
            return None
        n, number = said_pick[0], len(turns) + 1
        vs = pick.variations(prev)  # the last run's sidecar, read once for the pick
        record = pick.picked(prev, n, state["input"], number, vs)
        if record is None and len(vs) < 2:  # takes made one by one: the request's nth
            record = pick.earlier(turns, n, state["input"], number)
        if record is None:  # nothing of that number: say so, make nothing
            clips = len(pick.takes(turns)[0])
            if pick.next_take(state["input"], n, clips, len(vs)):  # "take 2" after one take: another take of it
                return produce({**state, "input": "try again"})
            text = pick.none_such(prev, n, clips, len(vs))
            return {"messages": [reply(text)], "pending": None, "reply": text}
        text = pick.reply(record)
        msg = reply(text, record)
        if not said_pick[1]:
            return {"messages": [msg], "pending": None, "reply": text}
        ctx.say(escape(text))
        after = produce({**state, "input": said_pick[1], "messages": [*(state.get("messages") or []), msg]})
        return after | {"messages": [msg, *after.get("messages", [])]}

    def _stem_edit(state: SessionState, prev: dict | None) -> dict | None:
        """ "drums louder", "mute the pad": re-mix the last clip's stems instead of making a new one."""
        folder = Path(prev["clip_dir"]) if prev and prev.get("clip_dir") else None
        if prev is None or folder is None or not (folder / "clip.json").is_file():
            return None
        try:
            # the conversation's own mix: the re-mix it is on, else the original (one undone is not built on)
            base = Path(prev["path"]).with_suffix(".json") if prev.get("remix") else folder / "clip.json"
            _, recipe, _, _ = remix.current(folder, base)
        except Exception:  # no stems: a new clip is made instead
            return None
        text = said_plainly(without_interjection(state["input"]))  # "nice but the drums are too loud": quieter drums
        layers = {s["layer"] for s in recipe}
        never = remix.absent(text, layers)
        if never:  # nothing to take out: say so, make nothing
            said_back = replies.nothing_to_remove(prev, never, layers)
            return {"messages": [reply(said_back)], "pending": None, "reply": said_back}
        if not remix.is_edit(text, layers):
            return None
        res = remix.remix(folder, text, ctx.settings, base)
        typed = state["input"]  # the history shows what was typed, not the words it was read as
        record = replies.remix_record(
            {"text": typed, "request": typed, "notes": []}, prev, res, len(turns_of(state)) + 1
        )
        said_back = replies.remixed(record, res)  # the record rides on the reply, like a made clip's
        return {"messages": [reply(said_back, record)], "pending": None, "reply": said_back}

    def approve(state: SessionState) -> dict:
        pending = state.get("pending") or {}
        answer = interrupt(
            {
                "question": "; ".join(i["question"] for i in pending["interrupts"]) + " [y/n]",
                "run_id": pending["run_id"],
            }
        )
        summary = resume(
            pending["run_id"], answer, ctx.settings, on_event=ctx.on_event, prior_wall_s=pending.get("wall_s", 0.0)
        )
        update = _settle(state, pending["turn"], summary)
        asked = [reply("; ".join(i["question"] for i in pending["interrupts"])), said(str(answer))]
        return update | {"messages": asked + update.get("messages", [])}

    def _settle(state: SessionState, turn: dict, summary: dict) -> dict:
        if summary["result"].get("status") == "awaiting_approval":
            return {
                "pending": {
                    "run_id": summary["run_id"],
                    "interrupts": summary["interrupts"],
                    "turn": turn,
                    "wall_s": summary.get("wall_s", 0.0),
                }
            }
        record = replies.turn_record(turn, summary, len(turns_of(state)) + 1)
        text = replies.made(record)
        return {"messages": [reply(text, record)], "pending": None, "reply": text}

    def explain(state: SessionState) -> dict:
        turns = turns_of(state)
        text = replies.explain(turns[-1] if turns else None, ctx.settings)
        return {"reply": text, "messages": [reply(text)]}

    def describe(state: SessionState) -> dict:
        text = replies.describe(last_ok(turns_of(state)))
        return {"reply": text, "messages": [reply(text)]}

    def compare(state: SessionState) -> dict:
        text = replies.compare(turns_of(state))
        return {"reply": text, "messages": [reply(text)]}

    def social(state: SessionState) -> dict:
        text = replies.social(state["input"], last_ok(turns_of(state)), turn_kind.goodbye(state["input"]))
        return {"reply": text, "messages": [reply(text)]}

    def command(state: SessionState) -> dict:
        update = slash.run(state["input"].strip(), turns_of(state), ctx)
        if update.pop("forget", False):
            update |= forget_last(state)
        return update | {"messages": [*update.get("messages", []), reply(update.get("reply", ""))]}

    g = StateGraph(SessionState)
    for name, fn in (
        ("route", route),
        ("produce", produce),
        ("approve", approve),
        ("explain", explain),
        ("describe", describe),
        ("social", social),
        ("compare", compare),
        ("command", command),
    ):
        g.add_node(name, fn)
    g.add_edge(START, "route")
    g.add_conditional_edges(
        "route",
        lambda s: s["route"],
        {
            "produce": "produce",
            "explain": "explain",
            "describe": "describe",
            "social": "social",
            "compare": "compare",
            "command": "command",
        },
    )
    waiting: dict[Hashable, str] = {"ask": "approve", "done": END}
    g.add_conditional_edges("produce", lambda s: "ask" if s.get("pending") else "done", waiting)
    g.add_conditional_edges("approve", lambda s: "ask" if s.get("pending") else "done", waiting)
    g.add_edge("explain", END)
    g.add_edge("describe", END)
    g.add_edge("social", END)
    g.add_edge("compare", END)
    g.add_edge("command", END)
    return g.compile(checkpointer=checkpointer)
