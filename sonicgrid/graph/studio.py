"""The graph LangGraph Studio opens (`langgraph dev`, see langgraph.json): the same wiring as
`sonicgrid make`, with default Services and no checkpointer (the server brings its own)."""

from __future__ import annotations

from sonicgrid.config import Settings
from sonicgrid.graph.build import build_graph
from sonicgrid.graph.services import Services

graph = build_graph(Services(Settings()))
