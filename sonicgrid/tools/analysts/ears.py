"""The default listener: pretrained ears that pip ships with their weights, over the DSP features.

- musicnn (MTT + MSD checkpoints, ported to plain numpy): tags, drums/voice presence on full mixes, mood
  evidence, and the 200-number MSD penultimate embedding (`music_embedding`, kind msd-musicnn-200: the
  library's audio vector, memory/vectors.py; the DSP listener's 33-number `embedding` stays beside it);
- basic-pitch (nmp.onnx on onnxruntime): notes, and key/mode from them;
- the critic (critic.json, trained in-repo): P(good audio) -> the 1-10 score;
- honour: the brief's layers, tempo, key, mood energy and length.
Tempo and loudness stay the DSP listener's (tempo is its strong part). When a model is missing the
registry falls back to the DSP listener (`available()` says what to install).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import critic, features, honour, moodmap, musicnn_net, notes, recall_heard
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.analysts.dsp import to_rate
from sonicgrid.tools.analysts.listen import EmbeddedListener
from sonicgrid.tools.analysts.recall_heard import AnswerMemory, HeardMemory
from sonicgrid.tools.base import CostModel

MAX_PATCHES = 8  # musicnn hears at most 8 x 3 s, spread over the clip


def hear_musicnn(mono: np.ndarray, sr: int) -> dict[str, np.ndarray]:
    spec = musicnn_net.log_mel(to_rate(mono, sr, musicnn_net.SR))
    p = musicnn_net.patches(spec)
    if len(p) > MAX_PATCHES:
        p = p[np.linspace(0, len(p) - 1, MAX_PATCHES).round().astype(int)]
    mtt, mtt_e = musicnn_net.load_model("MTT_musicnn")(p)
    msd, msd_e = musicnn_net.load_model("MSD_musicnn")(p)
    return {
        "mtt_tags": mtt.mean(0),
        "msd_tags": msd.mean(0),
        "mtt_embedding": mtt_e.mean(0),
        "msd_embedding": msd_e.mean(0),
    }


def music_embedding(heard: dict[str, np.ndarray]) -> list[float]:
    """The msd-musicnn-200 vector: the MSD penultimate embedding, L2-normalised, 5 decimals."""
    emb = np.asarray(heard["msd_embedding"], float)
    return [round(float(v), 5) for v in emb / (np.linalg.norm(emb) + 1e-9)]


def hear_models(audio: Audio, mono: np.ndarray) -> tuple[dict[str, np.ndarray], list[notes.Note]]:
    """What the pretrained models hear: musicnn's tags and embeddings, basic-pitch's notes."""
    nts = notes.transcribe(mono, audio.sr) if audio.duration >= 0.5 else []
    return hear_musicnn(mono, audio.sr), nts


def missing() -> list[str]:
    """What the pretrained ears still need, as install hints (empty when all is there)."""
    out = []
    root = musicnn_net.package_dir()
    if root is None or not (root / "MSD_musicnn" / ".index").exists():
        out.append("musicnn (pip install --no-deps musicnn==0.1.0)")
    if notes.model_path() is None:
        out.append("basic-pitch (pip install --no-deps basic-pitch==0.4.0)")
    if importlib.util.find_spec("onnxruntime") is None:
        out.append("onnxruntime (pip install onnxruntime)")
    if not critic.available():
        out.append("the critic's weights (python benchmarks/train_critic.py)")
    return out


class PretrainedEars(Analyst):
    name = "pretrained-ears"
    capabilities = frozenset({"quality", "mood", "key", "tempo", "tags", "embedding", "notes"})
    cost_model = CostModel(per_audio_s=0.2, overhead_s=0.1)
    embedded = True

    def __init__(self, memory_dir: Path | None = None) -> None:
        self.dsp = EmbeddedListener()
        self.memory = HeardMemory(memory_dir) if memory_dir is not None else None
        self.answers = AnswerMemory(memory_dir / "answers") if memory_dir is not None else None

    def _hear_models(self, audio: Audio, mono: np.ndarray) -> tuple[dict[str, np.ndarray], list[notes.Note]]:
        """musicnn's tags and embeddings and basic-pitch's notes: from memory when this exact sound was heard."""
        if self.memory is None:
            return hear_models(audio, mono)
        key = recall_heard.key_of(audio)
        got = self.memory.get(key)
        if got is None:
            got = hear_models(audio, mono)
            self.memory.put(key, *got)
        return got

    def available(self) -> tuple[bool, str]:
        gone = missing()
        if gone:
            return False, "missing " + "; ".join(gone) + " - using the DSP listener"
        return True, "musicnn (numpy port) + basic-pitch (onnxruntime) + critic.json"

    def run(self, request: AnalysisRequest) -> Analysis:
        key = None
        if self.answers is not None:
            key = self.answers.key(request.audio, request.brief, request.layer, request.duration_s)
            got = self.answers.get(key)
            if got is not None:
                try:
                    return Analysis(**got)
                except ValueError:  # a foreign or older entry: hear again, remember anew
                    pass
        try:
            out = self._run(request)
            if key is not None and self.answers is not None:
                self.answers.put(key, out.model_dump())
            return out
        except (OSError, ValueError, ImportError, RuntimeError) as exc:  # a broken install: say so, still hear
            out = self.dsp.run(request)
            out.analyst_errors = {self.name: f"{type(exc).__name__}: {exc} - the DSP listener answered"}
            return out

    def _run(self, request: AnalysisRequest) -> Analysis:
        audio, brief = request.audio, request.brief
        f = features.extract(audio, brief.get("meter"))
        base = self.dsp.reading(audio, brief, f)
        mono = audio.mono().astype(np.float32)
        heard, nts = self._hear_models(audio, mono)
        key, mode, kconf, _ = notes.key_from_notes(nts, f.chroma)
        x = moodmap.inputs(heard, moodmap.dsp_inputs(f, mode, kconf))
        tags = moodmap.tags(heard, base["tags"], x)
        mood = moodmap.mood(x)
        mood["msd_top"] = moodmap.msd_top(heard)
        mood.update({"key": key, "mode": mode, "key_confidence": round(kconf, 3)})
        fl = critic.flaws(audio, f)
        v = critic.vector(fl, heard)
        p_good, why, broken = critic.judge(v, fl)
        checks = honour.check(
            brief,
            request.layer,
            request.duration_s,
            {
                "tags": tags,
                "tempo_bpm": f.tempo_bpm,
                "tempo_confidence": f.tempo_confidence,
                "key": key,
                "mode": mode,
                "key_confidence": kconf,
                "arousal": mood["arousal"],
                "mood_label": mood["label"],
                "duration_s": f.duration,
            },
        )
        quality = compose_quality(base["quality"], p_good, why, checks, broken)
        measures = dict(base["measures"])
        measures["key"] = {"value": f"{key} {mode}", "unit": "key (basic-pitch notes)", "confidence": round(kconf, 3)}
        measures["mood"] = {
            "value": mood["label"],
            "valence": mood["valence"],
            "arousal": mood["arousal"],
            "unit": "valence/arousal -1..1 (musicnn tags + tempo + mode)",
            "confidence": mood["confidence"],
        }
        measures["quality"] = {"value": quality["score"], "unit": "score 1-10 (critic)", "confidence": 0.8}
        measures["tags"] = {"value": tags, "unit": "0..1 per tag (musicnn)", "confidence": 0.8}
        return Analysis(
            **{
                **base,
                "quality": quality,
                "mood": mood,
                "key": key,
                "mode": mode,
                "tags": tags,
                "music_embedding": music_embedding(heard),
                "measures": measures,
                "notes": [
                    {
                        "start_s": round(n.start_s, 3),
                        "end_s": round(n.end_s, 3),
                        "pitch": n.pitch,
                        "amp": round(n.amplitude, 2),
                    }
                    for n in nts[:400]
                ],
            },
            analysts=[self.name, "musicnn", "basic-pitch", "critic"],
        )


def compose_quality(dsp_q: dict, p_good: float, why: dict, checks: dict, limits: list[str] | None = None) -> dict:
    """The critic's score (capped by honour.apply when the brief is violated); the DSP components stay as
    evidence next to the critic's P(good), the drivers of its verdict and the hard limits it broke."""
    comps = dict(dsp_q["components"])
    comps["critic"] = {"value": round(p_good, 3), "measured": f"P(good audio) {p_good:.2f}", "weight": 1.0}
    q = {
        "score": critic.score(p_good),
        "scale": "1-10",
        "critic": {"p_good": round(p_good, 3), "score": critic.score(p_good), "drivers": why, "limits": limits or []},
        "aesthetics": dsp_q.get("aesthetics", {}),
        "components": comps,
        "dsp_score": dsp_q["score"],
    }
    return honour.apply(q, checks)


def default_listener() -> Analyst:
    """The pretrained ears when everything they need is installed, else the DSP listener."""
    ears = PretrainedEars()
    return ears if ears.available()[0] else EmbeddedListener()
