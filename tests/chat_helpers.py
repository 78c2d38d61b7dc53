"""`sonicgrid chat` driven as a user types it, for the chat tests: scripted stdin, no TTY, the traces it left."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sonicgrid.cli import app


def _chat(tmp_path, lines, *args, env_extra=None):
    env = {"SONICGRID_DATA_DIR": str(tmp_path / "data")} | (env_extra or {})
    return CliRunner().invoke(
        app,
        ["chat", "--out", str(tmp_path / "out"), *args],
        input="\n".join(lines) + "\n",
        env=env,
        catch_exceptions=False,
    )


def _traces(tmp_path) -> list[dict]:
    runs = [json.loads(p.read_text()) for p in (tmp_path / "data" / "traces").glob("*.json")]
    return sorted(runs, key=lambda r: r["created"])


def _decision_refs(trace: dict) -> set:
    return {v["evidence"]["reference"] for v in trace["verdicts"] if v["agent"] == "decision"}
