"""The studio's sessions: one chat session (sonicgrid.session.chat.Chat) per browser tab, all in
one warm process; a turn runs in a worker thread and its events go to every listener of that session.

A session's conversation lives in the session checkpointer (SQLite under the data dir, or
Postgres with SONICGRID_CHECKPOINT_URL), so a tab that reloads, or a server that restarts, finds it
again by id. Events of the turn in flight are also kept in memory, so a tab that reconnects while
a run is going replays them.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.studio import views

SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Listener:
    """One SSE connection: an asyncio queue fed from worker threads."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: asyncio.Queue = asyncio.Queue()

    def put(self, event: dict) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)


class StudioSession:
    def __init__(self, hub: StudioHub, session_id: str):
        from sonicgrid.session.chat import Chat
        from sonicgrid.session.thread import ChatContext

        self.hub = hub
        self.id = session_id
        self.listeners: list[Listener] = []
        self.live: list[dict] = []  # events of the turn in flight (replayed to a tab that reconnects)
        self.busy = False
        self._lock = threading.Lock()
        ctx = ChatContext(
            hub.settings,
            hub.out_dir,
            seed=hub.seed,
            project=hub.project,
            say=self._note,
            on_event=self._on_graph_event,
        )
        self.chat = Chat(ctx, session_id)

    # -- what a tab sees ------------------------------------------------------------------------
    def view(self) -> dict:
        return {
            "id": self.id,
            "turns": [views.turn_view(t, self.hub.settings) for t in self.chat.turns],
            "question": self.chat.question,
            "busy": self.busy,
            "live": list(self.live),
        }

    # -- events ---------------------------------------------------------------------------------
    def publish(self, event: dict) -> None:
        event = dict(event, session=self.id, t=time.time())
        with self._lock:
            if self.busy:
                self.live.append(event)
            targets = list(self.listeners)
        for lis in targets:
            lis.put(event)

    def _note(self, msg: str) -> None:
        """What the chat says on the side (e.g. how it read a follow-up), without its Rich markup."""
        from rich.text import Text

        self.publish({"type": "note", "text": Text.from_markup(str(msg)).plain})

    def _on_graph_event(self, node: str, update: dict) -> None:
        for ev in views.graph_events(node, update):
            self.publish(ev)

    # -- a turn -----------------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """Start a turn (a request, a slash command, or the answer to an approval question)."""
        text = (text or "").strip()
        if not text:
            raise UserError("say something first")
        with self._lock:
            if self.busy:
                raise UserError("this session is still working on the last request")
            self.busy = True
            self.live = []
        self.publish({"type": "user", "text": text, "answer": self.chat.question is not None})
        threading.Thread(target=self._run, args=(text,), daemon=True, name=f"studio-{self.id}").start()

    def _run(self, text: str) -> None:
        t0 = time.perf_counter()
        try:
            with self.hub.producer:  # one graph run at a time in this process (2 cores; one LLM)
                before = len(self.chat.turns)
                reply = self.chat.send(text)
                turns = self.chat.turns
            new = turns[-1] if len(turns) > before else None
            done: dict[str, Any] = {
                "type": "reply",
                "text": reply,
                "question": self.chat.question,
                "wall_s": time.perf_counter() - t0,
            }
            if new is not None:
                done["turn"] = views.turn_view(new, self.hub.settings)
        except UserError as exc:
            done = {"type": "failed", "text": str(exc)}
        except Exception as exc:  # a bad turn must not take the server down; say what happened
            done = {"type": "failed", "text": f"{type(exc).__name__}: {exc}"}
        with self._lock:
            self.busy = False
        self.publish(done)
        with self._lock:
            self.live = []


class StudioHub:
    """All sessions of one studio process, created on first use (or restored from the checkpointer)."""

    def __init__(self, settings: Settings, out_dir: Path, *, seed: int = 0, project: str | None = None):
        self.settings = settings
        self.out_dir = Path(out_dir)
        self.seed, self.project = seed, project
        self.producer = threading.Lock()
        self._sessions: dict[str, StudioSession] = {}
        self._lock = threading.Lock()

    def session(self, session_id: str | None = None) -> StudioSession:
        from sonicgrid.session.chat import new_session_id

        sid = session_id or new_session_id()
        if not SESSION_ID.match(sid):
            raise UserError(f"bad session id {sid!r}")
        with self._lock:
            if sid not in self._sessions:
                self._sessions[sid] = StudioSession(self, sid)
            return self._sessions[sid]

    def warm(self, say: Callable[[str], None] = lambda _m: None) -> None:
        """Load what the first request needs (brain, library, text embedder, graphs) before anyone asks."""
        from sonicgrid.graph.engine import Engine
        from sonicgrid.memory.embed import embed_text

        t0 = time.perf_counter()
        engine = Engine.shared(self.settings)  # the one every session's turns run on
        svc = engine.services
        _ = engine.graph
        _ = svc.library
        embed_text("warm up")
        warm = getattr(svc.brain, "warm", None)
        if callable(warm):  # the local judge loads its weights on the first question: load them now
            try:
                warm()
            except ModelUnavailable as exc:  # the first request says it (auto: the rules decide)
                say(f"LLM judge not loaded: {exc}")
        say(f"warm in {time.perf_counter() - t0:.1f}s (brain: {svc.brain.name})")
