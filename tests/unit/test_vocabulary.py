"""One mood (and section, layer) vocabulary: every table keyed by it has exactly its members, so a mood
added to the Brief without its palette, colour, mood point or words fails here, not silently at run time."""

from __future__ import annotations

import pytest

from sonicgrid.brief import LAYERS, MOODS, SECTION_SECONDS, SECTIONS, Brief, Layer, Mood, Section


def _mood_tables() -> dict[str, set[str]]:
    from sonicgrid.agents import lexicon
    from sonicgrid.graph import arrange
    from sonicgrid.llm.train import requests
    from sonicgrid.tools.analysts import mood
    from sonicgrid.tools.generators import composer, painter

    return {
        "composer.PALETTES": set(composer.PALETTES),
        "composer.ROOTS": set(composer.ROOTS),
        "painter.COLOUR": set(painter.COLOUR),
        "analysts.mood.MOOD_POINTS": set(mood.MOOD_POINTS),
        "analysts.mood.LABEL_WORDS": set(mood.LABEL_WORDS),
        "lexicon.yaml moods": set(lexicon.MOOD_WORDS),
        "arrangement.yaml moods": set(arrange.table()["moods"]),
        "llm.train.requests.MOODS": set(requests.MOODS),
    }


@pytest.mark.parametrize("table", sorted(_mood_tables()))
def test_every_mood_table_has_exactly_the_moods(table):
    assert _mood_tables()[table] == set(MOODS), table


def test_the_vocabularies_are_the_enums_and_the_brief_accepts_only_them():
    assert tuple(Mood) == MOODS and tuple(Section) == SECTIONS and tuple(Layer) == LAYERS
    assert set(SECTION_SECONDS) == set(SECTIONS)
    assert Brief(prompt="x", mood=Mood.TENSE).mood == "tense"
    with pytest.raises(ValueError):
        Brief(prompt="x", mood="grumpy")


def test_an_unknown_mood_is_an_error_not_calm():
    from sonicgrid.tools.base import GenRequest
    from sonicgrid.tools.generators.composer import plan
    from sonicgrid.tools.generators.painter import SpectralPainter

    with pytest.raises(ValueError, match="unknown mood 'grumpy'"):
        plan({"prompt": "x", "mood": "grumpy", "duration_s": 4.0}, "harmony", seed=1)
    with pytest.raises(KeyError):
        SpectralPainter().run(GenRequest("x", {"prompt": "x", "mood": "grumpy"}, "atmosphere", "loop", 2.0, seed=1))
