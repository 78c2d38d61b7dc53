"""The chat thread LangGraph Studio opens (`langgraph dev`, see langgraph.json): its conversation is
the `messages` channel, so Studio's chat view shows it and can send to it; clips go to the default
output directory, with default Settings and no checkpointer (the server brings its own)."""

from __future__ import annotations

from pathlib import Path

from sonicgrid.config import Settings
from sonicgrid.session.thread import ChatContext, build_session_graph

_settings = Settings()
graph = build_session_graph(ChatContext(_settings, Path(_settings.out_dir)))
