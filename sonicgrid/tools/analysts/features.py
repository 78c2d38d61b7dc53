"""Shared signal features the analysts read (computed once per clip, on a 22.05 kHz mono copy)."""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import pyloudnorm

from sonicgrid.audio import Audio

SR = 22050
HOP = 512


@dataclass
class Features:
    duration: float
    lufs: float
    peak_dbfs: float
    clip_fraction: float
    rms_db: np.ndarray  # per frame
    centroid_hz: float
    rolloff_hz: float
    flatness: float
    onset_rate: float  # onsets per second
    tempo_bpm: float
    chroma: np.ndarray  # 12, mean chroma
    percussive_ratio: float
    silence_fraction: float
    dynamic_range_db: float
    mfcc_mean: np.ndarray  # 13


def loudness_lufs(audio: Audio) -> float:
    x = audio.samples
    if audio.duration < 0.45:  # BS.1770 needs 400 ms blocks
        x = np.concatenate([x, np.zeros((int(0.45 * audio.sr) - len(x) + 1, x.shape[1]), np.float32)])
    value = pyloudnorm.Meter(audio.sr).integrated_loudness(x.astype(np.float64))
    return float(value) if np.isfinite(value) else -70.0


def extract(audio: Audio) -> Features:
    mono = audio.mono()
    y = librosa.resample(mono, orig_sr=audio.sr, target_sr=SR) if audio.sr != SR else mono
    y = np.ascontiguousarray(y, dtype=np.float32)
    peak = float(np.max(np.abs(audio.samples))) if audio.samples.size else 0.0
    clip_fraction = float(np.mean(np.abs(audio.samples) >= 0.999)) if audio.samples.size else 0.0
    S = np.abs(librosa.stft(y, n_fft=2048, hop_length=HOP))
    rms = librosa.feature.rms(S=S, frame_length=2048)[0]
    rms_db = 20 * np.log10(rms + 1e-9)
    power = S ** 2
    loud = rms_db > (rms_db.max() - 50) if rms_db.size else np.array([], bool)
    centroid = librosa.feature.spectral_centroid(S=S, sr=SR)[0]
    rolloff = librosa.feature.spectral_rolloff(S=S, sr=SR)[0]
    flat = librosa.feature.spectral_flatness(S=S)[0]
    H, P = librosa.decompose.hpss(S, margin=1.0)
    perc_ratio = float(P.sum() / (H.sum() + P.sum() + 1e-9))
    onset_env = librosa.onset.onset_strength(S=librosa.amplitude_to_db(S, ref=np.max), sr=SR)
    onsets = librosa.onset.onset_detect(onset_envelope=onset_env, sr=SR, hop_length=HOP)
    duration = len(y) / SR
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset_env, sr=SR, hop_length=HOP))[0]) \
        if duration > 2 else 0.0
    chroma = librosa.feature.chroma_stft(S=power, sr=SR, n_fft=2048)
    mel = librosa.feature.melspectrogram(S=power, sr=SR, n_mels=64)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13)
    active = rms_db[rms_db > -60]
    dyn = float(np.percentile(active, 95) - np.percentile(active, 10)) if active.size > 4 else 0.0
    sel = loud if loud.any() else slice(None)
    return Features(
        duration=duration, lufs=loudness_lufs(audio),
        peak_dbfs=float(20 * np.log10(peak + 1e-9)), clip_fraction=clip_fraction, rms_db=rms_db,
        centroid_hz=float(np.mean(centroid[sel])) if centroid.size else 0.0,
        rolloff_hz=float(np.mean(rolloff[sel])) if rolloff.size else 0.0,
        flatness=float(np.mean(flat[sel])) if flat.size else 0.0,
        onset_rate=len(onsets) / max(duration, 1e-6), tempo_bpm=tempo,
        chroma=chroma.mean(axis=1) if chroma.size else np.zeros(12), percussive_ratio=perc_ratio,
        silence_fraction=float(np.mean(rms_db < -60)) if rms_db.size else 1.0,
        dynamic_range_db=dyn, mfcc_mean=mfcc.mean(axis=1) if mfcc.size else np.zeros(13))
