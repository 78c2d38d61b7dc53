"""A fast start: what each path imports (subprocesses, so nothing else has loaded it first).
Times are in benchmarks/bench_cli.py; these check the causes: embedding a prompt loads no torch,
`--help` loads no pydantic/langgraph/chromadb, and a rules `make` that the library serves loads no
torch, transformers or llama.cpp."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("torch", "transformers", "sentence_transformers", "llama_cpp")


def _modules(code: str, env: dict | None = None) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        env=dict(os.environ, **(env or {})),
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return set(json.loads(r.stdout.strip().splitlines()[-1]))


def test_embedding_a_prompt_loads_no_torch():
    mods = _modules("from sonicgrid.memory.embed import embed_text\nassert len(embed_text('a moody intro')) == 384")
    assert not {m for m in mods if m.split(".")[0] in HEAVY}


def test_help_loads_only_the_cli():
    code = (
        "import sys\nsys.argv = ['sonicgrid', '--help']\nfrom sonicgrid.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    mods = _modules(code)
    for heavy in ("pydantic", "langgraph", "chromadb", "numpy", "torch", "scipy"):
        assert heavy not in mods, heavy


def test_a_rules_make_served_by_the_library_loads_no_torch_or_llm(tmp_path):
    """A cold process whose request the library serves: the clip was made (and heard by the pretrained
    ears) by an earlier process; this one reuses it (re-mixing the reused stems, which the ears hear again in
    finish) without loading torch or an LLM."""
    env = {
        "SONICGRID_DATA_DIR": str(tmp_path / "data"),
        "SONICGRID_OUT_DIR": str(tmp_path / "out"),
        "SONICGRID_BRAIN": "rules",
    }
    code = (
        "import sys\nfrom sonicgrid.cli import app\n"
        "sys.argv = ['sonicgrid', 'make', 'make a moody intro', '--json']\n"
        "try:\n    app()\nexcept SystemExit as e:\n    assert not e.code, e.code"
    )
    _modules(code, env)  # the first process makes the clip
    served = _modules(code, env)  # a fresh process: the library serves it
    assert not {m for m in served if m.split(".")[0] in HEAVY}
