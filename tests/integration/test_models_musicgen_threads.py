"""MusicGen's CPU decode thread count: capped at the free cores (OpenMP spin-waits make oversubscribed
threads many times slower), overridable, and restored after generation."""

from __future__ import annotations

import os

import pytest
from tiny_models import tiny_root

from sonicgrid.errors import UserError
from sonicgrid.tools.base import GenRequest
from sonicgrid.tools.hub import decode_threads

pytest.importorskip("transformers")


def machine(monkeypatch, cores, load):
    monkeypatch.delenv("SONICGRID_MUSICGEN_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))


def test_threads_follow_free_cores(monkeypatch):
    machine(monkeypatch, 2, 6.4)  # the shared dev box: other work saturates both cores
    assert decode_threads(2) == 1
    machine(monkeypatch, 2, 0.9)  # idle but for this process
    assert decode_threads(2) == 2
    machine(monkeypatch, 8, 4.0)
    assert decode_threads(8) == 5
    assert decode_threads(3) == 3  # never more than torch was given


def test_threads_env_override_and_validation(monkeypatch):
    machine(monkeypatch, 2, 9.0)
    monkeypatch.setenv("SONICGRID_MUSICGEN_THREADS", "2")
    assert decode_threads(1) == 2
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("SONICGRID_MUSICGEN_THREADS", bad)
        with pytest.raises(UserError, match="SONICGRID_MUSICGEN_THREADS"):
            decode_threads(2)


def test_generation_runs_with_capped_threads_and_restores_them(monkeypatch):
    import torch

    from sonicgrid.tools.generators.musicgen import MusicGen

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tiny_root()))
    machine(monkeypatch, 2, 8.0)
    mg = MusicGen()
    model, _ = mg.model()
    seen = []
    fwd = model.decoder.forward

    def spy(*a, **k):
        seen.append(torch.get_num_threads())
        return fwd(*a, **k)

    monkeypatch.setattr(model.decoder, "forward", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        r = mg.run(GenRequest("moody intro", {"mood": "moody"}, "rhythm", "intro", 0.3, 1))
        assert torch.get_num_threads() == 2  # restored: the setting is process-wide
    finally:
        torch.set_num_threads(before)
    assert r.meta["threads"] == 1 and seen and set(seen) == {1}
