"""musicnn (Pons & Serra, 2019) in plain numpy, loading the TensorFlow checkpoints that the `musicnn` wheel ships.

Front end: batch-normalised 96-band log-mel patches (3 s at 16 kHz, 187 frames) through two timbral
convolutions (7 frames x 38/67 mel bands) and three temporal ones (128/64/32 frames x 1 band), each
max-pooled over frequency; mid end: three 7-frame convolutions with dense residual connections;
back end: max and mean over time, batch norm, a 200-unit dense layer (the "penultimate" embedding) and
50 sigmoid tags. Layer-by-layer the same operations as musicnn/models.py (TF1 `layers` API, batch-norm
epsilon 1e-3, 'same' padding of even kernels putting the extra frame after), in inference mode.

The `musicnn` package is installed with --no-deps (its TensorFlow 1.x pin is not needed): only its
checkpoint files are read, by `tfckpt`, never its TensorFlow code.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from sonicgrid.tools.analysts import tfckpt

SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH = 187  # frames in 3 s: librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1
EPS = 1e-3  # tf.layers.batch_normalization default

# musicnn/configuration.py, in output order
MTT_LABELS = (
    "guitar",
    "classical",
    "slow",
    "techno",
    "strings",
    "drums",
    "electronic",
    "rock",
    "fast",
    "piano",
    "ambient",
    "beat",
    "violin",
    "vocal",
    "synth",
    "female",
    "indian",
    "opera",
    "male",
    "singing",
    "vocals",
    "no vocals",
    "harpsichord",
    "loud",
    "quiet",
    "flute",
    "woman",
    "male vocal",
    "no vocal",
    "pop",
    "soft",
    "sitar",
    "solo",
    "man",
    "classic",
    "choir",
    "voice",
    "new age",
    "dance",
    "male voice",
    "female vocal",
    "beats",
    "harp",
    "cello",
    "no voice",
    "weird",
    "country",
    "metal",
    "female voice",
    "choral",
)
MSD_LABELS = (
    "rock",
    "pop",
    "alternative",
    "indie",
    "electronic",
    "female vocalists",
    "dance",
    "00s",
    "alternative rock",
    "jazz",
    "beautiful",
    "metal",
    "chillout",
    "male vocalists",
    "classic rock",
    "soul",
    "indie rock",
    "Mellow",
    "electronica",
    "80s",
    "folk",
    "90s",
    "chill",
    "instrumental",
    "punk",
    "oldies",
    "blues",
    "hard rock",
    "ambient",
    "acoustic",
    "experimental",
    "female vocalist",
    "guitar",
    "Hip-Hop",
    "70s",
    "party",
    "country",
    "easy listening",
    "sexy",
    "catchy",
    "funk",
    "electro",
    "heavy metal",
    "Progressive rock",
    "60s",
    "rnb",
    "indie pop",
    "sad",
    "House",
    "happy",
)
LABELS = {"MTT_musicnn": MTT_LABELS, "MSD_musicnn": MSD_LABELS}


def package_dir() -> Path | None:
    """The installed `musicnn` package folder (found without importing it: its modules import TensorFlow)."""
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


# --- log-mel front end, as musicnn's librosa call computes it --------------------------------------


def _slaney_mel(f):
    f = np.asarray(f, float)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _slaney_hz(m):
    m = np.asarray(m, float)
    return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=512, n_mels=96) (Slaney scale and area norm), (96, 257)."""
    fft_f = np.fft.rfftfreq(N_FFT, 1.0 / SR)
    mel_f = _slaney_hz(np.linspace(_slaney_mel(0.0), _slaney_mel(SR / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_f[None, :]
    w = np.maximum(0, np.minimum(-ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]))
    w *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return w.astype(np.float32)


def log_mel(y16: np.ndarray) -> np.ndarray:
    """(frames, 96) log10(10000 * mel power + 1) of a 16 kHz mono signal (centred, reflect-padded frames)."""
    y = np.asarray(y16, np.float32)
    if len(y) <= N_FFT // 2:
        y = np.pad(y, (0, N_FFT // 2 + 1 - len(y)))
    y = np.pad(y, (N_FFT // 2, N_FFT // 2), mode="reflect")
    count = 1 + (len(y) - N_FFT) // HOP
    fr = np.lib.stride_tricks.as_strided(y, (count, N_FFT), (y.strides[0] * HOP, y.strides[0]))
    win = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(fr * win, axis=1)) ** 2
    mel = (power.astype(np.float32) @ mel_filters().T).astype(np.float16).astype(np.float32)
    return np.log10(10000.0 * mel + 1.0)


def patches(spec: np.ndarray) -> np.ndarray:
    """(n, 187, 96) non-overlapping 3 s patches; a tail of >= 1 s gets a patch ending at the clip's end;
    a clip under 3 s is repeat-padded (as musicnn's training padded short clips)."""
    if spec.shape[0] < PATCH:
        reps = int(np.ceil(PATCH / max(1, spec.shape[0])))
        spec = np.tile(spec, (reps, 1))[:PATCH]
    starts = list(range(0, spec.shape[0] - PATCH + 1, PATCH))
    if spec.shape[0] - (starts[-1] + PATCH) >= PATCH // 3:
        starts.append(spec.shape[0] - PATCH)
    return np.stack([spec[s : s + PATCH] for s in starts])


# --- the network -----------------------------------------------------------------------------------


class Musicnn:
    """One musicnn checkpoint as float32 numpy arrays; `__call__` maps (n, 187, 96) patches to (tags, penultimate).

    Plain numpy (convolutions as window views times the kernel, BLAS matmuls): no torch import, so the
    ears load in a fraction of a second. Layout inside is time-major, (n, T, channels)."""

    CHUNK = 4  # patches per front-end batch: bounds the window copies (~12 MB a patch for the 38-band conv)

    def __init__(self, weights: dict[str, np.ndarray]):
        t = {k: np.asarray(v, np.float32) for k, v in weights.items() if "Adam" not in k}
        self.bn: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i in range(11):
            n = "batch_normalization" + (f"_{i}" if i else "")
            scale = t[f"{n}/gamma"] / np.sqrt(t[f"{n}/moving_variance"] + EPS)
            self.bn[i] = (scale.astype(np.float32), (t[f"{n}/beta"] - t[f"{n}/moving_mean"] * scale).astype(np.float32))
        conv = {
            i: (t["conv2d" + (f"_{i}" if i else "") + "/kernel"], t["conv2d" + (f"_{i}" if i else "") + "/bias"])
            for i in range(8)
        }
        # TF kernels are (time, freq, in, out); in = 1 for every front-end and mid-end conv
        self.front = [(np.ascontiguousarray(k[:, :, 0, :]), b) for k, b in (conv[i] for i in range(5))]
        self.mid = [(np.ascontiguousarray(k[:, :, 0, :]), b) for k, b in (conv[i] for i in (5, 6, 7))]
        self.dense = (t["dense/kernel"], t["dense/bias"])
        self.out = (t["dense_1/kernel"], t["dense_1/bias"])

    def _bn(self, x: np.ndarray, i: int) -> np.ndarray:
        scale, shift = self.bn[i]
        return x * scale + shift

    def _pool_relu_bn(self, z: np.ndarray, i: int) -> np.ndarray:
        """max over frequency (axis 2 of (n, T, F, C)) of BN(relu(z)), computed on the pooled map: BN is a
        per-channel affine map and relu is monotonic, so the max is relu(max z) where the BN scale is
        positive, relu(min z) where it is negative. Exact, and ~60x less elementwise work."""
        scale, shift = self.bn[i]
        pooled = np.where(scale >= 0, z.max(axis=2), z.min(axis=2))
        return np.maximum(pooled, 0.0) * scale + shift

    def _front(self, x: np.ndarray) -> np.ndarray:
        """(n, T, 96) normalised patches -> (n, T, 561) pooled front-end features."""
        win = np.lib.stride_tricks.sliding_window_view
        feats = []
        padded = np.pad(x, ((0, 0), (3, 3), (0, 0)))
        for j, (k, b) in enumerate(self.front):
            kt, kf, _ = k.shape
            if j < 2:  # timbral: 7 frames x 38 / 67 bands, valid
                w = win(padded, (kt, kf), axis=(1, 2))  # (n, T, 96 - kf + 1, kt, kf)
                z = np.tensordot(w, k, axes=([3, 4], [0, 1])) + b
            else:  # temporal: 128 / 64 / 32 frames x 1 band, 'same' (TF puts the odd extra frame after)
                xp = np.pad(x, ((0, 0), ((kt - 1) // 2, kt - 1 - (kt - 1) // 2), (0, 0)))
                w = win(xp, kt, axis=1)  # (n, T, 96, kt)
                z = np.tensordot(w, k[:, 0, :], axes=([3], [0])) + b
            feats.append(self._pool_relu_bn(z.astype(np.float32, copy=False), j + 1))
        return np.concatenate(feats, axis=2)

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = self._bn(np.asarray(x, np.float32), 0)
        front = np.concatenate([self._front(x[i : i + self.CHUNK]) for i in range(0, len(x), self.CHUNK)], axis=0)
        outs = [front]
        h = front
        for j, (k, b) in enumerate(self.mid):
            w = np.lib.stride_tricks.sliding_window_view(np.pad(h, ((0, 0), (3, 3), (0, 0))), 7, axis=1)
            y = self._bn(np.maximum(np.tensordot(w, k, axes=([3, 2], [0, 1])) + b, 0.0), 6 + j)
            h = y if j == 0 else y + h
            outs.append(h)
        m = np.concatenate(outs, axis=2)  # (n, T, 753)
        # TF concatenates (n, 753, 1) max and mean on the last axis, then flattens: interleaved pairs
        pooled = np.stack([m.max(axis=1), m.mean(axis=1)], axis=2).reshape(m.shape[0], -1)  # (n, 1506)
        pooled = self._bn(pooled, 9)
        pen = self._bn(np.maximum(pooled @ self.dense[0] + self.dense[1], 0.0), 10)
        tags = 1.0 / (1.0 + np.exp(-(pen @ self.out[0] + self.out[1])))
        return tags.astype(np.float32), pen.astype(np.float32)


@lru_cache(maxsize=2)
def load_model(name: str) -> Musicnn:
    """A shipped checkpoint ('MTT_musicnn' or 'MSD_musicnn') from the installed `musicnn` package."""
    root = package_dir()
    if root is None or not (root / name / ".index").exists():
        raise FileNotFoundError(f"musicnn checkpoint {name} not found (pip install --no-deps musicnn==0.1.0)")
    return Musicnn(tfckpt.load(root / name))
