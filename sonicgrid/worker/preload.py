"""What the warm worker holds (server.py), and how it knows that what it holds is out of date.

Preloaded: the third-party packages (LangGraph, Chroma, numpy, pydantic, Typer, Rich ...: ~3 s of a cold
start), SonicGrid's internal modules and the weights that depend on nothing but the package (MiniLM, musicnn,
the critic's trees). Not preloaded: `sonicgrid.cli` and `sonicgrid.commands` (their Rich consoles look at the
terminal when they are made, so each command makes its own), anything that reads the environment or opens
the library, and onnxruntime (its import starts a thread that a fork does not copy). `stamp()` changes when
SonicGrid's files or the installed packages do: the worker then steps aside.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import site

PRELOAD = (
    "numpy",
    "soundfile",
    "pydantic",
    "pydantic_settings",
    "yaml",
    "typer",
    "rich.console",
    "rich.progress",
    "rich.table",
    "chromadb",
    "chromadb.api.client",
    "langgraph.graph",
    "langgraph.types",
    "langgraph.checkpoint.sqlite",
    "langchain_core.messages",
    "langchain_core.language_models",
    "llama_cpp",
    "mido",
    "pretty_midi",
    "pedalboard",
    "tinysoundfont",
    "threadpoolctl",
)
SONICGRID_MODULES = (
    "sonicgrid.config",
    "sonicgrid.graph.run",
    "sonicgrid.graph.build",
    "sonicgrid.memory.library",
    "sonicgrid.memory.embed",
    "sonicgrid.tools.registry",
    "sonicgrid.tools.analysts.ears",
    "sonicgrid.tools.analysts.critic",
    "sonicgrid.tools.enhancers.master",
    "sonicgrid.llm.brain",
    "sonicgrid.llm.local",
    "sonicgrid.graph.arrange",
    "sonicgrid.graph.checkpoint",
    "sonicgrid.graph.finish_grid",
    "sonicgrid.memory.continuity",
    "sonicgrid.memory.mixes",
    "sonicgrid.tools.generators.soundfont",
    "sonicgrid.tools.generators.painter",
    "sonicgrid.tools.enhancers.music",
    "sonicgrid.tools.analysts.combined",
    "sonicgrid.tools.real_models",
)
# Never preloaded: huggingface_hub (it reads HF_HUB_OFFLINE once, at import: the caller's setting must
# count) and onnxruntime (its import starts a thread that a fork does not copy).
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def preload() -> list[str]:
    """Import the heavy modules and load the package-only weights; the names that failed (the commands
    import or load them again, and say what is missing)."""
    missing = []
    for name in PRELOAD + SONICGRID_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            missing.append(name)
    return missing + warm()


def warm() -> list[str]:
    """Load the package-only weights once (each command's fork shares them)."""
    failed = []
    steps = (
        ("MiniLM", "sonicgrid.memory.embed", lambda m: m._model()),
        (
            "musicnn",
            "sonicgrid.tools.analysts.musicnn_net",
            lambda m: [m.load_model(n) for n in ("MTT_musicnn", "MSD_musicnn")],
        ),
        ("critic", "sonicgrid.tools.analysts.critic", lambda m: m.weights()),
        ("mood heads", "sonicgrid.tools.analysts.moodmap", lambda m: m.heads()),
    )
    for label, module, step in steps:
        try:
            step(importlib.import_module(module))
        except Exception:
            failed.append(label)
    return failed


def code_stamp() -> int:
    """A digest of (path, mtime, size) of SonicGrid's own files: an edit, a checkout or a reinstall changes it."""
    seen = []
    stack = [PACKAGE]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif e.name.endswith((".py", ".json", ".yaml", ".txt", ".md")):
                    st = e.stat()
                    seen.append((e.path, st.st_mtime_ns, st.st_size))
    return hash(tuple(sorted(seen)))


def site_stamp() -> tuple:
    """The installed packages, as the mtimes of the site-packages folders (pip changes them)."""
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    out = []
    for d in dirs:
        with contextlib.suppress(OSError):
            out.append((d, os.stat(d).st_mtime_ns))
    return tuple(out)


def stamp() -> tuple:
    """The installed packages and SonicGrid's files, as the worker compares them before every command."""
    return site_stamp(), code_stamp()
