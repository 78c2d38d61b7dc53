"""The combining analyst: the embedded listener's full result, overlaid with whichever real analysts are present.

AST replaces `tags` (keeping embedded tags it has no label for), wav2vec2 emotion replaces mood valence/arousal
and label, Audiobox Aesthetics joins the quality score as a weighted component. Fatal-flaw caps (silence,
clipping) from the embedded score still apply. The result keeps the embedded listener's dict shape."""

from __future__ import annotations

from sonicgrid.audio import Audio
from sonicgrid.errors import ModelUnavailable
from sonicgrid.tools.analysts.listen import EmbeddedListener
from sonicgrid.tools.analysts.mood import MOOD_POINTS
from sonicgrid.tools.base import CostModel, Tool

AESTHETICS_WEIGHT = 0.6  # share of the final 1-10 score from Audiobox Aesthetics when present


def overlay_quality(q: dict, aes: dict) -> dict:
    """New quality dict: score = (1-w)*embedded + w*aesthetics, capped where the embedded score was capped."""
    comps = dict(q["components"])
    comps["aesthetics"] = {
        "value": round((aes["score"] - 1) / 9, 3),
        "weight": AESTHETICS_WEIGHT,
        "measured": "CE {CE} CU {CU} PC {PC} PQ {PQ}".format(**aes["axes"]),
    }
    capped = _capped(q)  # the embedded scorer applied a fatal-flaw cap
    score = (1 - AESTHETICS_WEIGHT) * q["score"] + AESTHETICS_WEIGHT * aes["score"]
    if capped:
        score = min(score, q["score"])
    return {"score": round(float(score), 2), "components": comps, "embedded_score": q["score"], "aesthetics": aes}


def _capped(q: dict) -> bool:
    total = 1.0 + 9.0 * sum(c["weight"] * c["value"] for c in q["components"].values())
    return q["score"] < total - 0.01


def overlay_mood(m: dict, emo: dict, target: str) -> tuple[dict, float]:
    import numpy as np

    out = dict(m)
    out.update({k: emo[k] for k in ("valence", "arousal", "label", "confidence", "distances", "dominance")})
    out["source"] = "wav2vec2-emotion"
    out["embedded"] = {"valence": m["valence"], "arousal": m["arousal"], "label": m["label"]}
    v, a = MOOD_POINTS.get(target, (0.0, 0.0))
    fit = float(np.clip(1.0 - float(np.hypot(emo["valence"] - v, emo["arousal"] - a)) / 1.5, 0, 1))
    return out, fit


class CombinedListener(Tool):
    name = "combined-listener"
    role = "analyst"
    capabilities = frozenset({"quality", "mood", "key", "tempo", "tags", "aesthetics"})
    embedded = False

    def __init__(self, tagger: Tool, emotion: Tool, aesthetics: Tool, base: Tool | None = None):
        self.base = base or EmbeddedListener()
        self.parts = {"tags": tagger, "mood": emotion, "aesthetics": aesthetics}
        self.failed: dict[str, str] = {}

    def _present(self) -> dict[str, Tool]:
        return {k: t for k, t in self.parts.items() if k not in self.failed and t.available()[0]}

    def available(self) -> tuple[bool, str]:
        p = self._present()
        if not p:
            return False, "no real analyst present (AST, wav2vec2 emotion, Audiobox Aesthetics)"
        return True, "embedded + " + ", ".join(t.name for t in p.values())

    @property
    def cost(self) -> CostModel:  # type: ignore[override]
        parts = [self.base.cost] + [t.cost for t in self._present().values()]
        return CostModel(
            per_audio_s=sum(c.per_audio_s for c in parts),
            overhead_s=sum(c.overhead_s for c in parts),
            device=parts[-1].device,
        )

    def run(self, audio: Audio, brief: dict) -> dict:  # type: ignore[override]
        res = self.base.run(audio, brief)
        used = []
        for key, tool in self._present().items():
            try:
                got = tool.run(audio, brief)
            except ModelUnavailable as exc:  # a broken checkpoint: say so once, keep the embedded numbers
                self.failed[key] = str(exc)
                continue
            used.append(tool.name)
            if key == "tags":
                res["tags"] = {**res["tags"], **got["tags"]}
                res["audioset_top"] = got["audioset_top"]
            elif key == "mood":
                res["mood"], fit = overlay_mood(res["mood"], got, brief.get("mood", "calm"))
                mm = res["quality"]["components"].get("mood_match")
                if mm is not None and not _capped(res["quality"]):  # mood component: the model's estimate
                    comps = dict(res["quality"]["components"])
                    delta = mm["weight"] * (fit - mm["value"]) * 9.0
                    comps["mood_match"] = {**mm, "value": round(fit, 3), "measured": f"fit {fit:.2f} (wav2vec2)"}
                    res["quality"] = {
                        **res["quality"],
                        "components": comps,
                        "score": round(min(10.0, max(1.0, res["quality"]["score"] + delta)), 2),
                    }
            elif key == "aesthetics":
                res["quality"] = overlay_quality(res["quality"], got)
        res["analysts"] = [self.base.name] + used
        if self.failed:
            res["analyst_errors"] = dict(self.failed)
        return res
