"""The embedded analyst tool: features -> quality score, mood, key, tempo, tags (numbers with units
and a confidence). Numpy only: no librosa import, no numba JIT, so a cold process answers fast."""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.analysts import features, honour, mood, quality
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.base import CostModel


def tags(f: features.Features) -> dict[str, float]:
    """Content tags 0..1 from HPSS percussive ratio, onset rate and spectral shape. Onsets count only
    as far as there are attacks (pulse): on held chords the peak picker finds flux flicker (8/s on
    sampled strings), which made sustained recordings read as drums."""
    rate = f.onset_rate * min(1.0, f.pulse / 0.6)
    drum = float(np.clip(((f.percussive_ratio - 0.25) * 2.5 + (rate - 2) / 8) * min(1.0, f.pulse / 0.5), 0, 1))
    pad = float(np.clip((0.45 - f.percussive_ratio) * 2 + (2.5 - rate) / 5, 0, 1))
    noise = float(np.clip((f.flatness - 0.1) * 4, 0, 1))
    bass = float(np.clip((900 - f.centroid_hz) / 600, 0, 1))
    speech = speech_score(f) * (1.0 - noise)
    drum *= 1.0 - speech  # syllables are attacks too: voiced, gliding attacks are not drum hits
    return {
        "drums": round(drum, 3),
        "pad": round(pad, 3),
        "noise": round(noise, 3),
        "bass": round(bass, 3),
        "speech": round(speech, 3),
    }


def _band(x: float, lo: float, hi: float, soft: float) -> float:
    """1 inside [lo, hi], falling linearly to 0 at `soft` outside."""
    return 1.0 if lo <= x <= hi else float(max(0.0, 1.0 - min(abs(x - lo), abs(x - hi)) / soft))


def speech_score(f: features.Features) -> float:
    """0..1 speech evidence from voicing: most audible frames voiced (syllable nuclei) but broken
    into 3-8 voiced stretches a second (consonants, pauses), and an f0 that glides while voiced
    (intonation). Measured on festival/espeak-ng sentences: voiced 0.64-0.79, 4-6 stretches/s,
    glide 0.67-0.81; recorded drum loops with a gliding 'f0' (decaying toms, snare ring) are voiced
    <= 0.45 of the time; held chords and composer renders glide <= 0.5 or are voiced in 0.5-3 long
    stretches a second. Speech has no steady beat: tempo confidence 0.22-0.39 on the sentences,
    >= 0.61 on every recorded drum clip (a kit whose snare rings at a gliding pitch is voiced like
    speech, 0.6 of its frames, but its hits repeat on a grid)."""
    v = f.voice
    glide = float(np.clip((v.f0_glide - 0.5) / 0.15, 0.0, 1.0))
    return float(
        glide
        * _band(v.voiced_fraction, 0.55, 0.9, 0.1)
        * _band(v.voiced_rate, 3.0, 8.0, 1.5)
        * _band(f.centroid_hz, 300.0, 3500.0, 1000.0)
        * _band(f.tempo_confidence, 0.0, 0.45, 0.15)
    )


class EmbeddedListener(Analyst):
    """The DSP listener: numpy features and hand-set rules. The fast fallback when the pretrained ears
    (musicnn, basic-pitch on onnxruntime) are not installed."""

    name = "embedded-listener"
    capabilities = frozenset({"quality", "mood", "key", "tempo", "tags"})
    cost_model = CostModel(per_audio_s=0.02, overhead_s=0.02)

    def run(self, request: AnalysisRequest) -> Analysis:
        f = features.extract(request.audio, request.brief.get("meter"))
        out = self.reading(request.audio, request.brief, f)
        m = out["mood"]
        checks = honour.check(
            request.brief,
            request.layer,
            request.duration_s,
            {
                "tags": {**out["tags"], "voice": out["tags"].get("speech", 0.0)},
                "tempo_bpm": f.tempo_bpm,
                "tempo_confidence": f.tempo_confidence,
                "key": m["key"],
                "mode": m["mode"],
                "key_confidence": m["key_confidence"],
                "duration_s": f.duration,
            },
        )
        out["quality"] = honour.apply(out["quality"], checks)
        return Analysis(**out, analysts=[self.name])

    def reading(self, audio, brief: dict, f: features.Features | None = None) -> dict:
        """The DSP reading as a dict (the fields of an Analysis); `f`: features already extracted."""
        f = f or features.extract(audio)
        m = mood.estimate(f)
        fit = mood.mood_match(brief.get("mood", "calm"), m)
        q = quality.score(f, brief, fit)
        t = tags(f)
        return {
            "quality": q,
            "mood": m,
            "tempo_bpm": round(f.tempo_bpm, 1),
            "key": m["key"],
            "mode": m["mode"],
            "lufs": round(f.lufs, 2),
            "peak_dbfs": round(f.peak_dbfs, 2),
            "tags": t,
            "centroid_hz": round(f.centroid_hz, 1),
            "duration_s": round(f.duration, 3),
            "embedding": embedding(f),
            "embedding_kind": "dsp-33",
            "measures": {  # every number with its unit and a confidence 0..1
                "tempo": {"value": round(f.tempo_bpm, 1), "unit": "bpm", "confidence": round(f.tempo_confidence, 3)},
                "key": {"value": f"{m['key']} {m['mode']}", "unit": "key", "confidence": m["key_confidence"]},
                "mood": {
                    "value": m["label"],
                    "valence": m["valence"],
                    "arousal": m["arousal"],
                    "unit": "valence/arousal -1..1",
                    "confidence": m["confidence"],
                },
                "quality": {"value": q["score"], "unit": "score 1-10", "confidence": 0.6},
                "loudness": {"value": round(f.lufs, 2), "unit": "LUFS", "confidence": 1.0},
                "noise_floor": {"value": round(f.noise_floor_db, 1), "unit": "dBFS", "confidence": 0.9},
                "pulse": {
                    "value": round(f.pulse, 3),
                    "unit": "0..1 rhythmic pulse",
                    "attack_db": round(f.attack_db, 2),
                    "confidence": 0.8,
                },
                "onset_rate": {"value": round(f.onset_rate, 2), "unit": "onsets/s", "confidence": 0.8},
                "tags": {"value": t, "unit": "0..1 per tag", "confidence": 0.6},
            },
        }


def embedding(f: features.Features) -> list[float]:
    """A fixed-length audio vector (timbre, harmony, rhythm statistics), L2-normalised (33 numbers)."""
    chroma = f.chroma / (np.linalg.norm(f.chroma) + 1e-9)
    mf = f.mfcc_mean / (np.linalg.norm(f.mfcc_mean) + 1e-9)
    extra = np.array(
        [
            f.centroid_hz / 4000,
            f.rolloff_hz / 8000,
            f.flatness * 4,
            f.onset_rate / 8,
            f.tempo_bpm / 200,
            f.percussive_ratio,
            (f.lufs + 40) / 40,
            f.dynamic_range_db / 30,
        ]
    )
    v = np.concatenate([chroma, mf, np.clip(extra, -2, 2)])
    return [round(float(x), 5) for x in v / (np.linalg.norm(v) + 1e-9)]
