"""A chat session: send a line, get a reply or a question (--approve); answer it; resume by id."""

from __future__ import annotations

import secrets
import time

from langgraph.types import Command

from sonicgrid.graph.checkpoint import saver_for
from sonicgrid.session.messages import turns_of
from sonicgrid.session.thread import ChatContext, build_session_graph


def new_session_id() -> str:
    return time.strftime("s%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class Chat:
    def __init__(self, ctx: ChatContext, session: str | None = None):
        self.ctx = ctx
        self.id = session or new_session_id()
        self.graph = build_session_graph(ctx, saver_for(ctx.settings, "sessions"))
        self.config = {"configurable": {"thread_id": f"chat:{self.id}"}, "recursion_limit": 100}
        self.question: str | None = None
        snap = self.graph.get_state(self.config)
        waiting = list(getattr(snap, "interrupts", ()) or ())
        if waiting:  # a session left while a question was open: ask it again
            self.question = waiting[0].value["question"]

    @property
    def turns(self) -> list[dict]:
        return turns_of(self.graph.get_state(self.config).values)

    def send(self, text: str) -> str:
        if self.question is not None:
            return self.answer(text)
        return self._settle(self.graph.invoke({"input": text, "session": self.id}, self.config))

    def answer(self, text: str) -> str:
        return self._settle(self.graph.invoke(Command(resume=text.strip()), self.config))

    def _settle(self, out: dict) -> str:
        pending = out.get("__interrupt__") or []
        if pending:
            self.question = pending[0].value["question"]
            return self.question
        self.question = None
        return out.get("reply", "")
