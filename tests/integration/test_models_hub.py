"""Where weights come from (env var, models dir, HF cache, download only when allowed), device/dtype choice,
one load per process, and the graph preferring real models when they are present."""

from __future__ import annotations

import json

import pytest
from tiny_models import tiny_root

from sonicgrid.tools import hub

SPEC = hub.ModelSpec(
    "acme/widget-small", "widget-small", "SONICGRID_WIDGET_PATH", ("config.json", "*.safetensors"), packages=("json",)
)


def model_dir(p):
    p.mkdir(parents=True)
    (p / "config.json").write_text("{}")
    (p / "model.safetensors").write_bytes(b"x")
    return p


@pytest.fixture
def clean(monkeypatch, tmp_path):
    for v in (
        "SONICGRID_WIDGET_PATH",
        "SONICGRID_MODELS_DIR",
        "SONICGRID_ALLOW_DOWNLOAD",
        "SONICGRID_DEVICE",
        "SONICGRID_DTYPE",
    ):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    return tmp_path


def test_lookup_order_env_var_then_models_dir_then_hf_cache(clean, monkeypatch):
    tmp = clean
    assert not hub.locate(SPEC).found and "widget-small" in hub.locate(SPEC).where
    snap = model_dir(tmp / "hf" / "models--acme--widget-small" / "snapshots" / "abc123")
    (tmp / "hf" / "models--acme--widget-small" / "refs").mkdir()
    (tmp / "hf" / "models--acme--widget-small" / "refs" / "main").write_text("abc123")
    loc = hub.locate(SPEC)
    assert loc.source == str(snap) and loc.where.startswith("HF cache") and loc.local_files_only
    local = model_dir(tmp / "models" / "widget-small")
    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp / "models"))
    assert hub.locate(SPEC).source == str(local)
    own = model_dir(tmp / "own")
    monkeypatch.setenv("SONICGRID_WIDGET_PATH", str(own))
    assert hub.locate(SPEC).source == str(own)
    (own / "model.safetensors").unlink()  # incomplete: say what is missing, do not fall through silently
    loc = hub.locate(SPEC)
    assert not loc.found and "*.safetensors" in loc.where


def test_incomplete_snapshot_and_download_only_when_allowed(clean, monkeypatch):
    tmp = clean
    snap = tmp / "hf" / "models--acme--widget-small" / "snapshots" / "x"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")  # weights never finished downloading
    assert not hub.locate(SPEC).found
    from sonicgrid.config import Settings

    loc = hub.locate(SPEC, Settings(allow_download=True))  # the run's settings (--allow-download), no env var
    assert loc.source == "acme/widget-small" and loc.local_files_only is False
    assert not hub.locate(SPEC, Settings()).found
    monkeypatch.setenv("SONICGRID_ALLOW_DOWNLOAD", "1")  # a tool used on its own reads the environment
    assert hub.locate(SPEC).source == "acme/widget-small"


def test_missing_package_is_reported(clean):
    spec = hub.ModelSpec("a/b", "b", "SONICGRID_WIDGET_PATH", packages=("no_such_package_xyz",))
    assert "no_such_package_xyz" in hub.locate(spec).where


def test_device_and_dtype(clean, monkeypatch):
    import torch

    assert hub.device() in ("cpu", "cuda", "mps")
    monkeypatch.setenv("SONICGRID_DEVICE", "cpu")
    assert hub.device() == "cpu" and hub.dtype("cpu") == torch.float32 and hub.dtype("cuda") == torch.float16
    monkeypatch.setenv("SONICGRID_DTYPE", "bfloat16")
    assert hub.dtype("cpu") == torch.bfloat16


def test_load_once_and_failures_become_model_unavailable():
    from sonicgrid.errors import ModelUnavailable

    calls = []
    key = ("test/once", "/x", "cpu", "f32")
    assert hub.load_once(key, lambda: calls.append(1) or "m") == "m"
    assert hub.load_once(key, lambda: calls.append(1) or "other") == "m" and calls == [1]

    def broken():
        raise OSError("file is truncated")

    with pytest.raises(ModelUnavailable, match="truncated"):
        hub.load_once(("test/broken", "/y", "cpu", "f32"), broken)


def test_graph_prefers_real_models_end_to_end(monkeypatch, tmp_path):
    """SONICGRID_MODELS_DIR at tiny models: make() generates with MusicGen and analyses with the combined
    listener; the same request without them uses the embedded defaults."""
    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tiny_root()))
    # CPU cost models price MusicGen at minutes per second of audio: give the Cost Guardian room to approve it
    s = Settings(data_dir=tmp_path / "data", out_dir=tmp_path / "out", brain="rules", max_retries=0, budget_s=3600)
    side = make("a moody drum beat", s, duration=2.0, seed=1)
    assert side["result"]["status"] == "ok"
    names = [c["tool"] for c in side["tool_calls"]]
    assert names[0] == "musicgen-stereo-small" and "combined-listener" in names
    assert side["models"]["tools"]["musicgen-stereo-small"]["available"]
    assert "aesthetics" in side["result"]["analysis"]["quality"]["components"]
    clip = json.loads((tmp_path / "out" / side["run_id"] / "clip.json").read_text())
    assert clip["cells"][0]["analysis"]["mood"]["source"] == "wav2vec2-emotion"

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    s2 = Settings(data_dir=tmp_path / "data2", out_dir=tmp_path / "out2", brain="rules", max_retries=0)
    side2 = make("a moody drum beat", s2, duration=2.0, seed=1)
    assert side2["tool_calls"][0]["tool"] == "soundfont-composer"
