"""Riffusion's UNet runs with the CPU thread cap MusicGen uses (its own env override), restored afterwards."""

from __future__ import annotations

import os

import pytest
from tiny_models import tiny_root

from sonicgrid.tools.base import GenRequest

pytest.importorskip("diffusers")


@pytest.mark.parametrize(("env", "want"), [(None, 1), ("2", 2)])
def test_unet_runs_with_capped_threads_and_restores_them(monkeypatch, env, want):
    import torch

    from sonicgrid.tools.generators.riffusion import Riffusion

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tiny_root()))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (7.0, 7.0, 7.0))  # both cores busy with other work
    if env:
        monkeypatch.setenv("SONICGRID_RIFFUSION_THREADS", env)
    else:
        monkeypatch.delenv("SONICGRID_RIFFUSION_THREADS", raising=False)
    rf = Riffusion()
    txt, _ = rf.model()
    seen = []
    fwd = txt.unet.forward

    def spy(*a, **k):
        seen.append(torch.get_num_threads())
        return fwd(*a, **k)

    monkeypatch.setattr(txt.unet, "forward", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        r = rf.run(
            GenRequest(
                "pad", {"mood": "calm"}, "atmosphere", "intro", 0.2, 1, params={"steps": 2, "griffin_lim_iters": 2}
            )
        )
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert r.meta["threads"] == want and seen and set(seen) == {want}
