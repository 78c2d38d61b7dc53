"""Audio I/O: float32 arrays shaped (frames, channels), WAV + JSON sidecar, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf


@dataclass
class Audio:
    samples: np.ndarray  # float32, (frames, channels)
    sr: int

    def __post_init__(self) -> None:
        x = np.asarray(self.samples, dtype=np.float32)
        if x.ndim == 1:
            x = x[:, None]
        self.samples = x

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / float(self.sr)

    @property
    def channels(self) -> int:
        return self.samples.shape[1]

    def mono(self) -> np.ndarray:
        return self.samples.mean(axis=1)

    def stereo(self) -> Audio:
        """Two channels: mono doubled; 5.1 (FL FR C LFE SL SR) folded down as ITU-R BS.775 does (centre and
        surrounds at -3 dB, LFE left out); other layouts as the mean of their odd and even channels."""
        if self.channels == 2:
            return self
        x = self.samples
        if self.channels == 1:
            return Audio(np.repeat(x, 2, axis=1), self.sr)
        if self.channels == 6:
            g = np.float32(np.sqrt(0.5))
            left, right = x[:, 0] + g * (x[:, 2] + x[:, 4]), x[:, 1] + g * (x[:, 2] + x[:, 5])
            y = np.stack([left, right], axis=1) / np.float32(1 + 2 * g)
        else:
            y = np.stack([x[:, 0::2].mean(axis=1), x[:, 1::2].mean(axis=1)], axis=1)
        return Audio(y, self.sr)


def digest_of(audio: Audio) -> str:
    """The identity of a sound: sha256 of its float32 samples and sample rate (the library's file name, the
    ears' memory key)."""
    x = np.ascontiguousarray(audio.samples, dtype=np.float32)
    return hashlib.sha256(x.tobytes() + str(audio.sr).encode()).hexdigest()


def sound_id(audio: Audio) -> str:
    """The identity of a sound as stored: sha256 of the 24-bit codes a WAV written by `write` holds (and the
    sample rate). The same for a clip in memory and for it written and read back (digest_of differs there),
    so the mix and answer memories recognise a stored stem or master as the sound they were made from.

    The codes are libsndfile's float -> PCM_24 conversion done in numpy (lrintf(x * 2^31) >> 8, clipped at
    full scale, NaN as the most negative code): no WAV is encoded and decoded in memory (~3x faster)."""
    x = np.asarray(audio.samples, dtype=np.float32)
    if np.isnan(x).any():
        x = np.nan_to_num(x, nan=-1.0)
    with np.errstate(over="ignore"):  # beyond full scale: inf, clipped below like libsndfile clips it
        r = np.rint(x * np.float32(2**31))
    np.clip(r, -(2.0**31), 2.0**31 - 256, out=r)  # 2^31 - 256: the largest float32 below 2^31
    codes = np.ascontiguousarray(r.astype(np.int32) >> 8)
    h = hashlib.sha256(codes.data)
    h.update(f"|{codes.shape}|{audio.sr}".encode())
    return h.hexdigest()


_READ: OrderedDict[tuple, tuple[np.ndarray, int]] = OrderedDict()  # (path, inode, size, mtime) -> samples
_READ_LOCK = threading.Lock()
READ_CACHE_BYTES = 64 << 20


def read(path: str | Path) -> Audio:
    """The file's samples (float32, frames x channels). A file read again unchanged (same inode, size and
    mtime: every write here replaces the file) is decoded once per process: a run reads its cells' files
    several times, and a warm process (studio, worker) reads the same library clips every turn."""
    key = _file_key(path)
    hit = None
    if key is not None:
        with _READ_LOCK:
            hit = _READ.get(key)
            if hit is not None:
                _READ.move_to_end(key)
    if hit is not None:
        return Audio(hit[0].copy(), hit[1])
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:  # corrupt or not audio
        raise ValueError(f"cannot read audio {path}: {exc}") from exc
    if data.shape[1] > 2:  # surround and multitrack files are heard as their stereo fold-down
        data = Audio(data, sr).stereo().samples
    if key is not None and data.nbytes <= READ_CACHE_BYTES // 4:
        _remember(key, (data.copy(), sr))
    return Audio(data, sr)


def _file_key(path: str | Path) -> tuple | None:
    """What identifies a file's contents here: path, inode, size, mtime (None when it cannot be stat'ed)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.path.abspath(path), st.st_ino, st.st_size, st.st_mtime_ns)


def _remember(key: tuple, decoded: tuple[np.ndarray, int]) -> None:
    """Keep a decoded file, the least recently used going first past READ_CACHE_BYTES."""
    with _READ_LOCK:
        _READ[key] = decoded
        while sum(d.nbytes for d, _ in _READ.values()) > READ_CACHE_BYTES:
            _READ.popitem(last=False)


def copy(src: str | Path, dst: str | Path) -> Path:
    """Copy an audio file's bytes atomically (temp file + rename): the same sound without decoding and
    encoding it again."""
    dst = Path(dst)
    _atomic_bytes(dst, lambda tmp: shutil.copyfile(src, tmp))
    a, b = _file_key(src), _file_key(dst)  # the copy reads as the source did: decoded already when it was
    with _READ_LOCK:
        hit = _READ.get(a) if a is not None else None
    if hit is not None and b is not None:
        _remember(b, hit)
    return dst


def _atomic_bytes(path: Path, writer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(path: str | Path, audio: Audio, subtype: str = "PCM_24") -> Path:
    """Write a WAV atomically (temp file + rename): a crash never leaves half a file."""
    path = Path(path)
    _atomic_bytes(path, lambda tmp: sf.write(tmp, audio.samples, audio.sr, subtype=subtype, format="WAV"))
    return path


def write_json(path: str | Path, data: Any) -> Path:
    path = Path(path)
    text = json.dumps(data, indent=2, default=_json_default)

    def _w(tmp: str) -> None:
        Path(tmp).write_text(text)

    _atomic_bytes(path, _w)
    return path


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "model_dump"):
        return o.model_dump()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def fit_length(x: np.ndarray, frames: int) -> np.ndarray:
    """Trim or zero-pad (frames, ch) to exactly `frames`."""
    if x.shape[0] >= frames:
        return x[:frames]
    pad = np.zeros((frames - x.shape[0], x.shape[1]), dtype=x.dtype)
    return np.concatenate([x, pad], axis=0)


def fade(x: np.ndarray, sr: int, fade_in: float = 0.01, fade_out: float = 0.5) -> np.ndarray:
    y = x.copy()
    n_in = min(int(fade_in * sr), len(y))
    n_out = min(int(fade_out * sr), len(y))
    if n_in:
        y[:n_in] *= np.linspace(0, 1, n_in, dtype=np.float32)[:, None]
    if n_out:
        y[-n_out:] *= np.linspace(1, 0, n_out, dtype=np.float32)[:, None]
    return y


LOOP_TAIL_S = 3.0  # what rings past a loop's end (releases, reverb) and is wrapped onto its start


def wrap_tail(x: np.ndarray, frames: int) -> np.ndarray:
    """(n >= frames, ch) rendered past a loop's end -> exactly `frames`, what rang past the end added onto the
    start: played end to start, the loop has no gap and no click at the seam."""
    out = x[:frames].copy()
    tail = x[frames:]
    while len(tail):  # a tail longer than the loop wraps more than once
        k = min(frames, len(tail))
        out[:k] += tail[:k]
        tail = tail[k:]
    return out


LOOP_PREROLL_S = 0.5  # a loop's own last half second, run through a chain before it so the chain starts settled


def settled(process: Any, x: np.ndarray, sr: int, loop: bool) -> np.ndarray:
    """x (n, ch) through `process` (a pedalboard chain: (ch, n) array, sr -> (ch, n)). A loop goes through after
    its own last LOOP_PREROLL_S, so filters and compressors are settled at its start as when it repeats."""
    pre = min(len(x), int(LOOP_PREROLL_S * sr)) if loop else 0
    return process(np.concatenate([x[len(x) - pre :], x]).T.copy(), sr).T[pre:]


def loop_to(x: np.ndarray, frames: int) -> np.ndarray:
    """A loop (frames, ch) played on to exactly `frames`: repeated, never padded with a hole of silence."""
    if len(x) == 0 or len(x) >= frames:
        return x[:frames]
    return np.concatenate([x] * (frames // len(x) + 1), axis=0)[:frames]
