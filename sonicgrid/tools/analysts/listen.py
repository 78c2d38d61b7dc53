"""The embedded analyst tool: features -> quality score, mood, key, tempo, tags."""

from __future__ import annotations

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import features, mood, quality
from sonicgrid.tools.base import CostModel, Tool


def tags(f: features.Features) -> dict[str, float]:
    """Rough content tags 0..1 from percussive ratio, onset rate and spectral shape."""
    import numpy as np

    drum = float(np.clip((f.percussive_ratio - 0.25) * 2.5 + (f.onset_rate - 2) / 8, 0, 1))
    pad = float(np.clip((0.45 - f.percussive_ratio) * 2 + (2.5 - f.onset_rate) / 5, 0, 1))
    noise = float(np.clip((f.flatness - 0.1) * 4, 0, 1))
    bass = float(np.clip((900 - f.centroid_hz) / 600, 0, 1))
    return {"drums": round(drum, 3), "pad": round(pad, 3), "noise": round(noise, 3), "bass": round(bass, 3)}


class EmbeddedListener(Tool):
    name = "embedded-listener"
    role = "analyst"
    capabilities = frozenset({"quality", "mood", "key", "tempo", "tags"})
    cost = CostModel(per_audio_s=0.01, overhead_s=0.02)

    def run(self, audio: Audio, brief: dict) -> dict:  # type: ignore[override]
        f = features.extract(audio)
        m = mood.estimate(f)
        fit = mood.mood_match(brief.get("mood", "calm"), m)
        q = quality.score(f, brief, fit)
        return {"quality": q, "mood": m, "tempo_bpm": round(f.tempo_bpm, 1), "key": m["key"], "mode": m["mode"],
                "lufs": round(f.lufs, 2), "peak_dbfs": round(f.peak_dbfs, 2), "tags": tags(f),
                "centroid_hz": round(f.centroid_hz, 1), "duration_s": round(f.duration, 3),
                "embedding": embedding(f)}


def embedding(f: features.Features) -> list[float]:
    """A fixed-length audio vector (timbre, harmony, rhythm statistics), L2-normalised."""
    import numpy as np

    chroma = f.chroma / (np.linalg.norm(f.chroma) + 1e-9)
    mf = f.mfcc_mean / (np.linalg.norm(f.mfcc_mean) + 1e-9)
    extra = np.array([f.centroid_hz / 4000, f.rolloff_hz / 8000, f.flatness * 4, f.onset_rate / 8,
                      f.tempo_bpm / 200, f.percussive_ratio, (f.lufs + 40) / 40, f.dynamic_range_db / 30])
    v = np.concatenate([chroma, mf, np.clip(extra, -2, 2)])
    return [round(float(x), 5) for x in v / (np.linalg.norm(v) + 1e-9)]
