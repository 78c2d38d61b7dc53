"""Resemble Enhance, out of process: its pins (torch 2.1.1, torchaudio, deepspeed) cannot share our environment.

The user installs it in its own environment and points SONICGRID_RESEMBLE_PYTHON at that environment's python.
We write the clip to a temp dir, run `<python> -m resemble_enhance.enhancer <in> <out> [--denoise_only]
--device <d> [--nfe N] [--run_dir D]` (its documented CLI), and read the result back. A timeout, a crash or
a missing output is reported in the result's meta and the clip passes through unchanged (never a traceback);
the tool then marks itself unavailable for the rest of the process."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from sonicgrid import audio as aio
from sonicgrid.tools.base import AudioRequest, CostModel, Enhancer, ToolResult

ENV_PYTHON, ENV_MODE, ENV_RUN_DIR, ENV_TIMEOUT = (
    "SONICGRID_RESEMBLE_PYTHON",
    "SONICGRID_RESEMBLE_MODE",
    "SONICGRID_RESEMBLE_RUN_DIR",
    "SONICGRID_RESEMBLE_TIMEOUT",
)
MODULE = "resemble_enhance.enhancer"


@lru_cache(maxsize=8)
def _probe(python: str) -> tuple[bool, str]:
    """Does this interpreter have resemble_enhance? (find_spec only: no torch import, well under a second)."""
    code = f"import importlib.util,sys; sys.exit(0 if importlib.util.find_spec({MODULE.split('.')[0]!r}) else 3)"
    try:
        r = subprocess.run([python, "-c", code], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{ENV_PYTHON}={python} does not run: {exc}"
    if r.returncode == 3:
        return False, f"{ENV_PYTHON}={python} has no resemble_enhance: run `{python} -m pip install resemble-enhance`"
    if r.returncode != 0:
        return False, f"{ENV_PYTHON}={python} failed: {r.stderr.decode(errors='replace').strip()[-200:]}"
    return True, f"out of process: {python}"


class ResembleEnhance(Enhancer):
    name = "resemble-enhance"
    role = "enhancer"
    capabilities = frozenset({"music", "speech", "denoise", "enhance"})
    embedded = False
    quality_prior = 6.5
    version = "resemble-enhance-cli-1"
    # Resemble's CFM enhancer (nfe 64) on CPU is slow; the figure is a planning estimate, not measured here.
    cost = CostModel(per_audio_s=8.0, overhead_s=15.0, device="subprocess")

    def __init__(self):
        self.failed: str | None = None

    def available(self) -> tuple[bool, str]:
        py = os.environ.get(ENV_PYTHON)
        if not py:
            return False, f"absent: install resemble-enhance in its own environment and set {ENV_PYTHON}"
        if self.failed:
            return False, f"disabled after an error this run: {self.failed}"
        return _probe(py)

    def command(self, python: str, in_dir: Path, out_dir: Path, mode: str, params: dict) -> list[str]:
        cmd = [python, "-m", MODULE, str(in_dir), str(out_dir), "--device", params.get("device", "cpu")]
        if mode == "denoise":
            cmd.append("--denoise_only")
        if params.get("nfe"):
            cmd += ["--nfe", str(int(params["nfe"]))]
        run_dir = params.get("run_dir") or os.environ.get(ENV_RUN_DIR)
        if run_dir:
            cmd += ["--run_dir", str(run_dir)]
        return cmd

    def run(self, request: AudioRequest) -> ToolResult:
        src = request.audio
        mode = request.params.get("mode") or os.environ.get(ENV_MODE, "enhance")
        if mode not in ("enhance", "denoise"):
            mode = "enhance"
        ok, why = self.available()
        if not ok:
            return ToolResult(src, {"skipped": why})
        timeout = float(os.environ.get(ENV_TIMEOUT, 0) or (60.0 + 30.0 * src.duration))
        work = Path(tempfile.mkdtemp(prefix="sonicgrid-resemble-"))
        try:
            (work / "in").mkdir()
            aio.write(work / "in" / "clip.wav", src, subtype="PCM_16")
            cmd = self.command(os.environ[ENV_PYTHON], work / "in", work / "out", mode, request.params)
            try:
                r = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=work)
            except subprocess.TimeoutExpired:
                return self._fail(src, f"timed out after {timeout:.0f} s")
            except OSError as exc:
                return self._fail(src, f"could not start: {exc}")
            if r.returncode != 0:
                err = r.stderr.decode(errors="replace").strip().splitlines()
                return self._fail(src, f"exit {r.returncode}: {err[-1][:200] if err else 'no message'}")
            outs = sorted((work / "out").rglob("*.wav")) if (work / "out").is_dir() else []
            if not outs:
                return self._fail(src, "finished without writing an output file")
            try:
                res = aio.read(outs[0])
            except ValueError as exc:
                return self._fail(src, str(exc))
            if src.channels == 2 and res.channels == 1:
                res = res.stereo()
            return ToolResult(res, {"model": "ResembleAI/resemble-enhance", "mode": mode, "sr": res.sr})
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _fail(self, src: aio.Audio, why: str) -> ToolResult:
        self.failed = why
        return ToolResult(src, {"skipped": f"resemble-enhance {why}; clip left unenhanced"})
