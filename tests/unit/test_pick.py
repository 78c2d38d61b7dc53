"""A variation named in chat: "I like the second one", "take 2, but slower"; other ordinals are no pick."""

from __future__ import annotations

import pytest

from sonicgrid.session.pick import said


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I like the second one", (2, "")),
        ("use variation 3", (3, "")),
        ("take 2", (2, "")),
        ("ok, the 2nd one", (2, "")),
        ("the first one is best", (1, "")),
        ("the second one but darker", (2, "darker")),
        ("take 2, but slower", (2, "slower")),
        ("the third option, and add drums", (3, "add drums")),
        ("make a second one", None),  # a new clip, not a pick
        ("a version 2 of the theme", None),
        ("an intro in the first person", None),
    ],
)
def test_a_variation_is_picked_by_its_number(text, expected):
    assert said(text) == expected
