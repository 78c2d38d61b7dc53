"""The pretrained ears' building blocks: the TF checkpoint reader, musicnn's front end and network maths,
basic-pitch's decoding, the critic's flaw detectors, and the typed analyst protocol."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import critic, features, flaws, musicnn_net, notes
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.analysts.degrade import DEGRADATIONS, degrade

need_musicnn = pytest.mark.skipif(
    musicnn_net.package_dir() is None, reason="musicnn not installed (pip install --no-deps musicnn==0.1.0)"
)
need_bp = pytest.mark.skipif(notes.model_path() is None, reason="basic-pitch not installed (--no-deps)")


@need_musicnn
def test_checkpoint_reader_finds_musicnn_variables_with_their_shapes():
    from sonicgrid.tools.analysts import tfckpt

    w = tfckpt.load(musicnn_net.package_dir() / "MSD_musicnn")
    assert w["conv2d/kernel"].shape == (7, 38, 1, 204)  # timbral 7 x int(0.4 * 96)
    assert w["conv2d_1/kernel"].shape == (7, 67, 1, 204)
    assert w["conv2d_2/kernel"].shape == (128, 1, 1, 51)
    assert w["conv2d_5/kernel"].shape == (7, 561, 1, 64)  # 2 x 204 + 3 x 51 front-end channels
    assert w["batch_normalization_9/gamma"].shape == (1506,)  # 2 x (561 + 3 x 64) pooled
    assert w["dense_1/kernel"].shape == (200, 50)
    assert all(np.isfinite(v).all() for v in w.values())
    assert w["batch_normalization_1/moving_variance"].min() > 0


def test_mel_front_end_matches_librosa():
    librosa = pytest.importorskip("librosa")
    ref = librosa.filters.mel(sr=16000, n_fft=512, n_mels=96)
    assert np.allclose(musicnn_net.mel_filters(), ref, atol=1e-6)
    y = np.random.default_rng(0).standard_normal(16000 * 2).astype(np.float32) * 0.1
    spec = librosa.feature.melspectrogram(y=y, sr=16000, hop_length=256, n_fft=512, n_mels=96, pad_mode="reflect").T
    want = np.log10(10000 * spec.astype(np.float16).astype(np.float32) + 1)
    got = musicnn_net.log_mel(y)
    assert got.shape == want.shape
    assert np.allclose(got, want, atol=2e-2)


def test_patches_are_3_second_windows_and_short_clips_are_repeat_padded():
    spec = np.arange(450 * 96, dtype=np.float32).reshape(450, 96)
    p = musicnn_net.patches(spec)
    assert p.shape == (3, 187, 96)  # two full windows, and the 76-frame tail (>= 1 s) in one ending at the end
    assert np.array_equal(p[1], spec[187:374]) and np.array_equal(p[-1], spec[-187:])
    assert musicnn_net.patches(spec[:400]).shape == (2, 187, 96)  # a 26-frame tail is dropped
    short = musicnn_net.patches(spec[:50])
    assert short.shape == (1, 187, 96) and np.array_equal(short[0, 50:100], spec[:50])


@need_musicnn
def test_pooling_before_batch_norm_is_exact():
    net = musicnn_net.load_model("MTT_musicnn")
    z = np.random.default_rng(0).standard_normal((2, 30, 59, 204)).astype(np.float32)
    scale, shift = net.bn[1]
    naive = (np.maximum(z, 0) * scale + shift).max(axis=2)
    assert (scale < 0).any()  # the min branch is exercised
    assert np.allclose(net._pool_relu_bn(z, 1), naive, atol=1e-6)


def _torch_reference(weights: dict, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """musicnn's forward pass written the direct way with torch's own convolutions (full maps, batch norm
    before pooling): an independent reference for the numpy port."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.from_numpy(np.array(v, np.float32)) for k, v in weights.items() if "Adam" not in k}

    def bn(v, i, dim):
        n = "batch_normalization" + (f"_{i}" if i else "")
        shape = [1] * v.dim()
        shape[dim] = -1
        g, b, m, var = (t[f"{n}/{k}"].view(shape) for k in ("gamma", "beta", "moving_mean", "moving_variance"))
        return (v - m) / torch.sqrt(var + 1e-3) * g + b

    def kernel(i):
        name = "conv2d" + (f"_{i}" if i else "")
        return t[name + "/kernel"].permute(3, 2, 0, 1), t[name + "/bias"]  # (out, in, time, freq)

    with torch.no_grad():
        h = bn(torch.from_numpy(x).unsqueeze(1), 0, 1)  # (n, 1, T, 96)
        feats = []
        for j in range(5):
            k, b = kernel(j)
            kt = k.shape[2]
            pad = (0, 0, 3, 3) if j < 2 else (0, 0, (kt - 1) // 2, kt - 1 - (kt - 1) // 2)
            z = bn(F.relu(F.conv2d(F.pad(h, pad), k, b)), j + 1, 1)
            feats.append(z.amax(dim=3))
        cur = torch.cat(feats, dim=1).unsqueeze(3).permute(0, 3, 2, 1)  # (n, 1, T, 561): features as width
        outs = [cur]
        for j, i in enumerate((5, 6, 7)):
            k, b = kernel(i)  # (out, 1, 7, 561)
            y = bn(F.relu(F.conv2d(F.pad(cur, (0, 0, 3, 3)), k, b)), 6 + j, 1)  # (n, out, T, 1)
            y = y.permute(0, 3, 2, 1)
            cur = y if j == 0 else y + cur
            outs.append(cur)
        m = torch.cat(outs, dim=3)[:, 0]  # (n, T, 753)
        pooled = bn(torch.stack([m.amax(dim=1), m.mean(dim=1)], dim=2).reshape(m.shape[0], -1), 9, 1)
        pen = bn(F.relu(pooled @ t["dense/kernel"] + t["dense/bias"]), 10, 1)
        tags = torch.sigmoid(pen @ t["dense_1/kernel"] + t["dense_1/bias"])
    return tags.numpy(), pen.numpy()


@need_musicnn
def test_numpy_port_matches_a_direct_torch_forward_pass():
    from sonicgrid.tools.analysts import tfckpt

    weights = tfckpt.load(musicnn_net.package_dir() / "MTT_musicnn")
    x = np.random.default_rng(3).random((5, 187, 96)).astype(np.float32) * 3  # 5 > CHUNK: two front batches
    tags, pen = musicnn_net.Musicnn(weights)(x)
    want_tags, want_pen = _torch_reference(weights, x)
    assert np.allclose(pen, want_pen, atol=1e-3) and np.allclose(tags, want_tags, atol=1e-4)
    assert np.abs(tags - tags.mean(0)).max() > 1e-3  # the patches differ, so must the tags


@need_musicnn
def test_network_outputs_probabilities_and_a_200_number_embedding():
    net = musicnn_net.load_model("MSD_musicnn")
    x = np.random.default_rng(1).random((2, 187, 96)).astype(np.float32) * 3
    tags, emb = net(x)
    assert tags.shape == (2, 50) and emb.shape == (2, 200)
    assert (tags > 0).all() and (tags < 1).all()
    assert not np.allclose(tags[0], tags[1])


def test_notes_decoding_follows_onsets_and_drops_short_notes():
    frames = np.zeros((100, 88), np.float32)
    onsets = np.zeros((100, 88), np.float32)
    frames[10:60, 39] = 0.8  # C4 (MIDI 60) held 50 frames
    onsets[10, 39] = 0.9
    frames[70:75, 50] = 0.9  # too short (5 frames < 11)
    onsets[70, 50] = 0.9
    got = notes.notes_from(frames, onsets)
    assert [n.pitch for n in got] == [60]
    assert got[0].end_s - got[0].start_s == pytest.approx(50 / notes.FPS, abs=0.05)


def test_key_from_notes_of_a_cadence():
    seq = [(60, 64, 67), (65, 69, 72), (67, 71, 74), (60, 64, 67)]  # C F G C
    ns = [notes.Note(i, i + 1.0, p, 0.8) for i, chord in enumerate(seq) for p in chord]
    ns += [notes.Note(i, i + 1.0, b, 0.8) for i, b in enumerate((48, 53, 55, 48))]
    key, mode, conf, _ = notes.key_from_notes(ns)
    assert (key, mode) == ("C", "major") and conf > 0.2


def test_key_of_chorales_whose_first_phrases_lean_on_the_dominant():
    """Transcribed openings of two Bach chorales (tests/unit/data): Krumhansl-Kessler alone read bwv352 (A minor)
    as E major and bwv177.4 (G major) as D major; the corpus-weighted profile hears the tonic."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).with_name("data") / "chorale_notes.json").read_text())
    for name, c in doc["chorales"].items():
        ns = [notes.Note(*x) for x in c["notes"]]
        assert list(notes.key_from_notes(ns)[:2]) == c["key"], name


def test_key_of_the_composers_own_arrangements_from_their_notes():
    """Every mood's loop in 12 keys x both modes (192 arrangements, notes straight from the composer): at least
    90 % read in the key they were written in (94.8 %; loops and intros together 91.7 %, 87.2 % with
    Krumhansl-Kessler alone). The misses are energetic minor loops on i-VII-VI-VII, heard as the major of VII,
    and dreamy major loops; their rendered audio reads right with the chroma and the opening bass, which the
    eval suites check."""
    from sonicgrid.brief import KEYS
    from sonicgrid.tools.generators import composer

    moods = ("calm", "happy", "moody", "tense", "epic", "dreamy", "energetic", "tender")
    ok = []
    for mood in moods:
        for mode in ("major", "minor"):
            for k in KEYS:
                arr = composer.compose({"mood": mood, "key": k, "mode": mode, "duration_s": 8.0}, "harmony", "loop", 7)
                ns = [notes.Note(n.start, n.end, n.pitch, n.velocity / 127) for n in arr.notes if not n.drums]
                ok.append(notes.key_from_notes(ns)[:2] == (k, mode))
    assert np.mean(ok) >= 0.90


@need_bp
def test_basic_pitch_hears_the_pitch_of_a_tone():
    sr = 22050
    t = np.arange(sr * 2) / sr
    y = sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in (1, 2, 3)).astype(np.float32) * 0.3
    ns = notes.transcribe(y, sr)
    assert ns and max(ns, key=lambda n: n.end_s - n.start_s).pitch == 57  # A3


@pytest.fixture(scope="module")
def music():
    from sonicgrid.tools.base import GenRequest
    from sonicgrid.tools.generators.soundfont import SoundFontComposer

    b = {"prompt": "happy", "mood": "happy"}
    return SoundFontComposer().run(GenRequest("happy", b, "harmony", "loop", 6.0, seed=4)).audio.stereo()


@pytest.mark.parametrize(
    ("kind", "flaw", "direction"),
    [
        ("dropouts", "cuts_per_s", +1),
        ("dropouts", "hole_share", +1),
        ("truncated", "tail_share", +1),
        ("dead_channel", "channel_balance_db", -1),
        ("dc_offset", "dc_ratio", +1),
        ("quantise_8bit", "eff_bits", -1),
        ("clipping", "flat_top_log", +1),
        ("lowpass_1k", "steepest_fall_db", +1),
        ("lowpass_1k", "bw60_khz", -1),
        ("telephone", "steepest_rise_db", +1),
        ("noise_10db", "spread_air_db", +1),
        ("noise_10db", "floor_flatness", +1),
        ("bare_tone", "tone_peak_share", +1),
        ("stuck_note", "spectral_change_db", -1),
        ("griffin_lim", "prominent_peaks_log", -1),
    ],
)
def test_flaw_detectors_move_the_right_way(music, kind, flaw, direction):
    clean = critic.flaws(music, features.extract(music))
    bad_audio = Audio(degrade(music.samples, music.sr, kind, seed=1), music.sr)
    bad = critic.flaws(bad_audio, features.extract(bad_audio))
    assert direction * (bad[flaw] - clean[flaw]) > 0, (kind, clean[flaw], bad[flaw])


def test_quantisation_is_measured_as_bits_and_a_16_bit_file_reads_as_clean(music):
    x = music.samples / np.abs(music.samples).max() * 0.5
    as_16 = np.round(x * 32767) / 32767
    assert flaws.eff_bits(x[:, 0]) == 12.0 and flaws.eff_bits(as_16[:, 0]) == 12.0
    for bits in (4, 6, 8):
        y = np.round(x / 0.5 * (2 ** (bits - 1) - 1)) / (2 ** (bits - 1) - 1) * 0.5
        assert abs(flaws.eff_bits(y[:, 0]) - (bits - 1)) < 0.3, bits


def test_every_degradation_changes_the_audio_and_keeps_its_shape(music):
    for kind in DEGRADATIONS:
        y = degrade(music.samples, music.sr, kind, seed=2)
        assert y.shape == music.samples.shape and np.isfinite(y).all()
        assert not np.allclose(y, music.samples), kind


def test_varied_degradations_draw_their_setting_from_the_seed(music):
    for kind in DEGRADATIONS:
        a = degrade(music.samples, music.sr, kind, seed=3, vary=True)
        b = degrade(music.samples, music.sr, kind, seed=3, vary=True)
        c = degrade(music.samples, music.sr, kind, seed=4, vary=True)
        assert a.shape == music.samples.shape and np.isfinite(a).all() and not np.allclose(a, music.samples), kind
        assert np.array_equal(a, b) and not np.array_equal(a, c), kind


def test_analysis_is_typed_and_its_dict_drops_empty_fields(music):
    from sonicgrid.tools.analysts.listen import EmbeddedListener

    ears = EmbeddedListener()
    assert isinstance(ears, Analyst) and ears.describe()["role"] == "analyst"
    a = ears.run(AnalysisRequest(audio=music, brief={"mood": "happy"}, layer="harmony", duration_s=6.0))
    assert isinstance(a, Analysis) and a.tempo_bpm and a.quality["score"] > 1
    d = a.as_dict()
    assert {"quality", "mood", "key", "tags", "embedding"} <= set(d) and "extra" not in d
    with pytest.raises(ValueError):
        Analysis(quality={}, colour="blue")  # no untyped fields
