"""`sonicgrid models` table and `sonicgrid models check NAME` with tiny models, and the registry's preference."""

from __future__ import annotations

import pytest
from tiny_models import tiny_root
from typer.testing import CliRunner

from sonicgrid.cli import app

pytest.importorskip("transformers")
runner = CliRunner()


def test_table_without_models_lists_every_role_and_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("COLUMNS", "400")
    r = runner.invoke(app, ["models"])
    assert r.exit_code == 0, r.output
    for name in (
        "musicgen-small",
        "riffusion-v1",
        "resemble-enhance",
        "bigvgan-v2-22k",
        "ast-audioset",
        "wav2vec2-emotion",
        "audiobox-aesthetics",
        "mms-tts-vits",
        "mustango",
        "tangoflux",
        "lfm2-audio",
        "soundfont-composer",
    ):
        assert name in r.output
    assert "SONICGRID_MODELS_DIR" in r.output and "declared slot" in r.output


def test_check_runs_a_smoke_inference(monkeypatch):
    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tiny_root()))
    monkeypatch.setenv("COLUMNS", "400")
    r = runner.invoke(app, ["models"])
    assert r.exit_code == 0 and str(tiny_root()) in r.output
    r = runner.invoke(app, ["models", "check", "musicgen-small"])
    assert r.exit_code == 0, r.output
    assert "sr=32000" in r.output and "duration_s=1.0" in r.output
    r = runner.invoke(app, ["models", "check", "combined-listener"])
    assert r.exit_code == 0 and "score=" in r.output


def test_check_unknown_or_absent_is_one_line_exit_2(monkeypatch, tmp_path):
    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    r = runner.invoke(app, ["models", "check", "nope"])
    assert r.exit_code == 2 and "no tool named" in r.output
    r = runner.invoke(app, ["models", "check", "riffusion-v1"])
    assert r.exit_code == 2 and "not available" in r.output and "Traceback" not in r.output


def test_allow_download_makes_absent_models_fetchable(monkeypatch, tmp_path):
    from sonicgrid.tools.generators.musicgen import MusicGen

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("SONICGRID_ALLOW_DOWNLOAD", raising=False)
    assert not MusicGen().available()[0]
    monkeypatch.setenv("SONICGRID_ALLOW_DOWNLOAD", "1")
    loc = MusicGen().located()
    assert loc.source == "facebook/musicgen-small" and not loc.local_files_only


def test_allow_download_goes_through_the_settings_not_the_environment(monkeypatch, tmp_path):
    import os

    monkeypatch.setenv("SONICGRID_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.delenv("SONICGRID_ALLOW_DOWNLOAD", raising=False)
    r = runner.invoke(app, ["models", "--allow-download"])
    assert r.exit_code == 0, r.output
    assert "download allowed: facebook/musicgen-small" in r.output
    assert "SONICGRID_ALLOW_DOWNLOAD" not in os.environ  # the flag reached the tools in the run's Settings
    assert "download allowed" not in runner.invoke(app, ["models"]).output
