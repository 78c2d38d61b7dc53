"""Resemble Enhance runs out of process. What is tested here is OUR side: the adapter's subprocess protocol
(documented CLI `python -m resemble_enhance.enhancer IN OUT [--denoise_only] --device D`), its timeouts and
error paths, against a real separate Python environment (a venv made for the test) holding a tiny FAKE
`resemble_enhance` package. The fake only halves (denoise) or doubles-and-resamples (enhance) the signal
with the standard library; the real model is never run here."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.base import AudioRequest
from sonicgrid.tools.enhancers import resemble

FAKE_MAIN = textwrap.dedent("""
    import argparse, os, sys, time, wave, array
    p = argparse.ArgumentParser()
    p.add_argument("in_dir"); p.add_argument("out_dir")
    p.add_argument("--denoise_only", action="store_true"); p.add_argument("--device", default="cuda")
    p.add_argument("--nfe", type=int, default=64); p.add_argument("--run_dir", default=None)
    a = p.parse_args()
    behaviour = os.environ.get("FAKE_RESEMBLE", "ok")
    if behaviour == "sleep": time.sleep(30)
    if behaviour == "crash": sys.exit("RuntimeError: CUDA out of memory (fake)")
    os.makedirs(a.out_dir, exist_ok=True)
    if behaviour == "nooutput": sys.exit(0)
    with open(os.path.join(a.out_dir, "args.txt"), "w") as f: f.write(" ".join(sys.argv[1:]))
    for name in os.listdir(a.in_dir):
        with wave.open(os.path.join(a.in_dir, name)) as w:
            ch, sr, n = w.getnchannels(), w.getframerate(), w.getnframes()
            x = array.array("h", w.readframes(n))
        mono = [sum(x[i:i + ch]) // ch for i in range(0, len(x), ch)]
        if a.denoise_only: y = [v // 2 for v in mono]; out_sr = sr
        else: y = [v for v in mono for _ in (0, 1)]; out_sr = 2 * sr  # "bandwidth extension"
        with wave.open(os.path.join(a.out_dir, name), "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(out_sr); w.writeframes(array.array("h", y).tobytes())
""")


@pytest.fixture(scope="module")
def fake_python(tmp_path_factory):
    env = tmp_path_factory.mktemp("resemble-env")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    site = next((env / "lib").glob("python3*/site-packages"))
    pkg = site / "resemble_enhance" / "enhancer"
    pkg.mkdir(parents=True)
    (site / "resemble_enhance" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(FAKE_MAIN)
    return str(env / "bin" / "python")


def clip(sr=22050, seconds=0.5):
    t = np.arange(int(sr * seconds)) / sr
    return Audio(np.stack([0.4 * np.sin(2 * np.pi * 300 * t)] * 2, axis=1).astype(np.float32), sr)


def request(audio, **params):
    return AudioRequest(audio, params=params)


def test_absent_is_a_clear_message_and_a_passthrough(monkeypatch, tmp_path):
    monkeypatch.delenv(resemble.ENV_PYTHON, raising=False)
    tool = resemble.ResembleEnhance()
    ok, why = tool.available()
    assert not ok and resemble.ENV_PYTHON in why
    monkeypatch.setenv(resemble.ENV_PYTHON, sys.executable)  # our venv: no resemble_enhance in it
    ok, why = tool.available()
    assert not ok and "has no resemble_enhance" in why
    monkeypatch.setenv(resemble.ENV_PYTHON, str(tmp_path / "nope" / "python"))
    assert not tool.available()[0]
    a = clip()
    r = tool.run(request(a))
    assert r.audio is a and "skipped" in r.meta


def test_enhance_and_denoise_modes_through_the_real_subprocess(monkeypatch, fake_python):
    monkeypatch.setenv(resemble.ENV_PYTHON, fake_python)
    monkeypatch.delenv("FAKE_RESEMBLE", raising=False)
    tool = resemble.ResembleEnhance()
    ok, where = tool.available()
    assert ok and fake_python in where
    a = clip()
    enh = tool.run(request(a))
    assert enh.meta["mode"] == "enhance" and enh.audio.sr == 44100 and enh.audio.channels == 2
    assert enh.audio.samples.shape[0] == 2 * a.samples.shape[0]
    den = tool.run(request(a, mode="denoise"))
    assert den.meta["mode"] == "denoise" and den.audio.sr == a.sr
    ratio = np.abs(den.audio.samples).max() / np.abs(a.samples).max()
    assert ratio == pytest.approx(0.5, abs=0.01)
    cmd = tool.command(fake_python, "i", "o", "denoise", {"nfe": 32, "run_dir": "/m"})
    assert cmd[1:3] == ["-m", "resemble_enhance.enhancer"] and "--denoise_only" in cmd
    assert cmd[cmd.index("--nfe") + 1] == "32" and cmd[cmd.index("--run_dir") + 1] == "/m"


@pytest.mark.parametrize(
    "behaviour,expect",
    [
        ("crash", "exit 1: RuntimeError: CUDA out of memory (fake)"),
        ("nooutput", "without writing an output"),
        ("sleep", "timed out after 2 s"),
    ],
)
def test_failures_pass_the_clip_through_and_disable_the_tool(monkeypatch, fake_python, behaviour, expect):
    monkeypatch.setenv(resemble.ENV_PYTHON, fake_python)
    monkeypatch.setenv("FAKE_RESEMBLE", behaviour)
    monkeypatch.setenv(resemble.ENV_TIMEOUT, "2")
    tool = resemble.ResembleEnhance()
    a = clip()
    r = tool.run(request(a))
    assert r.audio is a and expect in r.meta["skipped"]
    ok, why = tool.available()
    assert not ok and expect in why
