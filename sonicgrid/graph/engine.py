"""The engine: one Settings' services (tool registry, clip library, brain) and its compiled graph.

A process that serves many requests (chat, the studio, the evals) holds an Engine and passes it to
`make`; the CLI's one-shot commands take the process's shared engine for their settings. Nothing
else keeps services or graphs: there are no module caches to poke."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from sonicgrid.config import Settings
from sonicgrid.graph.services import Services


class Engine:
    _shared: ClassVar[dict[str, Engine]] = {}

    def __init__(self, settings: Settings, services: Services | None = None) -> None:
        self.settings = settings
        self.services = services or Services(settings)

    @cached_property
    def graph(self) -> Any:
        """The run graph, compiled once, checkpointed to this engine's store."""
        from sonicgrid.graph.build import build_graph
        from sonicgrid.graph.checkpoint import saver_for

        return build_graph(self.services, checkpointer=saver_for(self.settings))

    @classmethod
    def shared(cls, settings: Settings) -> Engine:
        """The process's engine for these settings (built on first use): one warm brain and library
        per distinct configuration, however many requests a process serves."""
        key = settings.model_dump_json()
        if key not in cls._shared:
            cls._shared[key] = cls(settings)
        return cls._shared[key]

    @classmethod
    def of(cls, target: Settings | Engine) -> Engine:
        return target if isinstance(target, Engine) else cls.shared(target)
