"""The combining analyst: the embedded listener's full result, overlaid with whichever real analysts are present.

AST replaces `tags` (keeping embedded tags it has no label for), wav2vec2 emotion replaces mood valence/arousal
and label, Audiobox Aesthetics joins the quality score as a weighted component. Fatal-flaw caps (silence,
clipping) from the embedded score still apply. The result keeps the embedded listener's dict shape."""

from __future__ import annotations

from sonicgrid.errors import ModelUnavailable
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.analysts.mood import MOOD_POINTS
from sonicgrid.tools.base import CostModel

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
    """Was the score capped (a brief violation, or one of the DSP scorer's fatal flaws)?"""
    if q.get("brief_capped"):
        return True
    if "critic" in q:  # the critic's score is no weighted sum of the components
        return False
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


class CombinedListener(Analyst):
    name = "combined-listener"
    capabilities = frozenset({"quality", "mood", "key", "tempo", "tags", "aesthetics"})
    embedded = False

    def __init__(self, tagger: Analyst, emotion: Analyst, aesthetics: Analyst, base: Analyst | None = None):
        if base is None:
            from sonicgrid.tools.analysts.ears import default_listener

            base = default_listener()
        self.base = base
        self.parts = {"tags": tagger, "mood": emotion, "aesthetics": aesthetics}
        self.failed: dict[str, str] = {}

    def _present(self) -> dict[str, Analyst]:
        return {k: t for k, t in self.parts.items() if k not in self.failed and t.available()[0]}

    def available(self) -> tuple[bool, str]:
        p = self._present()
        if not p:
            return False, "no real analyst present (AST, wav2vec2 emotion, Audiobox Aesthetics)"
        return True, f"{self.base.name} + " + ", ".join(t.name for t in p.values())

    @property
    def cost(self) -> CostModel:
        parts = [self.base.cost] + [t.cost for t in self._present().values()]
        return CostModel(
            per_audio_s=sum(c.per_audio_s for c in parts),
            overhead_s=sum(c.overhead_s for c in parts),
            device=parts[-1].device,
        )

    def run(self, request: AnalysisRequest) -> Analysis:
        res = self.base.run(request).as_dict()
        brief = request.brief
        used = []
        for key, tool in self._present().items():
            try:
                got = tool.run(request)
            except ModelUnavailable as exc:  # a broken checkpoint: say so once, keep the embedded numbers
                self.failed[key] = str(exc)
                continue
            used.append(tool.name)
            if key == "tags":
                res["tags"] = {**res["tags"], **got.tags}
                res.setdefault("extra", {})["audioset_top"] = got.extra.get("audioset_top", [])
            elif key == "mood" and got.mood:
                res["mood"], fit = overlay_mood(res["mood"], got.mood, brief.get("mood", "calm"))
                mm = res["quality"]["components"].get("mood_match")
                if mm is not None and not _capped(res["quality"]) and "critic" not in res["quality"]:
                    comps = dict(res["quality"]["components"])
                    delta = mm["weight"] * (fit - mm["value"]) * 9.0
                    comps["mood_match"] = {**mm, "value": round(fit, 3), "measured": f"fit {fit:.2f} (wav2vec2)"}
                    res["quality"] = {
                        **res["quality"],
                        "components": comps,
                        "score": round(min(10.0, max(1.0, res["quality"]["score"] + delta)), 2),
                    }
            elif key == "aesthetics" and "aesthetics" in got.extra:
                res["quality"] = overlay_quality(res["quality"], got.extra["aesthetics"])
        res["analysts"] = list(res.get("analysts", [self.base.name])) + used
        if self.failed:
            res["analyst_errors"] = dict(self.failed)
        return Analysis(**res)
