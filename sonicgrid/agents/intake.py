"""Intake: free text -> a typed Brief. The lexicon is the rules brain and the LLM's validator."""

from __future__ import annotations

import time
from typing import Any

from pydantic import ValidationError

from sonicgrid.agents import lexicon
from sonicgrid.agents.base import Brain
from sonicgrid.agents.verdict import Verdict
from sonicgrid.brief import MAX_SECONDS, MIN_SECONDS, MOODS, SECTIONS, TEMPO_RANGE, Brief, bar_seconds
from sonicgrid.errors import UserError

MAX_PROMPT_CHARS = 2000


def validate_prompt(prompt: str) -> str:
    p = (prompt or "").strip()
    if not p:
        raise UserError('empty prompt: say what to make, e.g. sonicgrid make "make a moody intro"')
    if len(p) > MAX_PROMPT_CHARS:
        raise UserError(f"prompt too long ({len(p)} characters, at most {MAX_PROMPT_CHARS})")
    return p


def validate_duration(seconds: float | None) -> None:
    if seconds is not None and not (MIN_SECONDS <= seconds <= MAX_SECONDS):
        raise UserError(f"duration {seconds:g}s is out of range: use {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds")


def build_brief(
    fields: dict[str, Any], found: dict[str, Any], duration_override: float | None, project: str | None
) -> Brief:
    fields = dict(fields)
    bars = fields.pop("bars", None)
    if duration_override is not None:
        fields["duration_s"] = duration_override
    elif "duration_s" not in fields and bars:
        if not fields.get("tempo_bpm"):  # "8 bars": the mood's own tempo, fixed so the bars fit
            from sonicgrid.tools.generators.composer import PALETTES

            lo, hi = PALETTES[fields.get("mood", "calm")]["tempo"]
            fields["tempo_bpm"] = float(round((lo + hi) / 2))
        fields["duration_s"] = round(float(bars) * bar_seconds(fields["tempo_bpm"], fields.get("meter")), 3)
    elif "duration_s" not in fields:
        sections = fields.get("sections") or [fields.get("section", "loop")]
        fields["duration_s"] = sum(lexicon.default_duration(s) for s in sections)
    fields["explicit"] = explicit_fields(found, duration_override)
    validate_duration(fields["duration_s"])
    if "tempo_bpm" in fields:
        fields["tempo_bpm"] = min(TEMPO_RANGE[1], max(TEMPO_RANGE[0], fields["tempo_bpm"]))
    layers = [la for la in fields.get("layers", ["harmony"]) if la not in fields.get("exclude", [])]
    if not layers:
        layers = ["harmony"] if "harmony" not in fields.get("exclude", []) else ["atmosphere"]
    fields["layers"] = layers
    if project:
        fields["project"] = project
    try:
        return Brief(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"cannot understand the request: {first['loc'][0]}: {first['msg']}") from exc


HARD = ("duration_s", "tempo_bpm", "key", "mode", "layers", "exclude", "sections", "variations")
SAID = HARD + ("mood", "section", "style", "same", "meter")


def explicit_fields(found: dict[str, Any], duration_override: float | None = None) -> list[str]:
    """What the user said in so many words: hard constraints (Continuity may propose, never revise)."""
    said = [k for k in SAID if k in found or (k in ("duration_s", "tempo_bpm") and "bars" in found)]
    if duration_override is not None and "duration_s" not in said:
        said.append("duration_s")
    return said


def rules_intake(prompt: str, duration: float | None = None, project: str | None = None) -> tuple[Brief, Verdict]:
    t0 = time.perf_counter()
    fields, found = lexicon.parse(validate_prompt(prompt))
    brief = build_brief(fields, found, duration, project)
    return brief, Verdict(
        agent="intake",
        choice="brief",
        confidence=min(0.95, 0.5 + 0.1 * len(found)),
        reason=f"lexicon found {', '.join(found) or 'nothing explicit'}; defaults for the rest",
        evidence={"found": found},
        allowed=["brief"],
        brain="rules",
        latency_ms=(time.perf_counter() - t0) * 1000,
        data=brief.model_dump(),
    )


INTAKE_SCHEMA = {
    "type": "object",
    "properties": {"mood": {"enum": list(MOODS)}, "section": {"enum": list(SECTIONS)}},
    "required": ["mood", "section"],
}


def merge_llm_fields(
    fields: dict[str, Any], found: dict[str, Any], llm_fields: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The LLM may fill only what the text left open; the lexicon's findings are facts, and a mood the text
    said it does not want ("not sad") is not open."""
    used = []
    unwanted = str(found.get("not_mood", "")).split(",")
    for k in ("mood", "section"):
        if k == "mood" and llm_fields.get(k) in unwanted:
            continue
        if k not in found and llm_fields.get(k) in (MOODS if k == "mood" else SECTIONS):
            fields[k] = llm_fields[k]
            used.append(k)
    return fields, used


def read(prompt: str, brain: Brain, duration: float | None = None, project: str | None = None) -> tuple[Brief, Verdict]:
    """Free text -> Brief: the lexicon's findings, plus what the brain reads where the text left a field
    open (a brain that does not read requests leaves it to the lexicon and its defaults)."""
    t0 = time.perf_counter()
    reading = brain.read_request(validate_prompt(prompt))
    if reading is None:
        return rules_intake(prompt, duration, project)
    fields, found = lexicon.parse(validate_prompt(prompt))
    data = reading.fields
    used: list[str] = []
    if data is not None:
        fields, used = merge_llm_fields(fields, found, data)
    brief = build_brief(fields, found, duration, project)
    # how sure the model was of each value it filled (its own probability among the allowed values)
    sure = {k: reading.confidence[k] for k in used if k in reading.confidence}
    conf = min(sure.values()) if sure else (0.6 if data else 0.5)
    filled = ", ".join(f"{k}={fields[k]}" + (f" (p={sure[k]:.2f})" if k in sure else "") for k in used)
    return brief, Verdict(
        agent="intake",
        choice="brief",
        confidence=conf,
        reason=(f"LLM filled {filled}; " if used else "")
        + f"lexicon found {', '.join(found) or 'nothing'}"
        + ("" if data else f" ({reading.note or 'LLM answer malformed twice'}: rules)"),
        evidence={"found": found, "llm": data, "llm_confidence": reading.confidence or None},
        allowed=["brief"],
        brain=reading.brain if data else "llm-fallback",
        latency_ms=(time.perf_counter() - t0) * 1000,
        data=brief.model_dump(),
    )
